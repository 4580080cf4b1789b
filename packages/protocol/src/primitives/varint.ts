/**
 * Sizes and zig-zag transforms for the protobuf-style varints Kafka uses: unsigned varints in
 * flexible message versions, zig-zag varint/varlong inside records.
 */

/** Bytes an unsigned varint takes for `value` (0 ≤ value < 2^32). */
export function uvarintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

/** Bytes a zig-zag varint takes for a signed 32-bit `value`. */
export function varintSize(value: number): number {
  return uvarintSize(((value << 1) ^ (value >> 31)) >>> 0);
}

/** Bytes a zig-zag varlong takes for a signed `value` within ±2^53. */
export function varlongSize(value: number): number {
  if ((value | 0) === value) return varintSize(value);
  // Zig-zag without forming 2|v| (not exact above 2^52): the first byte holds 6 bits of magnitude.
  let m = Math.floor((value < 0 ? -value - 1 : value) / 64);
  let n = 1;
  while (m > 0) {
    m = Math.floor(m / 128);
    n++;
  }
  return n;
}

/** Zig-zag encodes a signed 32-bit integer (0→0, -1→1, 1→2, ...). */
export function zigzag32(value: number): number {
  return ((value << 1) ^ (value >> 31)) >>> 0;
}

/** Reverses {@link zigzag32}. */
export function unzigzag32(value: number): number {
  return (value >>> 1) ^ -(value & 1);
}
