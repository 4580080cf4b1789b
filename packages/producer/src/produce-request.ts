/**
 * The Produce request on the hot path, without the generic codec (STYLE habit 3): the header
 * and the small fields are written into one scratch buffer, and the record batches go out as
 * they are, as separate parts of one `writev`, so a batch is never copied into the frame.
 *
 * @module
 */
import { Api, encodeRequest, Writer } from '@tskafka/protocol/internals';
import type { ProduceRequestData } from './sender.js';

/** Produce versions written here; older ones (no transactional id) go through the codec. */
const MIN_VERSION = 3;
/** Produce is flexible (compact strings and arrays, tagged fields) from v9. */
const FLEXIBLE_FROM = 9;

/**
 * The frame of a Produce request at `version` as buffers to write in order: scratch slices
 * between the record batches and the batches themselves. The correlation id is left 0 for the
 * connection to fill in (`Connection.sendEncoded`). Byte for byte what `encodeRequest` writes.
 */
export function encodeProduceRequestParts(
  version: number,
  clientId: string | null,
  req: ProduceRequestData,
): Buffer[] {
  if (version < MIN_VERSION) return [encodeRequest(Api.Produce, version, 0, clientId, req)];
  const flexible = version >= FLEXIBLE_FROM;
  const clientIdLength = clientId === null ? 0 : Buffer.byteLength(clientId);
  const txnLength = req.transactionalId === null ? 0 : Buffer.byteLength(req.transactionalId);
  // Upper bound of everything but the batches: fixed fields, strings, and ≤ 10 bytes per length.
  let scratchSize = 64 + clientIdLength + txnLength;
  for (const t of req.topicData) scratchSize += 16 + 3 * t.name.length + t.partitionData.length * 24;
  const w = new Writer(Buffer.allocUnsafe(scratchSize));
  w.int32(0); // frame size, filled in last
  w.int16(Api.Produce.key);
  w.int16(version);
  w.int32(0); // correlation id
  if (clientId === null) w.int16(-1);
  else {
    w.int16(clientIdLength);
    w.utf8(clientId, clientIdLength);
  }
  if (flexible) w.uvarint(0); // header tagged fields
  if (req.transactionalId === null) {
    if (flexible) w.uvarint(0);
    else w.int16(-1);
  } else {
    if (flexible) w.uvarint(txnLength + 1);
    else w.int16(txnLength);
    w.utf8(req.transactionalId, txnLength);
  }
  w.int16(req.acks);
  w.int32(req.timeoutMs);
  arrayLength(w, req.topicData.length, flexible);
  const parts: Buffer[] = [];
  let start = 0;
  let total = 0;
  for (const t of req.topicData) {
    const nameLength = Buffer.byteLength(t.name);
    if (flexible) w.uvarint(nameLength + 1);
    else w.int16(nameLength);
    w.utf8(t.name, nameLength);
    arrayLength(w, t.partitionData.length, flexible);
    for (const p of t.partitionData) {
      w.int32(p.index);
      const records = p.records;
      if (flexible) w.uvarint(records.length + 1);
      else w.int32(records.length);
      parts.push(w.buf.subarray(start, w.pos), records);
      total += w.pos - start + records.length;
      start = w.pos;
      if (flexible) w.uvarint(0); // partition tagged fields
    }
    if (flexible) w.uvarint(0); // topic tagged fields
  }
  if (flexible) w.uvarint(0); // body tagged fields
  if (w.pos > start) {
    parts.push(w.buf.subarray(start, w.pos));
    total += w.pos - start;
  }
  w.buf.writeInt32BE(total - 4, 0);
  return parts;
}

function arrayLength(w: Writer, n: number, flexible: boolean): void {
  if (flexible) w.uvarint(n + 1);
  else w.int32(n);
}
