// Record-like test data for the compression benchmarks: JSON events with a few repeated field
// names, small integers, timestamps, ids and a short random token, the kind of values Kafka
// producers batch. Deterministic (xorshift32), so runs compare.

/** Returns `size` bytes of record-like data generated from `seed`. */
export function recordLikeData(size, seed = 1) {
  let s = seed >>> 0 || 1;
  const rnd = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  const events = ['page_view', 'click', 'add_to_cart', 'checkout', 'login', 'logout', 'search'];
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const out = Buffer.alloc(size);
  let off = 0;
  let ts = 1_700_000_000_000;
  while (off < size) {
    ts += rnd() % 50;
    let token = '';
    for (let i = 0; i < 16; i++) token += alphabet[rnd() % alphabet.length];
    const line = `{"id":${rnd() % 1_000_000},"user":"user-${rnd() % 5000}","event":"${events[rnd() % events.length]}","ts":${ts},"amount":${(rnd() % 100_000) / 100},"session":"${token}","ok":${rnd() % 2 === 0}}\n`;
    off += out.write(line, off);
  }
  return out;
}
