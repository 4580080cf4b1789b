/**
 * `new Kafka(config)` of `tskafka/kafkajs`: SASL (plain, SCRAM-SHA-256/512) and a bad password
 * against KafkaJS's own, brokers given by an async function, and logs through `logCreator` at
 * `logLevel`.
 */
import { startBroker } from '@tskafka/broker';
import * as kafkajs from 'kafkajs';
import * as ours from 'tskafka/kafkajs';
import { describe, expect, it } from 'vitest';
import { describeError, type KafkaJSModule } from './harness.js';

const libs: [string, KafkaJSModule][] = [
  ['kafkajs', kafkajs],
  ['ours', ours as unknown as KafkaJSModule],
];

describe('tskafka/kafkajs Kafka config', () => {
  it('SASL plain and SCRAM authenticate, and a wrong password fails alike', async () => {
    const results: Record<string, unknown[]> = {};
    for (const [name, lib] of libs) {
      const broker = await startBroker({
        config: { 'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512', 'num.partitions': 1 },
        users: { alice: 'alice-secret' },
      });
      try {
        const out: unknown[] = [];
        for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512'] as const) {
          for (const password of ['alice-secret', 'wrong']) {
            const kafka = new lib.Kafka({
              brokers: broker.bootstrapServers,
              sasl: { mechanism, username: 'alice', password } as kafkajs.SASLOptions,
              logLevel: lib.logLevel.NOTHING,
              retry: { retries: 0 },
            });
            const producer = kafka.producer();
            try {
              await producer.connect();
              const [sent] = await producer.send({ topic: `sasl-${mechanism}`, messages: [{ value: 'x' }] });
              out.push([mechanism, password, sent.baseOffset]);
            } catch (e) {
              out.push([mechanism, password, describeError(e).name]);
            } finally {
              await producer.disconnect().catch(() => undefined);
            }
          }
        }
        results[name] = out;
      } finally {
        await broker.close();
      }
    }
    expect(results.kafkajs).toContainEqual(['plain', 'alice-secret', '0']);
    expect(results.kafkajs).toContainEqual(['scram-sha-512', 'wrong', 'KafkaJSSASLAuthenticationError']);
    expect(results.ours).toEqual(results.kafkajs);
  });

  it('brokers from an async function; log lines through logCreator, filtered by logLevel', async () => {
    const broker = await startBroker({ config: { 'num.partitions': 1 } });
    try {
      const entries: ours.LogEntry[] = [];
      const kafka = new ours.Kafka({
        clientId: 'logs',
        brokers: async () => broker.bootstrapServers,
        logLevel: ours.logLevel.WARN,
        logCreator: (level) => (entry) => {
          expect(level).toBe(ours.logLevel.WARN);
          entries.push(entry);
        },
      });
      const producer = kafka.producer();
      await producer.connect();
      const [sent] = await producer.send({ topic: 'logs', messages: [{ value: 'x' }] });
      await producer.disconnect();
      expect(sent).toMatchObject({ topicName: 'logs', partition: 0, baseOffset: '0', errorCode: 0 });
      const logger = kafka.logger();
      logger.info('not shown at WARN');
      logger.warn('shown', { detail: 7 });
      expect(entries.filter((e) => e.namespace === 'Kafka')).toEqual([
        {
          namespace: 'Kafka',
          level: ours.logLevel.WARN,
          label: 'WARN',
          log: { detail: 7, message: 'shown', timestamp: expect.any(String) },
        },
      ]);
    } finally {
      await broker.close();
    }
  });
});
