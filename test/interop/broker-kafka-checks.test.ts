/**
 * Requests Apache Kafka refuses up front, refused the same way by the reference broker, seen by
 * clients we did not write:
 *
 * - CreatePartitions with a replica assignment naming a broker that does not exist gets
 *   INVALID_REPLICA_ASSIGNMENT (confluent-kafka-python's AdminClient), and the topic keeps its
 *   partitions, rather than gaining one that never has a leader.
 */
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePythonClient, runPython } from './python.js';

let broker: RunningBroker;
let bootstrap: string;

beforeAll(async () => {
  requirePythonClient();
  broker = await startBroker({ logLevel: 'silent' });
  bootstrap = broker.bootstrapServers[0];
});

afterAll(async () => {
  await broker?.close();
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
