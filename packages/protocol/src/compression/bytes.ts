/**
 * Small byte helpers shared by the codecs.
 *
 * @module
 */

/** `data` as a Buffer over the same memory (no copy). */
export function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * `buf[0, length)` as the result of a decoder that wrote into a buffer sized for a bound: a view
 * when little is wasted, else a copy, so a caller keeping the result does not pin a much larger
 * allocation.
 */
export function trimmed(buf: Buffer, length: number): Buffer {
  if (length === buf.length) return buf;
  if (buf.length - length <= 64 * 1024 || length >= buf.length * 0.75) return buf.subarray(0, length);
  return Buffer.from(buf.subarray(0, length));
}
