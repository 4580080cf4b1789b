/**
 * The interceptor chain: order, replacement of the record, and the rule that an interceptor
 * that throws is logged and skipped, never failing the send (Java's `ProducerInterceptors`).
 */
import { loadConfig, producerSchema } from '@tskafka/transport/internals';
import { describe, expect, it } from 'vitest';
import { type ProducerInterceptor, ProducerInterceptors } from '../src/interceptors.js';
import type { ProducerLogger, ProducerRecord, RecordMetadata } from '../src/types.js';

type Logged = { message: string; context?: Record<string, unknown> };

function recordingLogger(): ProducerLogger & { lines: Logged[] } {
  const lines: Logged[] = [];
  return { lines, warn: (message, context) => lines.push({ message, context }) };
}

const record: ProducerRecord<string, string> = { topic: 'orders', key: 'k', value: 'v' };
const metadata: RecordMetadata = { topic: 'orders', partition: 1, offset: 42, timestamp: 1000 };

class Stamp implements ProducerInterceptor<string, string> {
  onSend(r: ProducerRecord<string, string>): ProducerRecord<string, string> {
    return { ...r, headers: { ...r.headers, stamp: 'yes' } };
  }
}

class Broken implements ProducerInterceptor<string, string> {
  onSend(): ProducerRecord<string, string> {
    throw new Error('boom');
  }
  onAcknowledgement(): void {
    throw new Error('ack boom');
  }
  close(): void {
    throw new Error('close boom');
  }
}

describe('ProducerInterceptors', () => {
  it('runs onSend in order, each seeing the record the previous one returned', () => {
    const seen: string[] = [];
    const chain = new ProducerInterceptors<string, string>(
      [
        { onSend: (r) => ({ ...r, value: `${r.value}1` }) },
        {
          onSend: (r) => {
            seen.push(r.value);
            return { ...r, value: `${r.value}2` };
          },
        },
      ],
      recordingLogger(),
    );
    expect(chain.onSend(record).value).toBe('v12');
    expect(seen).toEqual(['v1']);
    expect(record.value).toBe('v'); // the caller's record is untouched
  });

  it('logs and skips an interceptor that throws; the rest still run', () => {
    const logger = recordingLogger();
    const chain = new ProducerInterceptors<string, string>([new Broken(), new Stamp()], logger);
    const out = chain.onSend(record);
    expect(out.headers).toEqual({ stamp: 'yes' });
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0].message).toMatch(/onSend threw/);
    expect(logger.lines[0].context).toMatchObject({ interceptor: 'Broken', topic: 'orders' });
    expect((logger.lines[0].context as { error: Error }).error.message).toBe('boom');
  });

  it('ignores an onSend that returns no record', () => {
    const logger = recordingLogger();
    const chain = new ProducerInterceptors<string, string>(
      [{ onSend: () => undefined as unknown as ProducerRecord<string, string> }],
      logger,
    );
    expect(chain.onSend(record)).toBe(record);
    expect(logger.lines[0].message).toMatch(/returned no record/);
  });

  it('calls every onAcknowledgement with metadata or error, skipping one that throws', () => {
    const logger = recordingLogger();
    const calls: [RecordMetadata | null, Error | null, ProducerRecord<string, string> | undefined][] = [];
    const chain = new ProducerInterceptors<string, string>(
      [new Broken(), { onAcknowledgement: (m, e, r) => calls.push([m, e, r]) }],
      logger,
    );
    chain.onAcknowledgement(metadata, null, record);
    const failure = new Error('NOT_LEADER_OR_FOLLOWER');
    chain.onAcknowledgement(null, failure);
    expect(calls).toEqual([
      [metadata, null, record],
      [null, failure, undefined],
    ]);
    expect(logger.lines.map((l) => l.message)).toEqual([
      'producer interceptor onAcknowledgement threw; skipped',
      'producer interceptor onAcknowledgement threw; skipped',
    ]);
  });

  it('reports a send that failed early as Java does: topic, partition or -1, offset -1', () => {
    const calls: (RecordMetadata | null)[] = [];
    const chain = new ProducerInterceptors<string, string>(
      [{ onAcknowledgement: (m) => calls.push(m) }],
      recordingLogger(),
    );
    chain.onSendError(record, undefined, new Error('serialization'));
    chain.onSendError({ ...record, partition: 2 }, undefined, new Error('buffer'));
    chain.onSendError(record, 5, new Error('too large'));
    expect(calls).toEqual([
      { topic: 'orders', partition: -1, offset: -1, timestamp: -1 },
      { topic: 'orders', partition: 2, offset: -1, timestamp: -1 },
      { topic: 'orders', partition: 5, offset: -1, timestamp: -1 },
    ]);
  });

  it('says whether there is anything to call, so the producer can skip the chain', () => {
    const none = new ProducerInterceptors([], recordingLogger());
    expect(none.hasOnSend).toBe(false);
    expect(none.hasOnAcknowledgement).toBe(false);
    expect(none.onSend(record)).toBe(record);
    const ackOnly = new ProducerInterceptors([{ onAcknowledgement: () => {} }], recordingLogger());
    expect(ackOnly.hasOnSend).toBe(false);
    expect(ackOnly.hasOnAcknowledgement).toBe(true);
  });

  it('closes every interceptor in order, awaiting each, logging failures', async () => {
    const logger = recordingLogger();
    const order: string[] = [];
    const chain = new ProducerInterceptors<string, string>(
      [
        {
          close: async () => {
            await Promise.resolve();
            order.push('a');
          },
        },
        new Broken(),
        { close: () => void order.push('c') },
      ],
      logger,
    );
    await chain.close();
    expect(order).toEqual(['a', 'c']);
    expect(logger.lines[0]).toMatchObject({ message: 'producer interceptor close threw' });
  });

  it('fits the producer config: interceptor objects are accepted as interceptor.classes', () => {
    const stamp = new Stamp();
    const config = loadConfig(producerSchema, { bootstrapServers: 'localhost:9092', interceptors: [stamp] });
    expect(config.interceptors).toEqual([stamp]);
  });

  it('calls methods with the interceptor as `this`', () => {
    class Counter implements ProducerInterceptor {
      sent = 0;
      acked = 0;
      onSend(r: ProducerRecord): ProducerRecord {
        this.sent++;
        return r;
      }
      onAcknowledgement(): void {
        this.acked++;
      }
    }
    const counter = new Counter();
    const chain = new ProducerInterceptors([counter], recordingLogger());
    chain.onSend(record);
    chain.onAcknowledgement(metadata, null);
    expect([counter.sent, counter.acked]).toEqual([1, 1]);
  });
});
