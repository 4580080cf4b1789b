/**
 * Java's `AbstractStickyAssignor.ConstrainedAssignmentBuilder` (Apache Kafka, Apache License 2.0):
 * the sticky assignment when every member subscribes to the same topics. See
 * {@link AbstractStickyAssignor}.
 */
import type { RackInfo } from './sticky-support.js';
import { compareIds, partitionsOf } from './sticky-support.js';
import type { MemberId, TopicPartition } from './types.js';
import { javaHashMapOrder, partitionKey } from './util.js';

/** Java's `ConstrainedAssignmentBuilder`, for groups whose members all subscribe to the same topics. */
export class ConstrainedAssignmentBuilder {
  /**
   * Owned partitions a member does not keep (over its quota, or not on its rack), with that member
   * (Java's `maybeRevokedPartitions`): handed to another member, they change owner.
   */
  private readonly maybeRevoked = new Map<string, MemberId>();
  private readonly underMinQuota: MemberId[] = [];
  private exactlyMinQuota: MemberId[] = [];
  private readonly minQuota: number;
  private readonly maxQuota: number;
  private readonly expectedOverMinQuota: number;
  private currentOverMinQuota = 0;
  private readonly assignment = new Map<MemberId, TopicPartition[]>();
  private readonly assigned = new Set<string>();

  constructor(
    private readonly partitionsPerTopic: Map<string, number>,
    private readonly rackInfo: RackInfo,
    private readonly owned: Map<MemberId, TopicPartition[]>,
    private readonly multiplyClaimed: Set<string>,
    private readonly transferring: Map<string, { partition: TopicPartition; member: MemberId }>,
  ) {
    let total = 0;
    for (const n of partitionsPerTopic.values()) total += n;
    const members = owned.size;
    this.minQuota = Math.floor(total / members);
    this.maxQuota = Math.ceil(total / members);
    this.expectedOverMinQuota = total % members;
    for (const m of owned.keys()) this.assignment.set(m, []);
  }

  build(): Map<MemberId, TopicPartition[]> {
    if (this.owned.size === 0) return this.assignment;
    this.assignOwnedPartitions();
    const unassigned = partitionsOf(
      this.partitionsPerTopic,
      [...this.partitionsPerTopic.keys()].sort(),
    ).filter((tp) => !this.assigned.has(partitionKey(tp)));
    this.underMinQuota.sort(compareIds);
    this.exactlyMinQuota.sort(compareIds);
    const sorted = this.rackInfo.sortPartitionsByRackConsumers(unassigned);
    const remaining = this.assignRackAwareRoundRobin(sorted);
    this.assignRoundRobin(remaining);
    this.verifyUnfilledMembers();
    return this.assignment;
  }

  /** Each member keeps owned partitions (same-rack ones, by partition then topic) up to its quota. */
  private assignOwnedPartitions(): void {
    for (const consumer of javaHashMapOrder([...this.owned.keys()])) {
      const ownedPartitions: TopicPartition[] = [];
      for (const tp of this.owned.get(consumer)!) {
        // One off the member's rack is given up (and may move to a member on its rack).
        if (this.rackInfo.racksMismatch(consumer, tp)) this.maybeRevoked.set(partitionKey(tp), consumer);
        else if (!this.multiplyClaimed.has(partitionKey(tp))) ownedPartitions.push(tp);
      }
      ownedPartitions.sort((a, b) => a.partition - b.partition || compareIds(a.topic, b.topic));
      const list = this.assignment.get(consumer)!;
      const keep = (n: number) => {
        for (const tp of ownedPartitions.slice(0, n)) {
          list.push(tp);
          this.assigned.add(partitionKey(tp));
        }
        for (const tp of ownedPartitions.slice(n)) this.maybeRevoked.set(partitionKey(tp), consumer);
      };
      if (ownedPartitions.length < this.minQuota) {
        keep(ownedPartitions.length);
        this.underMinQuota.push(consumer);
      } else if (
        ownedPartitions.length >= this.maxQuota &&
        this.currentOverMinQuota < this.expectedOverMinQuota
      ) {
        this.currentOverMinQuota++;
        if (this.currentOverMinQuota === this.expectedOverMinQuota) this.exactlyMinQuota = [];
        keep(this.maxQuota);
      } else {
        keep(this.minQuota);
        if (this.currentOverMinQuota < this.expectedOverMinQuota) this.exactlyMinQuota.push(consumer);
      }
    }
  }

  /** Round-robin within racks up to the quotas; returns the partitions left unassigned. */
  private assignRackAwareRoundRobin(unassigned: TopicPartition[]): TopicPartition[] {
    if (this.rackInfo.consumerRacks.size === 0) return unassigned;
    const left: TopicPartition[] = [];
    let nextUnfilled = 0;
    for (const tp of unassigned) {
      let consumer: MemberId | null = null;
      let nextIndex = this.rackInfo.nextRackConsumer(tp, this.underMinQuota, nextUnfilled);
      if (nextIndex >= 0) {
        consumer = this.underMinQuota[nextIndex];
        const count = this.assignment.get(consumer)!.length + 1;
        if (count >= this.minQuota) {
          this.underMinQuota.splice(this.underMinQuota.indexOf(consumer), 1);
          // At minQuota it may take one more only while members over minQuota are still expected.
          if (count < this.maxQuota && this.currentOverMinQuota < this.expectedOverMinQuota)
            this.exactlyMinQuota.push(consumer);
        } else {
          nextIndex++;
        }
        nextUnfilled = this.underMinQuota.length === 0 ? 0 : nextIndex % this.underMinQuota.length;
      } else if (this.exactlyMinQuota.length > 0) {
        const first = this.rackInfo.nextRackConsumer(tp, this.exactlyMinQuota, 0);
        if (first >= 0) {
          consumer = this.exactlyMinQuota[first];
          if (this.assignment.get(consumer)!.length + 1 === this.maxQuota) {
            this.exactlyMinQuota.splice(first, 1);
            // Once the expected number of members is over minQuota, those at minQuota are filled
            // (KAFKA-15170).
            this.currentOverMinQuota++;
            if (this.currentOverMinQuota === this.expectedOverMinQuota) this.exactlyMinQuota = [];
          }
        }
      }
      if (consumer !== null) this.assignNewPartition(tp, consumer);
      else left.push(tp);
    }
    return left;
  }

  /** Round-robin over the members under minQuota, then one more each to members at minQuota. */
  private assignRoundRobin(unassigned: TopicPartition[]): void {
    let it = 0; // Java's iterator over underMinQuota
    for (const tp of unassigned) {
      let consumer: MemberId;
      if (it < this.underMinQuota.length) {
        consumer = this.underMinQuota[it++];
      } else if (this.underMinQuota.length === 0 && this.exactlyMinQuota.length === 0) {
        throw new Error('sticky assignor: no more unfilled members to assign partitions to');
      } else if (this.underMinQuota.length === 0) {
        consumer = this.exactlyMinQuota.shift()!;
      } else {
        it = 0;
        consumer = this.underMinQuota[it++];
      }
      const count = this.assignNewPartition(tp, consumer);
      if (count === this.minQuota) {
        this.underMinQuota.splice(--it, 1);
        this.exactlyMinQuota.push(consumer);
      } else if (count === this.maxQuota) {
        this.currentOverMinQuota++;
      }
    }
  }

  private assignNewPartition(tp: TopicPartition, consumer: MemberId): number {
    const list = this.assignment.get(consumer)!;
    list.push(tp);
    const key = partitionKey(tp);
    this.assigned.add(key);
    // A partition given up by another member, or claimed by several, changes owner; one given up
    // and handed back to the same member does not.
    const previous = this.maybeRevoked.get(key);
    if ((previous !== undefined && previous !== consumer) || this.multiplyClaimed.has(key)) {
      this.transferring.set(key, { partition: tp, member: consumer });
    }
    return list.length;
  }

  private verifyUnfilledMembers(): void {
    if (this.underMinQuota.length === 0) return;
    if (this.currentOverMinQuota !== this.expectedOverMinQuota) {
      throw new Error(
        `sticky assignor: ${this.currentOverMinQuota} members over minQuota, expected ${this.expectedOverMinQuota}, and no partitions left`,
      );
    }
    for (const m of this.underMinQuota) {
      if (this.assignment.get(m)!.length !== this.minQuota) {
        throw new Error(`sticky assignor: member ${m} is under minQuota and no partitions are left`);
      }
    }
  }
}
