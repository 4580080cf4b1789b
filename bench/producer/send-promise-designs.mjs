/**
 * What a per-record `send()` result costs when an application awaits a burst of them
 * (`Promise.all`), by design of that result: N made, all awaited together, settled in one pass,
 * repeated; CPU µs per record (process.cpuUsage) and garbage collections, every design in the
 * same process, N = 1,000 / 10,000 / 50,000. Run: `node bench/producer/send-promise-designs.mjs`.
 *
 * - thenable: the lazy `SendFuture` send() returned before 2026-12-08 (a native promise made on
 *   the first `then`; `await`/`Promise.all` wrap any non-native thenable in a promise and a job);
 * - native: a native promise per record from one shared executor (what send() returns now; a
 *   failure marks it handled only when it happens);
 * - nativeHandled: the same with a no-op rejection handler attached at once to every promise;
 * - subclass: a `Promise` subclass (await and Promise.all wrap it, as a thenable);
 * - subclassCtor: a subclass whose prototype's `constructor` is `Promise` (taken as native).
 */
import { PerformanceObserver } from 'node:perf_hooks';

let gcs = 0;
new PerformanceObserver((l) => {
  gcs += l.getEntries().length;
}).observe({ entryTypes: ['gc'] });

// The SendFuture of before 2026-12-08, cut down: a lazy thenable.
class Listened {
  promise;
  resolve = null;
  reject = null;
}
class Future {
  constructor(owner, index) {
    this.owner = owner;
    this.index = index;
    this.listened = null;
  }
  get observed() {
    return this.listened !== null;
  }
  // biome-ignore lint/suspicious/noThenProperty: a thenable on purpose (the design measured).
  then(a, b) {
    return this.toPromise().then(a, b);
  }
  settle(m, e) {
    const l = this.listened;
    if (l === null || l.resolve === null) return;
    if (e) l.reject(e);
    else l.resolve(m);
    l.resolve = null;
    l.reject = null;
  }
  toPromise() {
    if (this.listened !== null) return this.listened.promise;
    const l = new Listened();
    l.promise = new Promise((res, rej) => {
      l.resolve = res;
      l.reject = rej;
    });
    this.listened = l;
    return l.promise;
  }
}
let tRes, tRej;
function exec(res, rej) {
  tRes = res;
  tRej = rej;
}
const noop = () => {};
class SubPromise extends Promise {}
class SubPromiseC extends Promise {}
Object.defineProperty(SubPromiseC.prototype, 'constructor', { value: Promise });

const designs = {
  thenable(n) {
    const fs = new Array(n);
    for (let i = 0; i < n; i++) fs[i] = new Future(null, i);
    return {
      ps: fs,
      settle(meta) {
        for (let i = 0; i < n; i++) {
          const f = fs[i];
          if (f.observed) f.settle(meta(i), null);
        }
      },
    };
  },
  native(n) {
    const ps = new Array(n),
      res = new Array(n),
      rej = new Array(n);
    for (let i = 0; i < n; i++) {
      ps[i] = new Promise(exec);
      res[i] = tRes;
      rej[i] = tRej;
    }
    return {
      ps,
      settle(meta) {
        for (let i = 0; i < n; i++) res[i](meta(i));
      },
    };
  },
  nativeHandled(n) {
    const ps = new Array(n),
      res = new Array(n),
      rej = new Array(n);
    for (let i = 0; i < n; i++) {
      const p = new Promise(exec);
      p.then(undefined, noop);
      ps[i] = p;
      res[i] = tRes;
      rej[i] = tRej;
    }
    return {
      ps,
      settle(meta) {
        for (let i = 0; i < n; i++) res[i](meta(i));
      },
    };
  },
  subclass(n) {
    const ps = new Array(n),
      res = new Array(n);
    for (let i = 0; i < n; i++) {
      ps[i] = new SubPromise(exec);
      res[i] = tRes;
    }
    return {
      ps,
      settle(meta) {
        for (let i = 0; i < n; i++) res[i](meta(i));
      },
    };
  },
  subclassCtor(n) {
    const ps = new Array(n),
      res = new Array(n);
    for (let i = 0; i < n; i++) {
      ps[i] = new SubPromiseC(exec);
      res[i] = tRes;
    }
    return {
      ps,
      settle(meta) {
        for (let i = 0; i < n; i++) res[i](meta(i));
      },
    };
  },
};
const mode = process.argv[2] ?? 'all'; // "all": Promise.all(promises); "await": an async function awaiting each
async function run(name, n, total) {
  const d = designs[name];
  const meta = (i) => ({ topic: 't', partition: 0, offset: i, timestamp: 1 });
  const g0 = gcs;
  const c0 = process.cpuUsage();
  for (let done = 0; done < total; done += n) {
    const { ps, settle } = d(n);
    let all;
    if (mode === 'all') all = Promise.all(ps);
    else all = Promise.all(ps.map(async (p) => await p));
    await new Promise((r) => setImmediate(r)); // the response arrives later
    settle(meta);
    await all;
  }
  const c = process.cpuUsage(c0);
  await new Promise((r) => setImmediate(r));
  return { us: ((c.user + c.system) / total).toFixed(3), gcs: gcs - g0 };
}
const total = 400_000;
const names = process.argv[3] ? process.argv[3].split(',') : Object.keys(designs);
for (let round = 0; round < 2; round++) {
  for (const n of [1000, 10000, 50000]) {
    const row = [];
    for (const name of names) {
      const r = await run(name, n, total);
      row.push(`${name} ${r.us}µs/${r.gcs}gc`);
    }
    if (round === 1) console.log(`N=${n}: ${row.join(' | ')}`);
  }
}
