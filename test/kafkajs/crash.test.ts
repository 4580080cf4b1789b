/**
 * A handler that fails, in `tskafka/kafkajs` as in KafkaJS: the failure is retried from the first
 * unresolved message under the consumer's `retry` settings, then the consumer crashes (CRASH with
 * `{ error, groupId, restart }`, after STOP and DISCONNECT); it restarts after the backoff when the
 * failure was retriable and `retry.restartOnFailure` agrees, and reads the failed message again.
 * A `TypeError` (a programming error) crashes it at once, without a restart.
 */
import { describe, expect, it } from 'vitest';
import { both, type ScenarioContext, until } from './harness.js';

async function produce({ kafka }: ScenarioContext, topic: string) {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: ['0', '1', '2', '3', '4'].map((value) => ({ value })) });
  await producer.disconnect();
}

async function committed({ kafka }: ScenarioContext, groupId: string, topic: string) {
  const admin = kafka.admin();
  await admin.connect();
  const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
  await admin.disconnect();
  return t.partitions[0].offset;
}

interface Crash {
  name: string;
  message: string;
  retriable: boolean;
  causeName?: string;
  retryCount?: number;
  groupId: string;
  restart: boolean;
}

/** Runs a consumer whose handler calls `fail(offset, attempt)` on each message. */
async function scenario(
  ctx: ScenarioContext,
  options: {
    restartOnFailure?: (e: Error) => Promise<boolean>;
    fail: (offset: string, attempt: number) => Error | null;
    done: (delivered: string[], crashes: Crash[]) => boolean;
  },
) {
  await produce(ctx, 'fails');
  const consumer = ctx.kafka.consumer({
    groupId: 'crashing',
    maxWaitTimeInMs: 100,
    retry: { retries: 1, initialRetryTime: 50, restartOnFailure: options.restartOnFailure },
  });
  const lifecycle: string[] = [];
  const crashes: Crash[] = [];
  const { CONNECT, GROUP_JOIN, STOP, DISCONNECT, CRASH } = consumer.events;
  for (const name of [CONNECT, GROUP_JOIN, STOP, DISCONNECT, CRASH])
    consumer.on(name, ({ type }) => lifecycle.push(type));
  consumer.on(CRASH, ({ payload }) => {
    const { error, groupId, restart } = payload as { error: Error; groupId: string; restart: boolean };
    const e = error as Error & { retriable: boolean; retryCount?: number; cause?: Error };
    crashes.push({
      name: e.name,
      message: e.message,
      retriable: e.retriable,
      causeName: e.cause?.name,
      retryCount: e.retryCount,
      groupId,
      restart,
    });
  });
  await consumer.connect();
  await consumer.subscribe({ topics: ['fails'], fromBeginning: true });
  const delivered: string[] = [];
  const attempts = new Map<string, number>();
  await consumer.run({
    eachMessage: async ({ message }) => {
      delivered.push(message.offset);
      const attempt = (attempts.get(message.offset) ?? 0) + 1;
      attempts.set(message.offset, attempt);
      const error = options.fail(message.offset, attempt);
      if (error !== null) throw error;
    },
  });
  await until('the scenario is over', () => options.done(delivered, crashes));
  await consumer.disconnect();
  return { delivered, crashes, lifecycle, committed: await committed(ctx, 'crashing', 'fails') };
}

describe('tskafka/kafkajs consumer crashes, differential against kafkajs 2.2.4', () => {
  it('retries exhausted, restartOnFailure false: CRASH without restart, the failed offset not committed', async () => {
    const asked: string[] = [];
    const r = await both((ctx) =>
      scenario(ctx, {
        restartOnFailure: async (e) => {
          asked.push(e.name);
          return false;
        },
        fail: (offset) => (offset === '2' ? new Error('cannot handle 2') : null),
        done: (_, crashes) => crashes.length === 1,
      }),
    );
    expect(r.kafkajs.delivered).toEqual(['0', '1', '2', '2']);
    expect(r.kafkajs.crashes).toEqual([
      {
        name: 'KafkaJSNumberOfRetriesExceeded',
        message: 'cannot handle 2',
        retriable: false,
        causeName: 'Error',
        retryCount: 1,
        groupId: 'crashing',
        restart: false,
      },
    ]);
    expect(r.kafkajs.committed).toBe('2');
    expect(asked).toEqual(['KafkaJSNumberOfRetriesExceeded', 'KafkaJSNumberOfRetriesExceeded']);
    expect(r.ours).toEqual(r.kafkajs);
  });

  it('retries exhausted, restart (the default): the consumer rejoins and reads the failed message again', async () => {
    const r = await both((ctx) =>
      scenario(ctx, {
        fail: (offset, attempt) => (offset === '2' && attempt <= 2 ? new Error('not yet') : null),
        done: (delivered) => delivered.includes('4'),
      }),
    );
    expect(r.kafkajs.delivered).toEqual(['0', '1', '2', '2', '2', '3', '4']);
    expect(r.kafkajs.crashes.map((c) => [c.name, c.restart])).toEqual([
      ['KafkaJSNumberOfRetriesExceeded', true],
    ]);
    expect(r.kafkajs.lifecycle).toEqual([
      'consumer.connect',
      'consumer.connect',
      'consumer.group_join',
      'consumer.stop',
      'consumer.disconnect',
      'consumer.crash',
      'consumer.connect',
      'consumer.group_join',
      'consumer.stop',
      'consumer.disconnect',
    ]);
    expect(r.kafkajs.committed).toBe('5');
    expect(r.ours).toEqual(r.kafkajs);
  });

  it('a TypeError crashes at once, without retries or a restart', async () => {
    const r = await both((ctx) =>
      scenario(ctx, {
        fail: (offset) => (offset === '2' ? new TypeError('x is not a function') : null),
        done: (_, crashes) => crashes.length === 1,
      }),
    );
    expect(r.kafkajs.delivered).toEqual(['0', '1', '2']);
    expect(r.kafkajs.crashes).toEqual([
      {
        name: 'KafkaJSNonRetriableError',
        message: 'x is not a function',
        retriable: false,
        causeName: 'TypeError',
        retryCount: undefined,
        groupId: 'crashing',
        restart: false,
      },
    ]);
    expect(r.kafkajs.committed).toBe('2');
    expect(r.ours).toEqual(r.kafkajs);
  });
});
