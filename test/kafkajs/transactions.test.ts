/**
 * `tskafka/kafkajs`'s transactions against KafkaJS's own: committed messages are read, aborted
 * ones are not, and offsets sent with a transaction are committed with it.
 */
import { describe, expect, it } from 'vitest';
import { both, until } from './harness.js';

describe('tskafka/kafkajs transactions, differential against kafkajs 2.2.4', () => {
  it('commit, abort and sendOffsets: what a read_committed consumer and the group see', async () => {
    const r = await both(async ({ kafka }) => {
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'tx', numPartitions: 1 }] });
      const producer = kafka.producer({
        transactionalId: 'tx-app',
        idempotent: true,
        maxInFlightRequests: 1,
      });
      await producer.connect();
      const committed = await producer.transaction();
      const sent = await committed.send({ topic: 'tx', messages: [{ value: 'a' }, { value: 'b' }] });
      await committed.commit();
      const aborted = await producer.transaction();
      await aborted.send({ topic: 'tx', messages: [{ value: 'dropped' }] });
      const activeBefore = aborted.isActive();
      await aborted.abort();
      const withOffsets = await producer.transaction();
      await withOffsets.send({ topic: 'tx', messages: [{ value: 'c' }] });
      await withOffsets.sendOffsets({
        consumerGroupId: 'tx-group',
        topics: [{ topic: 'tx', partitions: [{ partition: 0, offset: '2' }] }],
      });
      await withOffsets.commit();
      const states = [activeBefore, aborted.isActive(), withOffsets.isActive()];
      await producer.disconnect();

      const consumer = kafka.consumer({ groupId: 'reader', maxWaitTimeInMs: 100 });
      await consumer.connect();
      await consumer.subscribe({ topics: ['tx'], fromBeginning: true });
      const values: string[] = [];
      await consumer.run({ eachMessage: async ({ message }) => void values.push(String(message.value)) });
      await until('the committed messages are read', () => values.length >= 3);
      await consumer.disconnect();
      const offsets = await admin.fetchOffsets({ groupId: 'tx-group', topics: ['tx'] });
      await admin.disconnect();
      return {
        sent: sent.map(({ logStartOffset: _, ...rest }) => rest),
        states,
        values,
        offsets: offsets.map((t) => t.partitions.map((p) => p.offset)),
      };
    });
    expect(r.kafkajs.values).toEqual(['a', 'b', 'c']);
    expect(r.kafkajs.offsets).toEqual([['2']]);
    expect(r.ours).toEqual(r.kafkajs);
  });
});
