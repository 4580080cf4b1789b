/**
 * The produce path's check of record structure, scanned in place: the varints of each record are
 * read where they lie, nothing is decoded into objects and nothing is allocated, so a 256 KiB
 * batch of 100-byte records costs a few nanoseconds per record rather than an object or a closure
 * per field (under tsx, whose `keepNames` turns every closure made in a loop into a
 * `defineProperty` call, the closures alone were most of the broker's produce time).
 *
 * It answers only yes or no; on no, the validator asks {@link recordStructureProblem}, which walks
 * the same bytes again with the same rules to say what is wrong. The two must always agree (a
 * property test holds them to it), so a refused batch is refused with the same message as before.
 *
 * The rules are those of Kafka's `DefaultRecord.readFrom` as `LogValidator` applies them: each of
 * the batch's `recordCount` records is a varint length then exactly attributes, timestamp delta
 * (varlong), offset delta (equal to the record's index), key and value (length -1 for null),
 * headers (count, then key and nullable value each), and the records exactly fill the batch.
 *
 * @module
 */

/** Value of the varint the last {@link zigzagAt} read (a module slot rather than an object). */
let scanned = 0;

/**
 * Reads a zigzag varint of at most `maxBytes` bytes (5 for an int32, 10 for an int64) at `at`,
 * below `end`: returns the position after it and leaves its value in {@link scanned}, or -1 when
 * it runs past `end` or is too long. Bits past the 32nd are dropped, as only int32 values are used.
 */
function zigzagAt(buf: Uint8Array, at: number, end: number, maxBytes: number): number {
  const limit = Math.min(end, at + maxBytes);
  let value = 0;
  let shift = 0;
  let b: number;
  do {
    if (at >= limit) return -1;
    b = buf[at++];
    if (shift <= 28) value |= (b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  scanned = (value >>> 1) ^ -(value & 1);
  return at;
}

/** Skips a length-prefixed byte string at `at` (length -1 allowed when `nullable`); -1 if bad. */
function bytesAt(buf: Uint8Array, at: number, end: number, nullable: boolean): number {
  const next = zigzagAt(buf, at, end, 5);
  if (next < 0) return -1;
  const length = scanned;
  if (length < (nullable ? -1 : 0)) return -1;
  const after = length > 0 ? next + length : next;
  return after > end ? -1 : after;
}

/** Offset delta of the last record {@link recordFills} accepted. */
let lastDelta = -1;

/**
 * Whether the fields of the record whose body is `[at, end)` exactly fill it; its offset delta
 * must be `index`, or with `gaps` (a compacted batch) at least `index`.
 */
function recordFills(buf: Uint8Array, at: number, end: number, index: number, gaps = false): boolean {
  let p = at + 1; // attributes
  if (p > end) return false;
  p = zigzagAt(buf, p, end, 10); // timestamp delta
  if (p < 0) return false;
  p = zigzagAt(buf, p, end, 5); // offset delta
  if (p < 0 || (gaps ? scanned < index : scanned !== index)) return false;
  lastDelta = scanned;
  p = bytesAt(buf, p, end, true); // key
  if (p < 0) return false;
  p = bytesAt(buf, p, end, true); // value
  if (p < 0) return false;
  p = zigzagAt(buf, p, end, 5);
  if (p < 0) return false;
  const headers = scanned;
  if (headers < 0) return false;
  for (let h = 0; h < headers; h++) {
    p = bytesAt(buf, p, end, false);
    if (p < 0) return false;
    p = bytesAt(buf, p, end, true);
    if (p < 0) return false;
  }
  return p === end;
}

/**
 * Whether `[start, end)` of `buf` holds exactly `count` well-formed records (see the module
 * comment). No allocation; `false` says only that {@link recordStructureProblem} will find a
 * problem.
 */
export function recordsWellFormed(
  buf: Uint8Array,
  start: number,
  end: number,
  count: number,
  gaps = false,
): boolean {
  let at = start;
  let next = 0;
  for (let i = 0; i < count; i++) {
    const body = zigzagAt(buf, at, end, 5);
    if (body < 0) return false;
    const length = scanned;
    if (length < 0 || body + length > end) return false;
    at = body + length;
    if (!recordFills(buf, body, at, gaps ? next : i, gaps)) return false;
    next = lastDelta + 1;
  }
  return at === end;
}

/**
 * Reads a zigzag varint (at most `maxBytes` bytes) at `s.at` below `end`; null when it runs past
 * `end` or is too long. The reference reading, written apart from {@link zigzagAt} on purpose:
 * tests hold the two walks to the same verdict.
 */
function readZigzag(buf: Uint8Array, s: { at: number }, end: number, maxBytes: number): number | null {
  let value = 0;
  let shift = 0;
  for (let n = 0; ; n++) {
    if (s.at >= end || n >= maxBytes) return null;
    const b = buf[s.at++];
    if (shift <= 28) value |= (b & 0x7f) << shift;
    shift += 7;
    if ((b & 0x80) === 0) break;
  }
  return (value >>> 1) ^ -(value & 1);
}

/** Reads a length-prefixed byte string; what is wrong with it, or null. */
function bytesProblem(
  buf: Uint8Array,
  s: { at: number },
  end: number,
  what: string,
  nullable: boolean,
): string | null {
  const length = readZigzag(buf, s, end, 5);
  if (length === null || length < (nullable ? -1 : 0) || s.at + Math.max(0, length) > end) {
    return `invalid ${what} length ${length}`;
  }
  s.at += Math.max(0, length);
  return null;
}

/** Checks one record's fields exactly fill `[s.at, end)`; returns what is wrong, or null. */
function recordProblem(
  buf: Uint8Array,
  s: { at: number; delta: number },
  end: number,
  index: number,
  gaps: boolean,
): string | null {
  s.at++; // attributes
  if (s.at > end) return 'no attributes';
  if (readZigzag(buf, s, end, 10) === null) return 'invalid timestamp delta';
  const offsetDelta = readZigzag(buf, s, end, 5);
  if (offsetDelta === null || (gaps ? offsetDelta < index : offsetDelta !== index)) {
    return `offset delta ${offsetDelta}, expected ${gaps ? 'at least ' : ''}${index}`;
  }
  s.delta = offsetDelta;
  const problem = bytesProblem(buf, s, end, 'key', true) ?? bytesProblem(buf, s, end, 'value', true);
  if (problem !== null) return problem;
  const headers = readZigzag(buf, s, end, 5);
  if (headers === null || headers < 0) return `invalid header count ${headers}`;
  for (let h = 0; h < headers; h++) {
    const p =
      bytesProblem(buf, s, end, 'header key', false) ?? bytesProblem(buf, s, end, 'header value', true);
    if (p !== null) return `header ${h}: ${p}`;
  }
  return s.at === end ? null : `${end - s.at} bytes left after the last field`;
}

/**
 * What is wrong with the records in `[start, end)` (Kafka's "Found invalid record structure" and
 * "Incorrect declared batch size"), or null when {@link recordsWellFormed} would say yes. Slow
 * and descriptive: for error messages and as the reference in tests.
 */
export function recordStructureProblem(
  buf: Uint8Array,
  start: number,
  end: number,
  count: number,
  gaps = false,
): string | null {
  const s = { at: start, delta: -1 };
  for (let i = 0; i < count; i++) {
    const length = readZigzag(buf, s, end, 5);
    if (length === null) return `record ${i}: invalid record structure`;
    if (length < 0 || s.at + length > end) return `record ${i}: length ${length} runs past the batch`;
    const recordEnd = s.at + length;
    const problem = recordProblem(buf, s, recordEnd, gaps ? s.delta + 1 : i, gaps);
    if (problem !== null) return `record ${i}: ${problem}`;
  }
  return s.at === end
    ? null
    : `records end at byte ${s.at - start} of ${end - start}: declared count ${count} is wrong`;
}

/**
 * The index of the first record in `[start, end)` (`count` well-formed records, as
 * {@link recordsWellFormed} accepted) whose key is null, or -1 when every record has a key: a
 * compacted topic refuses keyless records, as Kafka's `LogValidator` does.
 */
export function firstRecordWithoutKey(buf: Uint8Array, start: number, end: number, count: number): number {
  let at = start;
  for (let i = 0; i < count; i++) {
    const body = zigzagAt(buf, at, end, 5);
    const length = scanned;
    let p = zigzagAt(buf, body + 1, end, 10); // attributes, then timestamp delta
    p = zigzagAt(buf, p, end, 5); // offset delta
    zigzagAt(buf, p, end, 5); // key length
    if (scanned < 0) return i;
    at = body + length;
  }
  return -1;
}
