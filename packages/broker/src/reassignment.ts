/**
 * Partition reassignment as Kafka's KRaft controller runs it (`PartitionReassignmentReplicas`,
 * `ReplicationControlManager.alterPartitionReassignments`): with RS the replicas before and TRS
 * the target, the partition first gets AR = TRS + (RS - TRS), the adding replicas TRS - RS
 * starting as followers that catch up and join the ISR; once the ISR holds every target replica
 * the reassignment completes: the replicas become TRS, the ISR keeps only target members, the
 * leader moves to a target replica if it was not one, and the removing replicas RS - TRS stop
 * and delete their logs. Cancelling reverts to RS. These functions compute the states; the
 * controller (`ClusterMetadata`) applies them.
 */
import type { PartitionState } from './metadata.js';

/** The replica sets of a partition during a reassignment (Kafka's `addingReplicas`, `removingReplicas`). */
export interface ReassignmentState {
  /** All replicas during the move: the target first, then those being removed. */
  replicas: number[];
  /** Target replicas not yet in the original set. */
  addingReplicas: number[];
  /** Original replicas not in the target. */
  removingReplicas: number[];
}

/** Whether `p` is being reassigned. */
export function isReassigning(p: PartitionState): boolean {
  return (p.addingReplicas?.length ?? 0) > 0 || (p.removingReplicas?.length ?? 0) > 0;
}

/** The replicas `p` had before its ongoing reassignment (its replicas when there is none). */
export function originalReplicas(p: PartitionState): number[] {
  const adding = p.addingReplicas ?? [];
  return p.replicas.filter((r) => !adding.includes(r));
}

/** The target replicas of `p`'s ongoing reassignment (its replicas when there is none). */
export function targetReplicas(p: PartitionState): number[] {
  const removing = p.removingReplicas ?? [];
  return p.replicas.filter((r) => !removing.includes(r));
}

/**
 * The state that starts moving `p` to `target`. A new target replaces an ongoing reassignment:
 * the original replicas stay what they were before it.
 */
export function startReassignment(p: PartitionState, target: readonly number[]): ReassignmentState {
  const original = originalReplicas(p);
  const removingReplicas = original.filter((r) => !target.includes(r));
  return {
    replicas: [...target, ...removingReplicas],
    addingReplicas: target.filter((r) => !original.includes(r)),
    removingReplicas,
  };
}

/** What completing a reassignment changes: replicas, ISR and, if the leader leaves, the leader. */
export interface CompletedReassignment {
  replicas: number[];
  isr: number[];
  /** The new leader, or the current one when it stays. */
  leader: number;
}

/**
 * The completed state of `p` when every target replica is in its ISR, else null. The leader
 * stays if it is a target replica; else the first live target replica in the ISR leads.
 */
export function maybeCompleteReassignment(
  p: PartitionState,
  isAlive: (id: number) => boolean,
): CompletedReassignment | null {
  if (!isReassigning(p)) return null;
  const target = targetReplicas(p);
  if (!target.every((r) => p.isr.includes(r))) return null;
  const isr = p.isr.filter((r) => target.includes(r));
  const leader = target.includes(p.leader)
    ? p.leader
    : (target.find((r) => isr.includes(r) && isAlive(r)) ?? -1);
  return { replicas: target, isr, leader };
}

/**
 * The state after cancelling `p`'s reassignment: the original replicas, the ISR without the
 * adding replicas (the original leader's ISR if that leaves it empty), and a leader among them.
 */
export function cancelReassignment(
  p: PartitionState,
  isAlive: (id: number) => boolean,
): CompletedReassignment {
  const replicas = originalReplicas(p);
  const kept = p.isr.filter((r) => replicas.includes(r));
  const isr = kept.length > 0 ? kept : p.isr;
  const leader = replicas.includes(p.leader)
    ? p.leader
    : (replicas.find((r) => isr.includes(r) && isAlive(r)) ?? -1);
  return { replicas, isr, leader };
}
