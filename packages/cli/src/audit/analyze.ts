/**
 * The delivery audit's verdict: given every acknowledgement a producer logged and the records a
 * reader found in the topic, what was lost (acknowledged, not in the log), duplicated (in the log
 * twice), reordered (after a later record of the same producer in its partition), written at
 * another offset than acknowledged, and read although its transaction was aborted.
 *
 * Each record's value names it: `<producer>:<seq>` for a plain send, `<producer>:<seq>:a` for one
 * sent in a transaction the producer aborted on purpose. Sequence numbers grow by one per record
 * of a producer, and a producer sends its records of one partition in sequence order.
 *
 * @module
 */

/** An acknowledged record: the producer was told it is at `offset` of `partition`. */
export interface AuditAck {
  /** The producer's name (the value's prefix). */
  producer: string;
  /** The record's sequence number within its producer. */
  seq: number;
  /** The partition acknowledged. */
  partition: number;
  /** The offset acknowledged. */
  offset: number;
}

/** A record a reader found in the topic. */
export interface AuditLogRecord {
  /** The partition. */
  partition: number;
  /** The offset. */
  offset: number;
  /** The value (`<producer>:<seq>` or `<producer>:<seq>:a`). */
  value: string;
}

/** A record found at another offset than its acknowledgement said. */
export interface OffsetMismatch {
  /** `<producer>:<seq>`. */
  record: string;
  /** The offset acknowledged. */
  acknowledged: number;
  /** Where the reader found it (its first occurrence). */
  found: number;
}

/** The audit of one partition, as one reader saw it. */
export interface PartitionAudit {
  /** The partition. */
  partition: number;
  /** Records acknowledged in it. */
  acknowledged: number;
  /** Records read from it. */
  read: number;
  /** Acknowledged records not found (`<producer>:<seq>`). */
  lost: string[];
  /** Records found more than once. */
  duplicated: string[];
  /** Records found after a record of the same producer with a higher sequence number. */
  reordered: string[];
  /** Records found at another offset than acknowledged. */
  offsetMismatches: OffsetMismatch[];
  /** Records of deliberately aborted transactions that the reader returned. */
  abortedSeen: string[];
  /** Records found that no acknowledgement named (a send that failed or was never answered). */
  unacknowledged: number;
  /** Values that are no audit record at all. */
  foreign: string[];
}

/** One reader's audit of the topic. */
export interface DeliveryAuditReport {
  /** Which reader read the topic (`tskafka`, `kcat`, ...). */
  reader: string;
  /** Per partition, in partition order. */
  partitions: PartitionAudit[];
  /** True when nothing was lost, duplicated, reordered, misplaced, foreign or aborted-but-seen. */
  ok: boolean;
}

const VALUE = /^([^:]+):(\d+)(:a)?$/;

/** Audits what `reader` found (`log`) against the acknowledgements `acks`. */
export function auditDelivery(
  reader: string,
  acks: readonly AuditAck[],
  log: readonly AuditLogRecord[],
): DeliveryAuditReport {
  const byPartition = new Map<number, PartitionAudit>();
  const partition = (p: number): PartitionAudit => {
    let a = byPartition.get(p);
    if (!a) {
      a = {
        partition: p,
        acknowledged: 0,
        read: 0,
        lost: [],
        duplicated: [],
        reordered: [],
        offsetMismatches: [],
        abortedSeen: [],
        unacknowledged: 0,
        foreign: [],
      };
      byPartition.set(p, a);
    }
    return a;
  };
  const acked = new Map<string, AuditAck>();
  for (const ack of acks) {
    acked.set(`${ack.producer}:${ack.seq}`, ack);
    partition(ack.partition).acknowledged++;
  }
  // The first offset each record was found at, per partition.
  const found = new Map<string, { partition: number; offset: number }>();
  const highestSeq = new Map<string, number>(); // `${partition}/${producer}` -> highest seq read
  const sorted = [...log].sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  for (const r of sorted) {
    const audit = partition(r.partition);
    audit.read++;
    const m = VALUE.exec(r.value);
    if (!m) {
      audit.foreign.push(r.value);
      continue;
    }
    const [, producer, seqText, aborted] = m;
    const seq = Number(seqText);
    const id = `${producer}:${seq}`;
    if (aborted) audit.abortedSeen.push(id);
    if (found.has(id)) {
      audit.duplicated.push(id);
      continue;
    }
    found.set(id, { partition: r.partition, offset: r.offset });
    const order = `${r.partition}/${producer}`;
    if ((highestSeq.get(order) ?? -1) > seq) audit.reordered.push(id);
    else highestSeq.set(order, seq);
    const ack = acked.get(id);
    if (!ack) {
      if (!aborted) audit.unacknowledged++;
    } else if (ack.partition !== r.partition || ack.offset !== r.offset) {
      audit.offsetMismatches.push({ record: id, acknowledged: ack.offset, found: r.offset });
    }
  }
  for (const [id, ack] of acked) if (!found.has(id)) partition(ack.partition).lost.push(id);
  const partitions = [...byPartition.values()].sort((a, b) => a.partition - b.partition);
  const ok = partitions.every(
    (p) =>
      p.lost.length === 0 &&
      p.duplicated.length === 0 &&
      p.reordered.length === 0 &&
      p.offsetMismatches.length === 0 &&
      p.abortedSeen.length === 0 &&
      p.foreign.length === 0,
  );
  return { reader, partitions, ok };
}

/** One line per partition, then the verdict: what a person reads after a run. */
export function formatAuditReport(report: DeliveryAuditReport): string {
  const lines = report.partitions.map((p) => {
    const few = (xs: readonly string[]) =>
      xs.length ? ` [${xs.slice(0, 5).join(' ')}${xs.length > 5 ? ' ...' : ''}]` : '';
    return (
      `  ${report.reader} partition ${p.partition}: acknowledged ${p.acknowledged}, read ${p.read}, ` +
      `lost ${p.lost.length}${few(p.lost)}, duplicated ${p.duplicated.length}${few(p.duplicated)}, ` +
      `reordered ${p.reordered.length}${few(p.reordered)}, offset mismatches ${p.offsetMismatches.length}` +
      `${few(p.offsetMismatches.map((m) => `${m.record}@${m.acknowledged}->${m.found}`))}, ` +
      `aborted seen ${p.abortedSeen.length}${few(p.abortedSeen)}, unacknowledged written ${p.unacknowledged}` +
      (p.foreign.length ? `, foreign ${p.foreign.length}${few(p.foreign)}` : '')
    );
  });
  return [...lines, `  ${report.reader}: ${report.ok ? 'OK' : 'FAILED'}`].join('\n');
}
