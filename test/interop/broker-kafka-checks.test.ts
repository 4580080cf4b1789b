/**
 * Requests Apache Kafka refuses up front, refused the same way by the reference broker, seen by
 * clients we did not write:
 *
 * - CreatePartitions with a replica assignment naming a broker that does not exist gets
 *   INVALID_REPLICA_ASSIGNMENT (confluent-kafka-python's AdminClient), and the topic keeps its
 *   partitions, rather than gaining one that never has a leader.
 * - With auto-creation off (broker-wide, or the client's allowAutoTopicCreation: false),
 *   Metadata for an illegal name such as `bad topic!` answers INVALID_TOPIC_EXCEPTION, not
 *   UNKNOWN_TOPIC_OR_PARTITION, so clients stop at once instead of retrying until they give up
 *   (kcat, our producer, whose send rejects with InvalidTopicError while its clock stands still
 *   so it never waited for max.block.ms, and a raw Metadata v12 request).
 */
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { ErrorCode } from '@tskafka/protocol';
import { Api, ZERO_UUID } from '@tskafka/protocol/internals';
import { InvalidTopicError, ManualClock, Producer } from 'tskafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKcat } from './kcat.js';
import { requirePythonClient, runPython } from './python.js';
import { WireClient } from './wire-client.js';

let broker: RunningBroker;
let bootstrap: string;
/** A broker with `auto.create.topics.enable=false`. */
let noAutoCreate: RunningBroker;

beforeAll(async () => {
  requirePythonClient();
  broker = await startBroker({ logLevel: 'silent' });
  bootstrap = broker.bootstrapServers[0];
  noAutoCreate = await startBroker({ logLevel: 'silent', config: { 'auto.create.topics.enable': false } });
});

afterAll(async () => {
  await broker?.close();
  await noAutoCreate?.close();
});

describe('CreatePartitions (confluent-kafka-python AdminClient)', () => {
  it('an assignment to broker 99 gets INVALID_REPLICA_ASSIGNMENT and the topic is unchanged', async () => {
    broker.node.metadata.createTopic('grow', { numPartitions: 2, replicationFactor: 1 });
    const [result] = await runPython('create_partitions.py', [bootstrap, 'grow', '3', '[[99]]']);
    expect(result).toEqual({ error: 'INVALID_REPLICA_ASSIGNMENT', partitions: 2 });
    expect(broker.node.metadata.topics.get('grow')?.partitions).toHaveLength(2);
  });

  it('an assignment to the broker that exists is applied', async () => {
    broker.node.metadata.createTopic('grow-ok', { numPartitions: 1, replicationFactor: 1 });
    const id = broker.node.nodeId;
    const [result] = await runPython('create_partitions.py', [bootstrap, 'grow-ok', '2', `[[${id}]]`]);
    expect(result).toEqual({ error: null, partitions: 2 });
  });
});

describe('Metadata for an illegal topic name with auto-creation off', () => {
  it('kcat -L gets "Invalid topic" from a broker with auto.create.topics.enable=false', async () => {
    const { stdout } = await runKcat([
      '-b',
      noAutoCreate.bootstrapServers[0],
      '-L',
      '-J',
      '-t',
      'bad topic!',
    ]);
    const topics = (JSON.parse(stdout) as { topics: { topic: string; error?: string }[] }).topics;
    expect(topics).toEqual([{ topic: 'bad topic!', error: 'Broker: Invalid topic', partitions: [] }]);
  });

  it('a legal name that does not exist is still unknown', async () => {
    const { stdout } = await runKcat(['-b', noAutoCreate.bootstrapServers[0], '-L', '-J', '-t', 'absent']);
    const topics = (JSON.parse(stdout) as { topics: { error?: string }[] }).topics;
    expect(topics[0].error).toBe('Broker: Unknown topic or partition');
  });

  it('our producer: a send to "bad topic!" rejects with InvalidTopicError', async () => {
    // The clock never moves: had the broker answered UNKNOWN_TOPIC_OR_PARTITION the send would
    // wait for a max.block.ms that never passes, and the test would time out.
    const producer = new Producer({
      bootstrapServers: noAutoCreate.bootstrapServers,
      clock: new ManualClock(0),
    });
    await producer.connect();
    try {
      await expect(producer.send({ topic: 'bad topic!', value: 'v' })).rejects.toBeInstanceOf(
        InvalidTopicError,
      );
    } finally {
      await producer.close();
    }
  });

  it('Metadata v12 with allowAutoTopicCreation false, to a broker that auto-creates, likewise', async () => {
    const c = await WireClient.connect(bootstrap);
    try {
      const res = await c.request(Api.Metadata, 12, {
        topics: [
          { topicId: ZERO_UUID, name: 'bad topic!' },
          { topicId: ZERO_UUID, name: 'x'.repeat(250) },
          { topicId: ZERO_UUID, name: '..' },
          { topicId: ZERO_UUID, name: 'still-absent' },
        ],
        allowAutoTopicCreation: false,
        includeTopicAuthorizedOperations: false,
      });
      expect(res.topics.map((t) => t.errorCode)).toEqual([
        ErrorCode.INVALID_TOPIC_EXCEPTION,
        ErrorCode.INVALID_TOPIC_EXCEPTION,
        ErrorCode.INVALID_TOPIC_EXCEPTION,
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      ]);
      expect(broker.node.metadata.topics.has('still-absent')).toBe(false);
    } finally {
      c.close();
    }
  });
});
