/**
 * A structure-aware fuzzer for the reference broker: requests of every API and version it serves,
 * generated from our schemas (so each one decodes and reaches its handler, unlike the byte-level
 * mutations of broker-fuzz.test.ts), with hostile values in every field: extreme integers, empty,
 * long and reserved names, null where the version allows it, records that are valid, empty or
 * garbage, arrays empty or repeated. What must hold: the broker stays up and keeps serving a
 * connection opened before the storm, no request makes it fail internally (no error log line),
 * its memory stays bounded, and a topic the fuzzer never names keeps every record at its offset.
 *
 * Random seed per run, printed in the test name; FUZZ_SEED replays one, FUZZ_SCHEMA_RUNS sets
 * the number of requests (CI: 1,500).
 */
import { type RunningBroker, startBroker } from '@tskafka/broker';
import {
  Api,
  type ApiDef,
  encodeRecordBatch,
  encodeRequest,
  type FieldType,
  inVersions,
  type StructDef,
} from '@tskafka/protocol/internals';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTopicWithKcat, runKcat } from './kcat.js';
import { WireClient } from './wire-client.js';

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const RUNS = Number(process.env.FUZZ_SCHEMA_RUNS ?? 1500);
/** The topic the fuzzer never names: its records must not change. */
const KEPT = 'kept-topic';
const NAMES = [
  '',
  'fuzz-topic',
  'fuzz-group',
  'fuzz-txn',
  '__consumer_offsets',
  '__transaction_state',
  'a'.repeat(300),
  'ü-ñ',
  '.',
  '..',
  '*',
];

let broker: RunningBroker;
let bootstrap: string;
const log: { level: string; message: string }[] = [];

beforeAll(async () => {
  broker = await startBroker({
    config: { 'num.partitions': 2 },
    logLevel: 'info',
    logger: (level, message) => log.push({ level, message }),
  });
  bootstrap = broker.bootstrapServers[0];
  await runKcat(['-b', bootstrap, '-P', '-t', KEPT], {
    input: Array.from({ length: 30 }, (_, i) => `kept-${i}`).join('\n'),
  });
  await runKcat(['-b', bootstrap, '-P', '-t', 'fuzz-topic'], { input: 'a\nb\nc\n' });
});
afterAll(async () => {
  await broker?.close();
});

/** xorshift32: a small seedable generator. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const INTS: Record<string, number[]> = {
  int8: [0, 1, -1, 127, -128],
  int16: [0, 1, -1, 32767, -32768, 2],
  uint16: [0, 1, 65535],
  int32: [0, 1, -1, 2, 2 ** 31 - 1, -(2 ** 31), 1000, 65536],
  uint32: [0, 1, 2 ** 32 - 1],
  int64: [0, 1, -1, -2, 2 ** 53 - 1, -(2 ** 53 - 1), 1_000_000],
};

/** A value of `type` for `version`, drawn by `next`; `depth` bounds nesting. */
function generate(type: FieldType, version: number, next: () => number, depth: number): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  if (typeof type === 'string') {
    switch (type) {
      case 'bool':
        return next() < 0.5;
      case 'float64':
        return pick([0, -1, 1e308, Number.NaN]);
      case 'string':
        return pick(NAMES);
      case 'bytes':
        return pick([Buffer.alloc(0), Buffer.from('fuzz'), Buffer.alloc(64, 0xff)]);
      case 'uuid':
        return pick(['AAAAAAAAAAAAAAAAAAAAAA', Buffer.alloc(16, 0x5a).toString('base64url')]);
      case 'records':
        return pick([
          Buffer.alloc(0),
          Buffer.alloc(70, 0x7f),
          encodeRecordBatch({ records: [{ key: Buffer.from('k'), value: Buffer.from('fuzz') }] }),
          encodeRecordBatch({
            producerId: 7,
            producerEpoch: 0,
            baseSequence: 0,
            isTransactional: next() < 0.5,
            records: [{ key: null, value: Buffer.from('fuzz') }],
          }),
        ]);
      default:
        return pick(INTS[type] ?? [0]);
    }
  }
  if (type.kind === 'array') {
    const n = depth > 3 ? 0 : pick([0, 1, 1, 2, 3]);
    return Array.from({ length: n }, () => generate(type.element, version, next, depth + 1));
  }
  return generateStruct(type, version, next, depth + 1);
}

function generateStruct(
  def: StructDef,
  version: number,
  next: () => number,
  depth: number,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(def.fields)) {
    if (!inVersions(field.options.versions ?? '0+', version)) continue;
    const nullable = field.options.nullableVersions && inVersions(field.options.nullableVersions, version);
    out[name] = nullable && next() < 0.15 ? null : generate(field.type, version, next, depth);
  }
  return out;
}

describe(`the broker under schema-generated requests (FUZZ_SEED=${SEED})`, { timeout: 120_000 }, () => {
  it('stays up, fails nothing internally, keeps its memory and leaves an unnamed topic as it was', async () => {
    const next = random(SEED);
    const apis = broker.node.supportedApis().filter((a) => a.apiKey !== 17 && a.apiKey !== 36); // SASL frames change the connection's mode
    const defs = new Map(Object.values(Api).map((a) => [(a as ApiDef).key, a as ApiDef]));
    const keptBefore = await readTopicWithKcat(bootstrap, KEPT);
    const watcher = await WireClient.connect(bootstrap);
    const memoryBefore = process.memoryUsage();
    const kinds = new Set<string>();
    for (let done = 0; done < RUNS; ) {
      // A batch of requests on one connection; the broker closes it on the first it refuses.
      const client = await WireClient.connect(bootstrap);
      for (let i = 0; i < 20 && done < RUNS; i++, done++) {
        const a = apis[Math.floor(next() * apis.length)];
        const def = defs.get(a.apiKey);
        if (!def) continue;
        const version = a.minVersion + Math.floor(next() * (a.maxVersion - a.minVersion + 1));
        let frame: Buffer;
        try {
          frame = encodeRequest(
            def,
            version,
            done + 1,
            'schema-fuzz',
            generateStruct(def.request, version, next, 0) as never,
          );
        } catch {
          continue; // a value this version cannot carry (the codec refuses it): not a request
        }
        kinds.add(`${def.name} v${version}`);
        client.write(frame);
      }
      // Answered or refused: give the broker a moment with the batch before the next connection.
      await Promise.race([client.closed, new Promise((r) => setTimeout(r, 200))]);
      client.close();
    }
    expect(kinds.size, `seed ${SEED}`).toBeGreaterThan(apis.length);
    // Still serving, and nothing failed inside the broker.
    const md = await watcher.request(Api.Metadata, 12, {
      topics: [{ name: KEPT }],
      allowAutoTopicCreation: false,
    });
    expect(md.topics[0].errorCode).toBe(0);
    expect(
      log.filter((l) => l.level === 'error').map((l) => l.message),
      `seed ${SEED}`,
    ).toEqual([]);
    const memoryAfter = process.memoryUsage();
    expect(
      (memoryAfter.heapUsed + memoryAfter.arrayBuffers - memoryBefore.heapUsed - memoryBefore.arrayBuffers) /
        2 ** 20,
    ).toBeLessThan(256);
    expect(await readTopicWithKcat(bootstrap, KEPT)).toEqual(keptBefore);
    watcher.close();
  });
});
