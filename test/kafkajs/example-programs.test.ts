/**
 * KafkaJS programs run unchanged on `tskafka/kafkajs`: the CommonJS programs of
 * examples/kafkajs-app (an admin, a producer and a consumer written against KafkaJS's API, with
 * TLS and SASL PLAIN as KafkaJS's own examples connect) run as child processes against a
 * three-broker reference cluster with a SASL_SSL listener, once with the real `kafkajs` and once
 * with a copy whose only change is `require('kafkajs')` → `require('tskafka/kafkajs')`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Cluster, startCluster } from '@tskafka/broker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCertificates, type TestCertificates } from '../tls-certs.js';
import { until } from './harness.js';

const ROOT = resolve(import.meta.dirname, '../..');
const APP = join(ROOT, 'examples/kafkajs-app');
const PROGRAMS = ['admin.cjs', 'producer.cjs', 'consumer.cjs'];

let certs: TestCertificates;
let cluster: Cluster;

beforeAll(async () => {
  certs = makeTestCertificates();
  cluster = await startCluster({
    brokers: [1, 2, 3].map((nodeId) => ({
      nodeId,
      listeners: [
        { name: 'PLAINTEXT' },
        {
          name: 'SASL_SSL',
          ssl: { key: certs.server.key, cert: certs.server.cert },
          saslMechanisms: ['PLAIN'],
        },
      ],
    })),
    users: { test: 'testtest' },
    config: { 'inter.broker.listener.name': 'PLAINTEXT', 'default.replication.factor': 1 },
  });
});

afterAll(async () => {
  await cluster?.close();
  certs?.remove();
});

/** A program's output so far, and its exit. */
interface Running {
  out: string[];
  exited: Promise<number | null>;
  child: ChildProcess;
}

/** Runs `program` from `dir` with the cluster's SASL_SSL addresses and CA in its environment. */
function start(dir: string, program: string, topic: string): Running {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', join(dir, program)], {
    // tsx from the repository; `kafkajs` and `tskafka` from the bench's dependencies.
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_PATH: join(ROOT, 'bench/node_modules'),
      KAFKA_BROKERS: cluster.bootstrapServersFor('SASL_SSL').join(','),
      KAFKA_CA: certs.ca.certFile,
      TOPIC: topic,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  const collect = (chunk: Buffer) => out.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { out, exited, child };
}

/** The programs as `lib` runs them: a copy in a temporary directory, `require('kafkajs')` swapped. */
function copyFor(lib: 'kafkajs' | 'tskafka/kafkajs'): { dir: string; changed: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'kafkajs-app-'));
  copyFileSync(join(APP, 'config.cjs'), join(dir, 'config.cjs'));
  const changed: string[] = [];
  for (const p of PROGRAMS) {
    const original = readFileSync(join(APP, p), 'utf8');
    const swapped = original.replace("require('kafkajs')", `require('${lib}')`);
    const before = original.split('\n');
    changed.push(...swapped.split('\n').filter((line, i) => line !== before[i]));
    writeFileSync(join(dir, p), swapped);
  }
  return { dir, changed };
}

describe('KafkaJS programs with the module swapped', () => {
  for (const lib of ['kafkajs', 'tskafka/kafkajs'] as const) {
    it(`admin, producer and consumer over SASL_SSL with ${lib}`, async () => {
      const { dir, changed } = copyFor(lib);
      const topic = `topic-${lib.replace('/', '-')}`;
      try {
        // Nothing but the module changes.
        expect(changed).toEqual(lib === 'kafkajs' ? [] : Array(3).fill(`const kafkajs = require('${lib}');`));

        const admin = start(dir, 'admin.cjs', topic);
        expect(await admin.exited, admin.out.join('\n')).toBe(0);
        expect(admin.out).toEqual([
          `created ${topic}: true`,
          // Both runs share the cluster: the other run's topic may be there too.
          expect.stringMatching(new RegExp(`^topics: (.+,)?${topic}(,.+)?$`)),
          expect.stringMatching(/^partitions: 0@[123] 1@[123] 2@[123]$/),
          expect.stringMatching(/^brokers: 1,2,3 controller: [123]$/),
        ]);

        const producer = start(dir, 'producer.cjs', topic);
        const consumer = start(dir, 'consumer.cjs', topic);
        const received = () => consumer.out.filter((l) => l.startsWith('received '));
        await until(`the consumer prints 9 messages (${lib})`, () => received().length >= 9, 60_000);
        producer.child.kill('SIGTERM');
        consumer.child.kill('SIGTERM');
        expect(await producer.exited).toBe(0);
        expect(await consumer.exited).toBe(0);
        expect(producer.out.filter((l) => l.startsWith('sent to ')).length).toBeGreaterThanOrEqual(3);
        expect(producer.out.at(-1)).toBe('producer disconnected');
        expect(consumer.out.find((l) => l.startsWith('joined '))).toBe(
          `joined test-group: {"${topic}":[0,1,2]}`,
        );
        expect(received()[0]).toMatch(
          new RegExp(
            `^received ${topic}\\[[012]\\]@0 key-\\d+=value-\\d+-\\S+ \\{"correlation-id":"\\d+-\\d+"\\}$`,
          ),
        );
        expect(consumer.out.at(-1)).toBe('consumer disconnected');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);
  }
});
