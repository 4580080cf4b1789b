/**
 * Java's `AbstractStickyAssignor.GeneralAssignmentBuilder` (Apache Kafka, Apache License 2.0): the
 * sticky assignment when members subscribe to different topics. See {@link AbstractStickyAssignor}.
 */

import {
  compareIds,
  MembersByLoad,
  type PartitionMovements,
  partitionsOf,
  type RackInfo,
  removePartition,
} from './sticky-support.js';
import { DEFAULT_GENERATION, type MemberData } from './sticky-user-data.js';
import type { MemberId, Subscription, TopicPartition } from './types.js';
import { javaHashMapOrder, partitionKey } from './util.js';

/** Java's `GeneralAssignmentBuilder`, for groups whose members subscribe to different topics. */
export class GeneralAssignmentBuilder {
  private readonly topicConsumers = new Map<string, MemberId[]>();
  private readonly consumerTopics = new Map<MemberId, Set<string>>();
  private readonly currentPartitionConsumer = new Map<string, MemberId>();
  private sortedAllPartitions: TopicPartition[];
  private readonly byLoad: MembersByLoad;
  private revocationRequired = false;
  private readonly totalPartitions: number;

  constructor(
    private readonly memberData: (subscription: Subscription) => MemberData,
    private readonly maxGeneration: number,
    private readonly partitionsPerTopic: Map<string, number>,
    private readonly rackInfo: RackInfo,
    private readonly current: Map<MemberId, TopicPartition[]>,
    private readonly subscriptions: Map<MemberId, Subscription>,
    private readonly movements: PartitionMovements,
  ) {
    this.totalPartitions = [...partitionsPerTopic.values()].reduce((a, b) => a + b, 0);
    for (const topic of partitionsPerTopic.keys()) this.topicConsumers.set(topic, []);
    for (const consumer of javaHashMapOrder([...subscriptions.keys()])) {
      const topics = new Set<string>();
      this.consumerTopics.set(consumer, topics);
      for (const topic of subscriptions.get(consumer)!.topics) {
        if (!partitionsPerTopic.has(topic) || topics.has(topic)) continue;
        topics.add(topic);
        this.topicConsumers.get(topic)!.push(consumer);
      }
      if (!current.has(consumer)) current.set(consumer, []);
    }
    for (const [consumer, list] of current) {
      for (const tp of list) this.currentPartitionConsumer.set(partitionKey(tp), consumer);
    }
    const sortedTopics = [...this.topicConsumers.keys()].sort(
      (a, b) => this.topicConsumers.get(a)!.length - this.topicConsumers.get(b)!.length || compareIds(a, b),
    );
    this.sortedAllPartitions = partitionsOf(partitionsPerTopic, sortedTopics);
    this.byLoad = new MembersByLoad(current);
  }

  build(): Map<MemberId, TopicPartition[]> {
    const prevAssignment = this.prepopulateCurrentAssignments();
    const assigned = new Set(this.assignOwnedPartitions().map(partitionKey));
    const unassigned = this.sortedAllPartitions.filter((tp) => !assigned.has(partitionKey(tp)));
    for (const m of this.current.keys()) this.byLoad.add(m);
    this.balance(prevAssignment, unassigned);
    return this.current;
  }

  /** Drops owned partitions the member no longer subscribes to (or, rack-aware, off its rack). */
  private assignOwnedPartitions(): TopicPartition[] {
    const assigned: TopicPartition[] = [];
    for (const [consumer, list] of this.current) {
      const topics = new Set(this.subscriptions.get(consumer)!.topics);
      for (let i = 0; i < list.length; i++) {
        const tp = list[i];
        if (!this.topicConsumers.has(tp.topic)) {
          list.splice(i--, 1);
          this.currentPartitionConsumer.delete(partitionKey(tp));
        } else if (!topics.has(tp.topic) || this.rackInfo.racksMismatch(consumer, tp)) {
          list.splice(i--, 1);
          this.revocationRequired = true;
        } else {
          assigned.push(tp);
        }
      }
    }
    return assigned;
  }

  /** Each partition's owner in the latest generation before the newest one (Java's `prevAssignment`). */
  private prepopulateCurrentAssignments(): Map<string, { consumer: MemberId; generation: number }> {
    const prev = new Map<string, { consumer: MemberId; generation: number }>();
    const maxGeneration = this.maxGeneration;
    const update = (partitions: readonly TopicPartition[], consumer: MemberId, generation: number) => {
      for (const tp of partitions) {
        const key = partitionKey(tp);
        const cur = prev.get(key);
        if (!cur || generation > cur.generation) prev.set(key, { consumer, generation });
      }
    };
    for (const consumer of javaHashMapOrder([...this.subscriptions.keys()])) {
      const data = this.memberData(this.subscriptions.get(consumer)!);
      if (data.generation !== undefined && data.generation < maxGeneration) {
        update(data.partitions, consumer, data.generation);
      } else if (data.generation === undefined && maxGeneration > DEFAULT_GENERATION) {
        update(data.partitions, consumer, DEFAULT_GENERATION);
      }
    }
    return prev;
  }

  private load(consumer: MemberId): number {
    return this.current.get(consumer)!.length;
  }

  private maxAssignmentSize(consumer: MemberId): number {
    const topics = this.consumerTopics.get(consumer)!;
    if (topics.size === this.partitionsPerTopic.size) return this.totalPartitions;
    let n = 0;
    for (const t of topics) n += this.partitionsPerTopic.get(t)!;
    return n;
  }

  /** Whether no partition can move to a member with two or more fewer partitions. */
  private isBalanced(): boolean {
    if (this.current.size === 0) return true;
    if (this.load(this.byLoad.first()) >= this.load(this.byLoad.last()) - 1) return true;
    const owner = new Map<string, MemberId>();
    for (const [consumer, list] of this.current) for (const tp of list) owner.set(partitionKey(tp), consumer);
    for (const consumer of this.byLoad) {
      const count = this.load(consumer);
      if (count === this.maxAssignmentSize(consumer)) continue;
      const mine = new Set(this.current.get(consumer)!.map(partitionKey));
      for (const topic of this.consumerTopics.get(consumer)!) {
        const n = this.partitionsPerTopic.get(topic)!;
        for (let p = 0; p < n; p++) {
          const key = partitionKey({ topic, partition: p });
          if (mine.has(key)) continue;
          const other = owner.get(key);
          if (other !== undefined && count + 1 < this.load(other)) return false;
        }
      }
    }
    return true;
  }

  /** Sum over member pairs of the difference of their loads. */
  private balanceScore(assignment: Map<MemberId, TopicPartition[]>): number {
    const sizes = [...assignment.values()].map((l) => l.length);
    let score = 0;
    for (let i = 0; i < sizes.length; i++)
      for (let j = i + 1; j < sizes.length; j++) score += Math.abs(sizes[i] - sizes[j]);
    return score;
  }

  private maybeAssignPartition(tp: TopicPartition, rackInfo: RackInfo | null): boolean {
    for (const consumer of this.byLoad) {
      if (!this.consumerTopics.get(consumer)!.has(tp.topic)) continue;
      if (rackInfo?.racksMismatch(consumer, tp)) continue;
      this.byLoad.remove(consumer);
      this.current.get(consumer)!.push(tp);
      this.currentPartitionConsumer.set(partitionKey(tp), consumer);
      this.byLoad.add(consumer);
      return true;
    }
    return false;
  }

  /** Assigns what it can; returns the partitions left unassigned. */
  private maybeAssign(unassigned: TopicPartition[], rackInfo: RackInfo | null): TopicPartition[] {
    const left: TopicPartition[] = [];
    for (const tp of unassigned) {
      if (this.topicConsumers.get(tp.topic)!.length === 0) continue;
      if (!this.maybeAssignPartition(tp, rackInfo)) left.push(tp);
    }
    return left;
  }

  private topicCanMove(topic: string): boolean {
    return this.topicConsumers.get(topic)!.length >= 2;
  }

  private consumerCanMove(consumer: MemberId): boolean {
    const list = this.current.get(consumer)!;
    if (list.length < this.maxAssignmentSize(consumer)) return true;
    return list.some((tp) => this.topicCanMove(tp.topic));
  }

  private balance(
    prevAssignment: Map<string, { consumer: MemberId; generation: number }>,
    unassignedPartitions: TopicPartition[],
  ): void {
    const initializing = this.current.size === 0 || this.load(this.byLoad.last()) === 0;
    // With racks, same-rack members first; then anyone subscribed.
    let toAssign = unassignedPartitions;
    if (this.rackInfo.consumerRacks.size > 0) toAssign = this.maybeAssign(toAssign, this.rackInfo);
    this.maybeAssign(toAssign, null);

    // Only partitions of topics with two or more members, and members that could change, take part.
    const fixedTopics = new Set([...this.topicConsumers.keys()].filter((t) => !this.topicCanMove(t)));
    this.sortedAllPartitions = this.sortedAllPartitions.filter((tp) => !fixedTopics.has(tp.topic));
    const unassigned = unassignedPartitions.filter((tp) => !fixedTopics.has(tp.topic));
    const fixedAssignments = new Map<MemberId, TopicPartition[]>();
    for (const consumer of this.consumerTopics.keys()) {
      if (this.consumerCanMove(consumer)) continue;
      this.byLoad.remove(consumer);
      fixedAssignments.set(consumer, this.current.get(consumer)!);
      this.current.delete(consumer);
    }

    const preBalance = new Map([...this.current].map(([m, l]) => [m, [...l]]));
    const preBalanceOwners = new Map(this.currentPartitionConsumer);
    // Without a revocation forced by a subscription change, first balance by moving new partitions only.
    if (!this.revocationRequired) this.performReassignments(unassigned, prevAssignment);
    const reassigned = this.performReassignments(this.sortedAllPartitions, prevAssignment);
    // Keep the moves only if they made the assignment more balanced.
    if (!initializing && reassigned && this.balanceScore(this.current) >= this.balanceScore(preBalance)) {
      for (const m of [...this.current.keys()]) this.byLoad.remove(m);
      this.current.clear();
      for (const [m, l] of preBalance) this.current.set(m, l);
      for (const m of this.current.keys()) this.byLoad.add(m);
      this.currentPartitionConsumer.clear();
      for (const [k, v] of preBalanceOwners) this.currentPartitionConsumer.set(k, v);
    }
    for (const [consumer, list] of fixedAssignments) {
      this.current.set(consumer, list);
      this.byLoad.add(consumer);
    }
  }

  private performReassignments(
    partitions: readonly TopicPartition[],
    prevAssignment: Map<string, { consumer: MemberId; generation: number }>,
  ): boolean {
    let performed = false;
    let modified: boolean;
    do {
      modified = false;
      for (const tp of partitions) {
        if (this.isBalanced()) break;
        const key = partitionKey(tp);
        const consumer = this.currentPartitionConsumer.get(key);
        if (consumer === undefined || !this.current.has(consumer)) continue;
        const prev = prevAssignment.get(key);
        // (Java does not check that the previous owner still subscribes to the topic, and can
        // hand it a partition it did not ask for; we do.)
        if (
          prev !== undefined &&
          this.current.has(prev.consumer) &&
          this.consumerTopics.get(prev.consumer)!.has(tp.topic) &&
          this.load(consumer) > this.load(prev.consumer) + 1
        ) {
          this.reassignPartitionTo(tp, prev.consumer);
          performed = modified = true;
          continue;
        }
        // A better-suited member for the partition, on its rack where possible.
        const consumerRack = this.rackInfo.consumerRacks.get(consumer);
        const partitionRacks = this.rackInfo.partitionRacks.get(key);
        let found = false;
        if (consumerRack !== undefined && partitionRacks?.has(consumerRack)) {
          for (const other of this.topicConsumers.get(tp.topic)!) {
            const otherRack = this.rackInfo.consumerRacks.get(other);
            if (otherRack === undefined || !partitionRacks.has(otherRack) || !this.current.has(other))
              continue;
            if (this.load(consumer) > this.load(other) + 1) {
              this.reassignPartition(tp);
              performed = modified = found = true;
              break;
            }
          }
        }
        if (!found) {
          for (const other of this.topicConsumers.get(tp.topic)!) {
            if (!this.current.has(other)) continue;
            if (this.load(consumer) > this.load(other) + 1) {
              this.reassignPartition(tp);
              performed = modified = true;
              break;
            }
          }
        }
      }
    } while (modified);
    return performed;
  }

  /** Moves the partition to the least loaded member subscribed to its topic. */
  private reassignPartition(tp: TopicPartition): void {
    for (const other of this.byLoad) {
      if (this.consumerTopics.get(other)!.has(tp.topic)) {
        this.reassignPartitionTo(tp, other);
        return;
      }
    }
  }

  private reassignPartitionTo(tp: TopicPartition, newConsumer: MemberId): void {
    const consumer = this.currentPartitionConsumer.get(partitionKey(tp))!;
    // Move a partition that reverses an earlier move instead, if there is one, to stay sticky.
    const toMove = this.movements.theActualPartitionToBeMoved(tp, consumer, newConsumer);
    const oldConsumer = this.currentPartitionConsumer.get(partitionKey(toMove))!;
    this.byLoad.remove(oldConsumer);
    this.byLoad.remove(newConsumer);
    this.movements.movePartition(toMove, oldConsumer, newConsumer);
    removePartition(this.current.get(oldConsumer)!, partitionKey(toMove));
    this.current.get(newConsumer)!.push(toMove);
    this.currentPartitionConsumer.set(partitionKey(toMove), newConsumer);
    this.byLoad.add(newConsumer);
    this.byLoad.add(oldConsumer);
  }
}
