import { ProtocolDecodeError } from './errors.js';

const TWO_32 = 4294967296;
/** Largest `hi` word of an int64 whose value is still a safe integer. */
const SAFE_HI_MAX = 0x1fffff;
const SAFE_HI_MIN = -0x200000;

/**
 * Reads Kafka primitives from a buffer. Bytes and records come back as `subarray` views of the
 * input, never copies. Every read checks the bounds and throws {@link ProtocolDecodeError}; the
 * message decoders add the API, version and field path as the error unwinds.
 */
export class Reader {
  /** The source buffer. */
  readonly buf: Buffer;
  /** Next read position. */
  pos: number;
  /** End of the readable region (exclusive). */
  readonly end: number;

  /** Reads `buf` from `pos` up to `end`. */
  constructor(buf: Buffer, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  /** Bytes left to read. */
  remaining(): number {
    return this.end - this.pos;
  }

  /** Throws unless `n` more bytes are available. */
  need(n: number): void {
    if (this.pos + n > this.end) {
      throw new ProtocolDecodeError(
        `needs ${n} bytes at offset ${this.pos}, only ${this.end - this.pos} left`,
        this.pos,
      );
    }
  }

  /** Reads a boolean (any non-zero byte is true). */
  bool(): boolean {
    this.need(1);
    return this.buf[this.pos++] !== 0;
  }

  /** Reads a signed 8-bit integer. */
  int8(): number {
    this.need(1);
    const v = this.buf[this.pos++];
    return v > 127 ? v - 256 : v;
  }

  /** Reads a big-endian signed 16-bit integer. */
  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  /** Reads a big-endian unsigned 16-bit integer. */
  uint16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  /** Reads a big-endian signed 32-bit integer. */
  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** Reads a big-endian unsigned 32-bit integer. */
  uint32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /**
   * Reads a big-endian signed 64-bit integer as a `number`. A value outside the safe integer
   * range is an error, never a silent loss of precision.
   */
  int64(): number {
    this.need(8);
    const hi = this.buf.readInt32BE(this.pos);
    const lo = this.buf.readUInt32BE(this.pos + 4);
    if (hi > SAFE_HI_MAX || hi < SAFE_HI_MIN || (hi === SAFE_HI_MIN && lo === 0)) {
      throw new ProtocolDecodeError(
        `int64 at offset ${this.pos} is outside the safe integer range (${bigint64(hi, lo)})`,
        this.pos,
      );
    }
    this.pos += 8;
    return hi * TWO_32 + lo;
  }

  /** Reads a big-endian IEEE-754 double. */
  float64(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  /** Reads an unsigned varint of at most 5 bytes (a 32-bit value). */
  uvarint(): number {
    const buf = this.buf;
    let value = 0;
    let shift = 0;
    const start = this.pos;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.end) {
        throw new ProtocolDecodeError(`varint at offset ${start} runs past the end`, start);
      }
      const b = buf[this.pos++];
      if (i === 4 && b > 0x0f) break;
      value |= (b & 0x7f) << shift;
      if (b < 0x80) return value >>> 0;
      shift += 7;
    }
    throw new ProtocolDecodeError(`varint at offset ${start} is longer than 5 bytes`, start);
  }

  /** Reads a zig-zag varint (signed 32-bit). */
  varint(): number {
    const u = this.uvarint();
    return (u >>> 1) ^ -(u & 1);
  }

  /**
   * Reads a zig-zag varlong of at most 10 bytes, as a safe integer. The zig-zag sign bit is taken
   * from the first byte and the magnitude summed from the rest, so that every safe value decodes
   * exactly even though the zig-zag form itself may exceed 2^53.
   */
  varlong(): number {
    const buf = this.buf;
    const start = this.pos;
    if (this.pos >= this.end)
      throw new ProtocolDecodeError(`varlong at offset ${start} runs past the end`, start);
    let b = buf[this.pos++];
    const negative = (b & 1) === 1;
    let magnitude = (b & 0x7f) >>> 1;
    let mul = 64;
    for (let i = 1; b >= 0x80; i++) {
      if (i === 10)
        throw new ProtocolDecodeError(`varlong at offset ${start} is longer than 10 bytes`, start);
      if (this.pos >= this.end)
        throw new ProtocolDecodeError(`varlong at offset ${start} runs past the end`, start);
      b = buf[this.pos++];
      magnitude += (b & 0x7f) * mul;
      mul *= 128;
    }
    if (magnitude > (negative ? Number.MAX_SAFE_INTEGER - 1 : Number.MAX_SAFE_INTEGER)) {
      throw new ProtocolDecodeError(`varlong at offset ${start} is outside the safe integer range`, start);
    }
    return negative ? -magnitude - 1 : magnitude;
  }

  /** Returns a view of the next `n` bytes. */
  view(n: number): Buffer {
    if (n < 0) throw new ProtocolDecodeError(`invalid length ${n} at offset ${this.pos}`, this.pos);
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** Reads `n` bytes as UTF-8. */
  utf8(n: number): string {
    if (n < 0) throw new ProtocolDecodeError(`invalid string length ${n} at offset ${this.pos}`, this.pos);
    this.need(n);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /** Reads a 16-byte UUID, returned in Kafka's URL-safe base64 form (22 characters). */
  uuid(): string {
    this.need(16);
    const s = this.buf.toString('base64url', this.pos, this.pos + 16);
    this.pos += 16;
    return s;
  }

  /** Skips `n` bytes. */
  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }
}

function bigint64(hi: number, lo: number): string {
  return (BigInt(hi) * 4294967296n + BigInt(lo)).toString();
}
