import { ProtocolEncodeError } from './errors.js';

const TWO_32 = 4294967296;

/**
 * Writes Kafka primitives into one pre-sized buffer. Encoders compute the exact size first, then
 * allocate once and write; there is no growing and no copying.
 *
 * `lengths` carries values computed during the sizing pass (UTF-8 byte lengths of strings, sizes
 * of tagged fields) to the write pass, consumed in the same order they were produced.
 */
export class Writer {
  /** The destination buffer. */
  readonly buf: Buffer;
  /** Next write position. */
  pos: number;
  /** Values recorded by the sizing pass, consumed in order by the write pass. */
  lengths: number[] = [];
  /** Read position in {@link Writer.lengths}. */
  lengthIndex = 0;
  /**
   * Byte fields at least this long are not copied but spliced ({@link Writer.splices}); 0 copies
   * every field. Set together with the sizing pass's `spliceMin` (see `encodeResponseParts`).
   */
  spliceMin = 0;
  /** Spliced fields: the position in {@link Writer.buf} where each goes, then the bytes, in turn. */
  readonly splices: (number | Uint8Array)[] = [];

  /** Wraps `buf`, writing from `pos`. */
  constructor(buf: Buffer, pos = 0) {
    this.buf = buf;
    this.pos = pos;
  }

  /** Allocates a writer over a new buffer of exactly `size` bytes. */
  static alloc(size: number): Writer {
    return new Writer(Buffer.allocUnsafe(size));
  }

  /** Next value recorded by the sizing pass. */
  nextLength(): number {
    return this.lengths[this.lengthIndex++];
  }

  /** Writes a boolean as one byte, 0 or 1. */
  bool(value: boolean): void {
    this.buf[this.pos++] = value ? 1 : 0;
  }

  /** Writes a signed 8-bit integer. */
  int8(value: number): void {
    this.buf.writeInt8(value, this.pos);
    this.pos += 1;
  }

  /** Writes a big-endian signed 16-bit integer. */
  int16(value: number): void {
    this.buf.writeInt16BE(value, this.pos);
    this.pos += 2;
  }

  /** Writes a big-endian unsigned 16-bit integer. */
  uint16(value: number): void {
    this.buf.writeUInt16BE(value, this.pos);
    this.pos += 2;
  }

  /** Writes a big-endian signed 32-bit integer. */
  int32(value: number): void {
    this.buf.writeInt32BE(value, this.pos);
    this.pos += 4;
  }

  /** Writes a big-endian unsigned 32-bit integer. */
  uint32(value: number): void {
    this.buf.writeUInt32BE(value, this.pos);
    this.pos += 4;
  }

  /** Writes a big-endian signed 64-bit integer given as a safe integer `number`. */
  int64(value: number): void {
    if (!Number.isSafeInteger(value)) {
      throw new ProtocolEncodeError(`int64 value ${value} is not a safe integer`);
    }
    const hi = Math.floor(value / TWO_32);
    const lo = value - hi * TWO_32;
    this.buf.writeInt32BE(hi, this.pos);
    this.buf.writeUInt32BE(lo, this.pos + 4);
    this.pos += 8;
  }

  /** Writes a big-endian IEEE-754 double. */
  float64(value: number): void {
    this.buf.writeDoubleBE(value, this.pos);
    this.pos += 8;
  }

  /** Writes an unsigned varint (0 ≤ value < 2^32). */
  uvarint(value: number): void {
    const buf = this.buf;
    let v = value >>> 0;
    while (v > 0x7f) {
      buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[this.pos++] = v;
  }

  /** Writes a zig-zag varint (signed 32-bit). */
  varint(value: number): void {
    this.uvarint(((value << 1) ^ (value >> 31)) >>> 0);
  }

  /**
   * Writes a zig-zag varlong for a safe integer. The sign goes into the low bit of the first byte
   * and the magnitude is split arithmetically, because the zig-zag form of a large negative value
   * is not representable as a double.
   */
  varlong(value: number): void {
    // An int32 (a record's timestamp delta, almost always) zig-zags the same in 32 bits as in 64.
    if ((value | 0) === value) {
      this.uvarint(((value << 1) ^ (value >> 31)) >>> 0);
      return;
    }
    const buf = this.buf;
    const negative = value < 0;
    let magnitude = negative ? -value - 1 : value;
    let rest = Math.floor(magnitude / 64);
    buf[this.pos++] = ((magnitude % 64) << 1) | (negative ? 1 : 0) | (rest > 0 ? 0x80 : 0);
    magnitude = rest;
    while (magnitude > 0) {
      rest = Math.floor(magnitude / 128);
      buf[this.pos++] = (magnitude % 128) | (rest > 0 ? 0x80 : 0);
      magnitude = rest;
    }
  }

  /** Writes `byteLength` bytes of `value` as UTF-8 (the length was measured beforehand). */
  utf8(value: string, byteLength: number): void {
    this.buf.write(value, this.pos, byteLength, 'utf8');
    this.pos += byteLength;
  }

  /** Copies raw bytes. */
  raw(value: Uint8Array): void {
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  /**
   * Writes the body of a bytes field: copied, or, at {@link Writer.spliceMin} bytes or more,
   * noted as a splice at the current position and not copied.
   */
  bytesBody(value: Uint8Array): void {
    if (this.spliceMin > 0 && value.length >= this.spliceMin) {
      this.splices.push(this.pos, value);
      return;
    }
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  /** Writes a 16-byte UUID given in Kafka's URL-safe base64 form (22 characters). */
  uuid(value: string): void {
    const written = this.buf.write(value, this.pos, 16, 'base64url');
    if (written !== 16 || value.length !== 22) {
      throw new ProtocolEncodeError(`invalid UUID "${value}": expected 22 URL-safe base64 characters`);
    }
    this.pos += 16;
  }
}
