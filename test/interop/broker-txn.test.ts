/**
 * Transactions on the reference broker with clients we did not write:
 * - confluent-kafka-python's transactional producer (`init_transactions`, `begin_transaction`,
 *   `send_offsets_to_transaction` with its consumer's group metadata, `commit_transaction`,
 *   `abort_transaction`) runs consume-transform-produce against our broker; the group's offsets
 *   are those it sent to the committed transaction;
 * - its read_committed consumer, kcat with `-X isolation.level=read_committed` and our consumer
 *   agree on what is visible, for its transactions and for ours; read_uncommitted readers see the
 *   aborted records too.
 *
 * The scripts live in `python/` and run under `/usr/bin/python3` (Debian's python3-confluent-kafka).
 */
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { Kafka } from 'tskafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTopic } from '../read-topic.js';
import { readTopicWithKcat } from './kcat.js';
import { requirePythonClient, runPython } from './python.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** Runs a script; resolves with its last JSON line. */
async function runScript<T>(name: string, args: string[]): Promise<T> {
  const lines = await runPython(name, args);
  if (lines.length === 0) throw new Error(`${name} printed nothing`);
  return lines[lines.length - 1] as T;
}

let broker: RunningBroker;
let bootstrap: string;
let kafka: Kafka;

beforeAll(async () => {
  requirePythonClient();
  broker = await startBroker({
    logLevel: 'error',
    config: {
      'group.initial.rebalance.delay.ms': 0,
      'transaction.state.log.num.partitions': 4,
      'offsets.topic.num.partitions': 4,
    },
  });
  bootstrap = broker.bootstrapServers[0];
  kafka = new Kafka({ bootstrapServers: bootstrap, clientId: 'txn-interop', logger: quiet });
});
afterAll(async () => {
  await broker?.close();
});

const readWithTskafka = (
  topic: string,
  partitions: number,
  isolation: 'read_committed' | 'read_uncommitted',
) => readTopic(kafka, topic, partitions, isolation);

const readWithPython = async (topic: string, isolation: string) =>
  (await runScript<{ values: string[] }>('read_topic.py', [bootstrap, topic, isolation])).values;

const readWithKcat = async (topic: string, isolation: string) =>
  (await readTopicWithKcat(bootstrap, topic, ['-X', `isolation.level=${isolation}`])).map((r) => r.value);

const sorted = (xs: string[]) => [...xs].sort();

describe('transactions with clients we did not write', () => {
  it("confluent-kafka-python's transactional consume-transform-produce: commits, aborts and its offsets", async () => {
    broker.cluster.metadata.createTopic('py-in', { numPartitions: 2, replicationFactor: 1 });
    broker.cluster.metadata.createTopic('py-out', { numPartitions: 2, replicationFactor: 1 });
    const producer = kafka.producer();
    await producer.connect();
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        producer.send({ topic: 'py-in', partition: i % 2, value: `in${i}` }),
      ),
    );
    await producer.close();

    const result = await runScript<{
      committed: string[];
      aborted: string[];
      offsets: Record<string, number>;
    }>('txn_process.py', [bootstrap, 'py-in', 'py-out', 'py-group', 'py-txn', '10']);
    expect(result.committed).toHaveLength(15);
    expect(result.aborted).toHaveLength(10);
    expect(result.offsets).toEqual({ 0: 5, 1: 5 });

    // Everyone reading committed data agrees: the two committed transactions, nothing aborted.
    const ours = await readWithTskafka('py-out', 2, 'read_committed');
    expect(sorted(ours)).toEqual(sorted(result.committed));
    expect(sorted(await readWithPython('py-out', 'read_committed'))).toEqual(sorted(result.committed));
    expect(sorted(await readWithKcat('py-out', 'read_committed'))).toEqual(sorted(result.committed));
    // Readers of uncommitted data also see the aborted transaction's records.
    const everything = sorted([...result.committed, ...result.aborted]);
    expect(sorted(await readWithTskafka('py-out', 2, 'read_uncommitted'))).toEqual(everything);
    expect(sorted(await readWithPython('py-out', 'read_uncommitted'))).toEqual(everything);
    expect(sorted(await readWithKcat('py-out', 'read_uncommitted'))).toEqual(everything);

    // The offsets sent to the committed transaction are the group's committed offsets.
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.listConsumerGroupOffsets('py-group');
    await admin.close();
    expect(offsets.map((o) => [o.topic, o.partition, o.offset])).toEqual([
      ['py-in', 0, 5],
      ['py-in', 1, 5],
    ]);
  });

  it('our transactions: python, kcat and tskafka read_committed consumers see the same records', async () => {
    broker.cluster.metadata.createTopic('ours-out', { numPartitions: 3, replicationFactor: 1 });
    const producer = kafka.producer({ transactionalId: 'ours-txn' });
    await producer.connect();
    await producer.initTransactions();
    const committed: string[] = [];
    for (let t = 0; t < 4; t++) {
      await producer.beginTransaction();
      const values = Array.from({ length: 9 }, (_, i) => `t${t}-${i}`);
      for (const [i, value] of values.entries())
        producer.send({ topic: 'ours-out', partition: i % 3, value });
      if (t % 2 === 0) {
        await producer.commitTransaction();
        committed.push(...values);
      } else {
        await producer.flush();
        await producer.abortTransaction();
      }
    }
    await producer.close();

    expect(sorted(await readWithTskafka('ours-out', 3, 'read_committed'))).toEqual(sorted(committed));
    expect(sorted(await readWithPython('ours-out', 'read_committed'))).toEqual(sorted(committed));
    expect(sorted(await readWithKcat('ours-out', 'read_committed'))).toEqual(sorted(committed));
    expect(await readWithKcat('ours-out', 'read_uncommitted')).toHaveLength(36);
  });
});
