/**
 * Restarting the reference broker on its data directory. After a clean stop: topics with their
 * configs, every record at its offset, committed offsets, the producer id counter and the
 * idempotent producers' sequence state are all still there. After a real `kill -9` of a broker
 * process while a producer writes with acks=1 (plus a torn batch at the end of the log, which is
 * what a crash in the middle of a write leaves): every acknowledged record is still there, the log
 * reads cleanly to its end, and new records follow on at the recovered log end.
 *
 * The killed broker runs the `tskafka` command from source in its own process (under tsx, as the
 * examples' child processes do), so it is the code as edited, not the last build; the restarts run
 * in this process, from source.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { ErrorCode } from '@tskafka/protocol';
import { Api, encodeRecordBatch } from '@tskafka/protocol/internals';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { runKcat } from './kcat.js';
import { WireClient } from './wire-client.js';

const CLI_SOURCE = fileURLToPath(new URL('../../packages/cli/src/bin.ts', import.meta.url));

const dirs: string[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tskafka-restart-'));
  dirs.push(dir);
  return dir;
}

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function start(dir: string): Promise<RunningBroker> {
  const broker = await startBroker({
    dataDir: dir,
    config: { 'num.partitions': 3, 'group.initial.rebalance.delay.ms': 0 },
    logLevel: 'error',
  });
  cleanups.push(() => broker.close());
  return broker;
}

/** Every record of `topic` as `partition/offset/key/value` lines, read with kcat to the end. */
async function readAll(bootstrap: string, topic: string): Promise<string[]> {
  const { stdout } = await runKcat([
    '-b',
    bootstrap,
    '-C',
    '-t',
    topic,
    '-o',
    'beginning',
    '-e',
    '-q',
    '-f',
    '%p/%o/%k/%s\n',
  ]);
  return stdout.split('\n').filter(Boolean).sort();
}

/** An idempotent producer's batch of one record, as a producer would send it. */
function idempotentBatch(producerId: number, sequence: number, value: string): Buffer {
  return encodeRecordBatch({
    producerId,
    producerEpoch: 0,
    baseSequence: sequence,
    records: [{ key: Buffer.from('idem'), value: Buffer.from(value) }],
  });
}

async function produceOne(c: WireClient, topic: string, records: Buffer) {
  const res = await c.request(Api.Produce, 9, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  });
  return res.responses[0].partitionResponses[0];
}

describe('restarting the broker on its data directory', () => {
  it('after a clean stop keeps topics, configs, records, committed offsets and producer state', async () => {
    const dir = dataDir();
    let broker = await start(dir);
    const kafka = (b: RunningBroker) =>
      new Kafka({ clientId: 'restart', brokers: b.bootstrapServers, logLevel: logLevel.NOTHING });
    let admin = kafka(broker).admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: 'orders', numPartitions: 3, configEntries: [{ name: 'retention.ms', value: '3600000' }] },
      ],
    });
    const lines = Array.from({ length: 1000 }, (_, i) => `k${i % 17}:order-${i}`);
    await runKcat(['-b', broker.bootstrapServers[0], '-P', '-t', 'orders', '-K:'], {
      input: `${lines.join('\n')}\n`,
    });
    // A group member commits where it got to (not the end, so the offsets tell something).
    const consumer = kafka(broker).consumer({ groupId: 'billing', maxWaitTimeInMs: 100 });
    cleanups.push(() => consumer.disconnect());
    await consumer.connect();
    await consumer.subscribe({ topics: ['orders'], fromBeginning: true });
    const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
    await consumer.run({ autoCommit: false, eachMessage: async () => consumer.pause([{ topic: 'orders' }]) });
    await joined;
    await consumer.commitOffsets([
      { topic: 'orders', partition: 0, offset: '7' },
      { topic: 'orders', partition: 1, offset: '42' },
      { topic: 'orders', partition: 2, offset: '0' },
    ]);
    await consumer.disconnect();
    const c = await WireClient.connect(broker.bootstrapServers[0]);
    const init = await c.request(Api.InitProducerId, 4, {
      transactionalId: null,
      transactionTimeoutMs: 60_000,
    });
    expect(init.errorCode).toBe(ErrorCode.NONE);
    const first = await produceOne(c, 'orders', idempotentBatch(Number(init.producerId), 0, 'idem-0'));
    expect(first.errorCode).toBe(ErrorCode.NONE);
    const before = await readAll(broker.bootstrapServers[0], 'orders');
    expect(before).toHaveLength(1001);
    await admin.disconnect();

    // A client still connected does not hold the stop up; it is disconnected.
    await broker.close();
    await c.closed;

    const stopped = broker;
    broker = await start(dir);
    admin = kafka(broker).admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: ['orders'] });
      expect(topics[0].partitions).toHaveLength(3);
      const configs = await admin.describeConfigs({
        resources: [{ type: 2, name: 'orders', configNames: ['retention.ms'] }],
        includeSynonyms: false,
      });
      expect(configs.resources[0].configEntries[0].configValue).toBe('3600000');
      // Every record, at the same partition and offset.
      expect(await readAll(broker.bootstrapServers[0], 'orders')).toEqual(before);
      const committed = await admin.fetchOffsets({ groupId: 'billing', topics: ['orders'] });
      expect(committed[0].partitions.map((p) => [p.partition, p.offset]).sort()).toEqual([
        [0, '7'],
        [1, '42'],
        [2, '0'],
      ]);
      expect((await admin.listGroups()).groups.map((g) => g.groupId)).toContain('billing');

      const c2 = await WireClient.connect(broker.bootstrapServers[0]);
      try {
        // Producer ids are never handed out twice.
        const again = await c2.request(Api.InitProducerId, 4, {
          transactionalId: null,
          transactionTimeoutMs: 60_000,
        });
        expect(Number(again.producerId)).toBeGreaterThan(Number(init.producerId));
        // The first producer's sequence state was rebuilt from the log: its retry is a duplicate
        // (answered with the original offset, nothing stored), its next batch follows on.
        const end = broker.node.replicaManager.getPartition('orders', 0)?.logEndOffset;
        const retry = await produceOne(c2, 'orders', idempotentBatch(Number(init.producerId), 0, 'idem-0'));
        expect(retry).toMatchObject({ errorCode: 0, baseOffset: first.baseOffset });
        expect(broker.node.replicaManager.getPartition('orders', 0)?.logEndOffset).toBe(end);
        const gap = await produceOne(c2, 'orders', idempotentBatch(Number(init.producerId), 5, 'idem-5'));
        expect(gap.errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
        const next = await produceOne(c2, 'orders', idempotentBatch(Number(init.producerId), 1, 'idem-1'));
        expect(next).toMatchObject({ errorCode: 0, baseOffset: end });
      } finally {
        c2.close();
      }
      // Stopped again (and the first instance's close called twice): the counter still moves on.
      const handedOut = Number(broker.node.metadata.nextProducerId);
      await admin.disconnect();
      await broker.close();
      await stopped.close();
      broker = await start(dir);
      const c3 = await WireClient.connect(broker.bootstrapServers[0]);
      const third = await c3.request(Api.InitProducerId, 4, {
        transactionalId: null,
        transactionTimeoutMs: 60_000,
      });
      c3.close();
      expect(Number(third.producerId)).toBeGreaterThanOrEqual(handedOut);
    } finally {
      await admin.disconnect();
    }
  });

  it('after kill -9 during acks=1 writes, and a torn batch at the log end, keeps every acknowledged record', async () => {
    const dir = dataDir();
    const topic = 'crash';
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--conditions=source',
        CLI_SOURCE,
        'broker',
        '--data-dir',
        dir,
        '--port',
        '0',
        '--override',
        'log.segment.bytes=65536',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    cleanups.push(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const bootstrap = await firstLine(child);
    const kafka = new Kafka({
      clientId: 'crash',
      brokers: [bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    await admin.disconnect();
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    // Write batch after batch until a good number of records is acknowledged, then kill the
    // broker as the next batch is on its way: that one may or may not have been written.
    const acked: string[] = [];
    let n = 0;
    let killed = false;
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_, s) => resolve(s)));
    while (!killed) {
      const values = Array.from({ length: 50 }, () => `r${n++}`);
      const sending = producer.send({
        topic,
        acks: 1,
        messages: values.map((key) => ({ key, value: `${key}:${'x'.repeat(100)}` })),
      });
      if (acked.length >= 5000) {
        child.kill('SIGKILL');
        killed = true;
      }
      try {
        await sending;
        acked.push(...values);
      } catch (e) {
        if (!killed) throw e; // after the kill, the request in flight fails: not acknowledged
      }
    }
    expect(await exited).toBe('SIGKILL');
    await producer.disconnect().catch(() => {});
    expect(acked.length).toBeGreaterThanOrEqual(5000);

    // A crash in the middle of a write leaves part of a batch at the end of the active segment.
    const partitionDir = join(dir, `${topic}-0`);
    const segments = readdirSync(partitionDir)
      .filter((f) => f.endsWith('.log'))
      .sort();
    expect(segments.length).toBeGreaterThan(1); // rolled at log.segment.bytes
    const active = join(partitionDir, segments[segments.length - 1]);
    const sizeBefore = statSync(active).size;
    const torn = encodeRecordBatch({
      baseOffset: 1_000_000,
      records: Array.from({ length: 20 }, (_, i) => ({ key: null, value: Buffer.from(`torn-${i}`) })),
    });
    appendFileSync(active, torn.subarray(0, torn.length - 40));

    const broker = await start(dir);
    const p0 = broker.node.replicaManager.getPartition(topic, 0);
    expect(p0?.log.recovery.truncatedBytes).toBe(torn.length - 40);
    expect(statSync(active).size).toBe(sizeBefore);

    const records = await readAll(broker.bootstrapServers[0], topic);
    const values = records.map((r) => r.split('/')[2]);
    for (const r of records) expect(r.split('/')[3]).toBe(`${r.split('/')[2]}:${'x'.repeat(100)}`);
    // Every acknowledged record is there, exactly once; anything else there is a record that was
    // sent (written but unacknowledged when the broker died), never torn bytes.
    const seen = new Set(values);
    expect(seen.size).toBe(values.length);
    for (const v of acked) expect(seen.has(v)).toBe(true);
    for (const v of values) expect(v).toMatch(/^r\d+$/);
    expect(values.every((v) => Number(v.slice(1)) < n)).toBe(true);
    // Readable to the end: offsets 0..end-1 in each partition, in the order they were sent.
    for (const p of [0, 1]) {
      const inP = records
        .map((r) => r.split('/'))
        .filter((r) => Number(r[0]) === p)
        .sort((a, b) => Number(a[1]) - Number(b[1]));
      expect(inP.map((r) => Number(r[1]))).toEqual(inP.map((_, i) => i));
      const order = inP.map((r) => Number(r[2].slice(1)));
      expect(order).toEqual([...order].sort((a, b) => a - b));
      expect(broker.node.replicaManager.getPartition(topic, p)?.logEndOffset).toBe(inP.length);
    }
    // New writes follow on at the recovered end.
    const end0 = p0?.logEndOffset ?? -1;
    await runKcat(['-b', broker.bootstrapServers[0], '-P', '-t', topic, '-p', '0'], { input: 'after\n' });
    const { stdout } = await runKcat([
      '-b',
      broker.bootstrapServers[0],
      '-C',
      '-t',
      topic,
      '-p',
      '0',
      '-o',
      String(end0),
      '-e',
      '-q',
    ]);
    expect(stdout).toBe('after\n');
  }, 50_000);
});

/** Resolves with the first line the broker command prints (its bootstrap address). */
function firstLine(child: ChildProcessWithoutNullStreams | ReturnType<typeof spawn>): Promise<string> {
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  return new Promise((resolve, reject) => {
    if (!child.stdout) throw new Error('no stdout');
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve(line.trim()));
    child.once('exit', (code) => reject(new Error(`tskafka broker exited with ${code}: ${stderr}`)));
  });
}
