/**
 * A mixed consumer group: our consumer and a confluent-kafka-python consumer (librdkafka under
 * Python, `test/interop/python/group_consume.py`) in one group on our reference broker, with the
 * `range` assignor both speak. The partitions are split between them, and every record is read
 * exactly once: the Python member commits what it read before it leaves, so when its partitions
 * come back to our member, it resumes after them.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { Kafka, stringDeserializer, type TopicPartition } from 'tskafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./interop/python/group_consume.py', import.meta.url));

let broker: RunningBroker;

beforeAll(async () => {
  const r = spawnSync(PYTHON, ['-c', 'import confluent_kafka'], { encoding: 'utf8' });
  if (r.error || r.status !== 0)
    throw new Error(
      `confluent-kafka-python is needed under ${PYTHON}: apt-get install python3-confluent-kafka`,
    );
  broker = await startBroker({ config: { 'group.initial.rebalance.delay.ms': 0 } });
});
afterAll(async () => {
  await broker?.close();
});

/** Runs group_consume.py until its partitions are read to the end; resolves with the values it read. */
function pythonMember(topic: string, group: string): Promise<string[]> {
  const child = spawn(PYTHON, [SCRIPT, broker.bootstrapServers[0], topic, group, '-1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`group_consume.py exited with ${code}: ${stderr.trim()}`));
      const lines = stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { value?: string });
      resolve(lines.flatMap((l) => (l.value === undefined ? [] : [l.value])));
    });
  });
}

describe('a group with a confluent-kafka-python member', () => {
  it('splits the partitions with range; every record is read once', async () => {
    const topic = 'py-mixed';
    const group = 'py-mixed-group';
    broker.cluster.metadata.createTopic(topic, { numPartitions: 4, replicationFactor: 1 });
    const kafka = new Kafka({ bootstrapServers: broker.bootstrapServers, clientId: 'py-mixed' });
    const producer = kafka.producer();
    await producer.connect();
    await Promise.all(
      Array.from({ length: 400 }, (_, i) =>
        producer.send({ topic, partition: i % 4, key: `k${i}`, value: `v${i}` }),
      ),
    );
    await producer.close();

    const consumer = kafka.consumer({
      groupId: group,
      autoOffsetReset: 'earliest',
      enableAutoCommit: false,
      valueDeserializer: stringDeserializer,
      heartbeatIntervalMs: 100,
    });
    const shares: TopicPartition[][] = [];
    await consumer.connect();
    await consumer.subscribe([topic], {
      // Alone in the group, our member holds back, so that the Python member gets records to read.
      onPartitionsAssigned: (ps) => {
        shares.push(ps);
        if (ps.length === 4) consumer.pause(ps);
      },
      onPartitionsRevoked: async () => {
        await consumer.commitSync();
      },
    });
    await consumer.poll(0);
    expect(consumer.assignment()).toHaveLength(4);

    let pythonValues: string[] | null = null;
    let pythonError: unknown = null;
    const python = pythonMember(topic, group).then(
      (v) => {
        pythonValues = v;
      },
      (e: unknown) => {
        pythonError = e;
      },
    );
    const ours: string[] = [];
    while ((pythonValues === null && pythonError === null) || ours.length < 200) {
      for (const r of await consumer.poll(100)) ours.push(r.value as string);
      if (ours.length > 200) break;
    }
    await python;
    expect(pythonError).toBeNull();
    // After the Python member left, our member gets all four partitions back and resumes each
    // after what was read: the Python member's commits included.
    while (consumer.assignment().length !== 4)
      for (const r of await consumer.poll(100)) ours.push(r.value as string);
    consumer.resume(consumer.assignment());
    for (const tp of consumer.assignment()) expect(await consumer.position(tp)).toBe(100);
    expect(await consumer.poll(0)).toEqual([]);
    await consumer.close();
    expect(shares.some((s) => s.length === 2)).toBe(true);
    expect(ours).toHaveLength(200);
    expect(pythonValues).toHaveLength(200);
    const all = [...ours, ...(pythonValues ?? [])].sort();
    expect(all).toEqual(Array.from({ length: 400 }, (_, i) => `v${i}`).sort());
  });
});
