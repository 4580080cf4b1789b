/**
 * The consumer's metadata refreshes on subscribe, assign and the leader's assignment are best
 * effort (the call goes on with the metadata at hand), but a failure is logged at warn with its
 * cause, never dropped: here against the reference broker with a Metadata request dropped on
 * the wire, and against a stand-in cluster for the closed-client case.
 */
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { Api } from '@tskafka/protocol/internals';
import { ClientClosedError, ConnectionError, type Logger } from '@tskafka/transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Consumer } from '../src/index.js';
import { refreshMetadataOrWarn } from '../src/metadata-refresh.js';

interface Line {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  context?: Record<string, unknown>;
}

function capturingLogger(lines: Line[]): Logger {
  const at =
    (level: Line['level']) =>
    (message: string, context?: Record<string, unknown>): void =>
      void lines.push({ level, message, context });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

let broker: RunningBroker;

beforeAll(async () => {
  broker = await startBroker();
});
afterAll(async () => {
  await broker?.close();
});

describe('a failed metadata refresh', () => {
  it('is logged at warn with its cause when assign() refreshes, and assign() still succeeds', async () => {
    const lines: Line[] = [];
    const consumer = new Consumer({
      bootstrapServers: broker.bootstrapServers,
      clientId: 'refresh',
      logger: capturingLogger(lines),
    });
    try {
      await consumer.connect();
      broker.node.faults.dropNextRequests(Api.Metadata.key, 1);
      await consumer.assign([{ topic: 'orders', partition: 0 }]);
      expect(broker.node.faults.pendingCount(Api.Metadata.key)).toBe(0);

      const warnings = lines.filter((l) => l.level === 'warn' && /metadata refresh/.test(l.message));
      expect(warnings).toHaveLength(1);
      expect(warnings[0].message).toMatch(/assign/);
      expect(warnings[0].context?.topics).toEqual(['orders']);
      expect(warnings[0].context?.error).toBeInstanceOf(ConnectionError);
      expect(consumer.assignment()).toEqual([{ topic: 'orders', partition: 0 }]);
    } finally {
      await consumer.close();
    }
  });

  it('is logged at debug only when the client was closed meanwhile (the consumer closing itself)', async () => {
    const lines: Line[] = [];
    const closed = new ClientClosedError('the client is closed');
    await refreshMetadataOrWarn(
      { refreshMetadata: () => Promise.reject(closed) },
      capturingLogger(lines),
      ['orders'],
      'subscribe',
    );
    expect(lines).toEqual([
      expect.objectContaining({ level: 'debug', context: { topics: ['orders'], error: closed } }),
    ]);
  });
});
