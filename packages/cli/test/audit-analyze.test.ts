/**
 * The delivery audit's verdict on hand-made logs: each kind of failure it exists to catch (lost,
 * duplicated, reordered, misplaced, aborted-but-read, foreign) is reported in its partition and
 * fails the audit; a clean log, and records written without an acknowledgement (at-least-once
 * allows them), pass.
 */
import { describe, expect, it } from 'vitest';
import {
  type AuditAck,
  type AuditLogRecord,
  auditDelivery,
  formatAuditReport,
} from '../src/audit/analyze.js';

const ack = (seq: number, partition: number, offset: number): AuditAck => ({
  producer: 'p',
  seq,
  partition,
  offset,
});
const rec = (partition: number, offset: number, value: string): AuditLogRecord => ({
  partition,
  offset,
  value,
});

describe('auditDelivery', () => {
  const acks = [ack(0, 0, 0), ack(1, 1, 0), ack(2, 0, 1), ack(3, 1, 1)];

  it('passes a log that holds every acknowledged record once, in order, where acknowledged', () => {
    const log = [rec(0, 0, 'p:0'), rec(1, 0, 'p:1'), rec(0, 1, 'p:2'), rec(1, 1, 'p:3'), rec(1, 2, 'p:9')];
    const r = auditDelivery('test', acks, log);
    expect(r.ok).toBe(true);
    expect(r.partitions.map((p) => [p.partition, p.acknowledged, p.read, p.unacknowledged])).toEqual([
      [0, 2, 2, 0],
      [1, 2, 3, 1],
    ]);
  });

  it('reports a lost record in the partition it was acknowledged in', () => {
    const r = auditDelivery('test', acks, [rec(0, 0, 'p:0'), rec(1, 0, 'p:1'), rec(0, 1, 'p:2')]);
    expect(r.ok).toBe(false);
    expect(r.partitions[1].lost).toEqual(['p:3']);
    expect(r.partitions[0].lost).toEqual([]);
  });

  it('reports duplicates, reordering and offset mismatches', () => {
    const log = [rec(0, 0, 'p:2'), rec(0, 1, 'p:0'), rec(1, 0, 'p:1'), rec(1, 1, 'p:1'), rec(1, 2, 'p:3')];
    const r = auditDelivery('test', acks, log);
    expect(r.ok).toBe(false);
    expect(r.partitions[0].reordered).toEqual(['p:0']);
    expect(r.partitions[0].offsetMismatches).toEqual([
      { record: 'p:2', acknowledged: 1, found: 0 },
      { record: 'p:0', acknowledged: 0, found: 1 },
    ]);
    expect(r.partitions[1].duplicated).toEqual(['p:1']);
    expect(r.partitions[1].offsetMismatches).toEqual([{ record: 'p:3', acknowledged: 1, found: 2 }]);
  });

  it('reports records of aborted transactions that were read, and values that are no audit record', () => {
    const log = [
      rec(0, 0, 'p:0'),
      rec(0, 1, 'p:2'),
      rec(0, 2, 'p:7:a'),
      rec(1, 0, 'p:1'),
      rec(1, 1, 'p:3'),
      rec(1, 2, 'junk'),
    ];
    const r = auditDelivery('test', acks, log);
    expect(r.ok).toBe(false);
    expect(r.partitions[0].abortedSeen).toEqual(['p:7']);
    expect(r.partitions[0].unacknowledged).toBe(0);
    expect(r.partitions[1].foreign).toEqual(['junk']);
    expect(formatAuditReport(r)).toContain(
      'test partition 0: acknowledged 2, read 3, lost 0, duplicated 0, reordered 0, offset mismatches 0, aborted seen 1 [p:7]',
    );
    expect(formatAuditReport(r)).toMatch(/test: FAILED$/);
  });
});
