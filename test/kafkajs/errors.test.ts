/**
 * Error parity with KafkaJS 2.2.4: the same failure surfaces as the same KafkaJS error class, with
 * the same `type` and `retriable`, under `kafkajs` and `tskafka/kafkajs`.
 */
import * as kafkajs from 'kafkajs';
import * as ours from 'tskafka/kafkajs';
import { describe, expect, it } from 'vitest';
import { both, describeError, type KafkaJSModule } from './harness.js';

describe('errors, differential against kafkajs 2.2.4', () => {
  it('a dead broker: connect fails with the same error class', async () => {
    const result: Record<string, unknown> = {};
    for (const [name, lib] of [
      ['kafkajs', kafkajs],
      ['ours', ours as unknown as KafkaJSModule],
    ] as const) {
      const kafka = new lib.Kafka({
        clientId: 'dead',
        brokers: ['127.0.0.1:1'],
        logLevel: lib.logLevel.NOTHING,
        connectionTimeout: 300,
        retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 200 },
      });
      const producer = kafka.producer();
      const e = await producer.connect().then(
        () => null,
        (err: unknown) => err,
      );
      result[name] = { ...describeError(e), isKafkaJSError: e instanceof lib.KafkaJSError };
    }
    expect(result.ours).toMatchObject({ isKafkaJSError: true });
    expect(result.ours).toEqual(result.kafkajs);
  }, 60_000);

  it('a message too large for the broker: KafkaJSProtocolError MESSAGE_TOO_LARGE, not retriable', async () => {
    const r = await both(
      async ({ kafka }) => {
        const admin = kafka.admin();
        await admin.connect();
        await admin.createTopics({ topics: [{ topic: 'small', numPartitions: 1 }] });
        await admin.disconnect();
        const producer = kafka.producer();
        await producer.connect();
        const e = await producer
          .send({ topic: 'small', messages: [{ value: Buffer.alloc(20_000, 1) }] })
          .then(
            () => null,
            (err: unknown) => err,
          );
        await producer.disconnect();
        return describeError(e);
      },
      { 'message.max.bytes': 2048 },
    );
    expect(r.ours).toEqual(r.kafkajs);
  }, 60_000);
});
