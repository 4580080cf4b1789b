/**
 * What the delivery audit's seed 2 once found (issue 18: three committed records lost): a COMMIT
 * marker that only the partition's leader held was lost when that leader stopped, and the
 * coordinator, which had counted it written, never wrote it again; the new leader kept the
 * transaction open, so its records never became readable at read_committed (or were aborted with
 * the producer's next transaction). Markers wait for the ISR (as Kafka writes them, acks=all), so
 * the coordinator writes the marker again to the new leader. Here the leader is cut off from its
 * followers when the transaction commits, then stopped.
 */
import { type Cluster, startCluster } from '@tskafka/broker';
import { Kafka, silentLogger } from 'tskafka';
import { afterAll, describe, expect, it } from 'vitest';
import { readTopic } from './read-topic.js';
import { until } from './until.js';

let cluster: Cluster | undefined;
afterAll(async () => {
  await cluster?.close();
});

describe('a COMMIT marker its leader alone holds', () => {
  it('is written again to the next leader: the committed records are read at read_committed', {
    timeout: 60_000,
  }, async () => {
    const c = await startCluster({
      brokers: 3,
      logLevel: 'silent',
      config: {
        'transaction.state.log.replication.factor': 3,
        'transaction.state.log.num.partitions': 1,
        'offsets.topic.replication.factor': 3,
        // Followers' fetches barely wait at the leader, so none is parked there when it is cut
        // off (a parked one would still carry the marker out).
        'replica.fetch.wait.max.ms': 10,
      },
    });
    cluster = c;
    const kafka = new Kafka({ bootstrapServers: c.bootstrapServers, logger: silentLogger });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics([{ topic: 'tx', numPartitions: 1, replicationFactor: 3 }]);
    await admin.close();
    const producer = kafka.producer({ transactionalId: 'marker-tx' });
    await producer.connect();
    await producer.initTransactions();
    const leader = c.metadata.topics.get('tx')?.partitions[0].leader as number;
    const state = () => c.metadata.topics.get('__transaction_state')?.partitions[0];
    await until('__transaction_state-0 has three replicas in sync', () => state()?.isr.length === 3);
    // The coordinator must stay reachable by its followers: only the records' leader is cut off.
    if (state()?.leader === leader)
      c.moveLeader('__transaction_state', 0, (state()?.isr ?? []).find((id) => id !== leader) as number);

    await producer.beginTransaction();
    for (const v of ['a', 'b', 'c']) await producer.send({ topic: 'tx', partition: 0, value: v });
    c.broker(leader).faults.isolateReplicas('all');
    await producer.commitTransaction();
    // The marker is in the leader's log (three records, then the marker) but in no follower's.
    const onLeader = () => c.broker(leader).replicaManager.getPartition('tx', 0);
    await until('the leader has the COMMIT marker', () => onLeader()?.logEndOffset === 4);
    expect(onLeader()?.highWatermark).toBe(3);
    await c.stopBroker(leader);
    await producer.close();

    let read: string[] = [];
    await until(
      'the committed records are readable at read_committed',
      async () => {
        read = await readTopic(kafka, 'tx', 1, 'read_committed');
        return read.length === 3;
      },
      40_000,
      250,
    );
    expect(read).toEqual(['a', 'b', 'c']);
  });
});
