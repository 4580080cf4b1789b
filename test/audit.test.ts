/**
 * The delivery audit on every change: producers write sequence-numbered records while a seeded
 * fault schedule runs against a three-broker cluster (brokers stopped and started, leaders moved,
 * requests and responses dropped, errors injected, latency, a leader cut off from its followers),
 * then our consumer and kcat read the topic back. Nothing acknowledged may be lost, nothing may be
 * duplicated or reordered, every record must be at the offset it was acknowledged at, and a
 * read_committed reader must see no record of an aborted transaction. Producers: ours (idempotent,
 * acks=all), confluent-kafka-python's (idempotent, acks=all), ours transactional; and ours against
 * an on-disk broker process killed with SIGKILL and restarted.
 *
 * Few seeds and short schedules, chosen so that each kind of fault runs; `scripts/audit.sh` runs
 * 100 seeds of each for release checks (see the README's "Delivery audit").
 */
import { fileURLToPath } from 'node:url';
import {
  auditSummary,
  confluentPythonProducer,
  type DeliveryAuditResult,
  runDeliveryAudit,
  tskafkaProducer,
} from '@tskafka/cli';
import { describe, expect, it } from 'vitest';
import { requirePythonClient } from './interop/python.js';

const CLI_SOURCE = fileURLToPath(new URL('../packages/cli/src/bin.ts', import.meta.url));
const TSKAFKA_FROM_SOURCE = [process.execPath, '--import', 'tsx', '--conditions=source', CLI_SOURCE];

const SHORT = { durationMs: 4000, records: 800 };

/** Fails with the whole report (schedule outcome and per-partition findings) when the audit did. */
function expectClean(r: DeliveryAuditResult): void {
  if (!r.ok || r.acknowledged !== SHORT.records - r.aborted) expect.fail(auditSummary(r));
  expect(r.reports.map((x) => x.reader)).toEqual(['tskafka', 'kcat']);
}

const applied = (r: DeliveryAuditResult, action: string) =>
  r.events.some((e) => e.step.action === action && e.outcome === 'applied');

describe('delivery audit', { timeout: 60_000 }, () => {
  it('our idempotent producer loses, duplicates and reorders nothing under broker stops, isolation and dropped responses (seeds 2, 7)', async () => {
    for (const seed of [2, 7]) {
      const r = await runDeliveryAudit({ seed, ...SHORT });
      expectClean(r);
      expect(applied(r, 'stopBroker') && applied(r, 'isolate') && applied(r, 'dropResponses')).toBe(true);
    }
  });

  it("confluent-kafka-python's idempotent producer passes the same audit (seed 5)", async () => {
    requirePythonClient();
    const r = await runDeliveryAudit({ seed: 5, ...SHORT, producer: confluentPythonProducer() });
    expectClean(r);
    expect(applied(r, 'stopBroker')).toBe(true);
  });

  it('transactions: every committed record once, no aborted record read at read_committed (seed 8)', async () => {
    const r = await runDeliveryAudit({
      seed: 8,
      ...SHORT,
      producer: tskafkaProducer({ transactionalId: 'audit-tx' }),
    });
    expectClean(r);
    expect(r.aborted).toBeGreaterThan(0);
    expect(applied(r, 'stopBroker') && applied(r, 'moveLeader')).toBe(true);
  });

  it('kill -9 of an on-disk broker process, restarted on its data, loses no acknowledged record (seed 1)', async () => {
    const r = await runDeliveryAudit({
      seed: 1,
      mode: 'kill9',
      ...SHORT,
      tskafkaCommand: TSKAFKA_FROM_SOURCE,
    });
    expectClean(r);
    expect(applied(r, 'stopBroker') && applied(r, 'startBroker')).toBe(true);
  });
});
