/**
 * The `sticky` assignor (Java's `StickyAssignor`, eager): balanced and sticky. Its user data
 * carries the member's previous assignment and generation in Java's StickyAssignor format, since
 * under the eager protocol a member has given its partitions up (and sends no owned partitions)
 * by the time it rejoins.
 */
import { AbstractStickyAssignor } from './abstract-sticky.js';
import { decodeStickyUserData, encodeStickyUserData, type MemberData } from './sticky-user-data.js';
import {
  type Assignment,
  type ConsumerPartitionAssignor,
  type GroupGeneration,
  RebalanceProtocol,
  type Subscription,
  type TopicPartition,
} from './types.js';

/** Java's `StickyAssignor`; keep one instance per consumer, it remembers the last assignment. */
export class StickyAssignor extends AbstractStickyAssignor {
  /** The protocol name, as Java's. */
  static readonly NAME = 'sticky';
  /** {@inheritDoc ConsumerPartitionAssignor.name} */
  readonly name = StickyAssignor.NAME;
  /** {@inheritDoc ConsumerPartitionAssignor.supportedProtocols} */
  readonly supportedProtocols: readonly RebalanceProtocol[] = [RebalanceProtocol.EAGER];
  /** The user data version written (v1: previous assignment and generation). */
  readonly version = 1;
  private memberAssignment: TopicPartition[] | null = null;
  private generation: number | undefined;

  /** {@inheritDoc ConsumerPartitionAssignor.onAssignment} */
  onAssignment(assignment: Assignment, generation: GroupGeneration): void {
    this.memberAssignment = assignment.partitions;
    this.generation = generation.generationId;
  }

  /** The previous assignment and generation, or null before the first assignment. */
  subscriptionUserData(_topics: readonly string[]): Buffer | null {
    if (this.memberAssignment === null) return null;
    return encodeStickyUserData(this.memberAssignment, this.generation ?? -1);
  }

  /** Always from the user data, as Java: an eager member has revoked everything before it rejoins. */
  memberData(subscription: Subscription): MemberData {
    const userData = subscription.userData;
    if (!userData || userData.length === 0) return { partitions: [] };
    return decodeStickyUserData(userData);
  }
}

/** A new `sticky` assignor (stateful: one per consumer). */
export function sticky(): ConsumerPartitionAssignor {
  return new StickyAssignor();
}
