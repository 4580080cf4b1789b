/**
 * KafkaJS's partition assigners over tskafka's group membership. A KafkaJS assigner is a function
 * `({ cluster, groupId, logger }) => ({ name, version, assign({ members, topics }), protocol({ topics }) })`
 * that works on raw JoinGroup and SyncGroup bytes ({@link AssignerProtocol}); {@link kafkaJSAssignor}
 * wraps one as a tskafka assignor, so the assigners written for KafkaJS run unchanged in a group,
 * next to KafkaJS and Java members that use the same protocol name.
 *
 * @module
 */
import type { ConsumerPartitionAssignor, MemberId, Subscription, TopicPartition } from '@tskafka/consumer';
import type { Logger } from '@tskafka/transport';
import { AssignerProtocol } from './assigner-protocol.js';
import { KafkaJSNotImplemented, KafkaJSTopicMetadataNotLoaded } from './errors.js';
import type { PartitionMetadata } from './partitioners.js';

/** A member as the leader's assigner sees it: its id and its JoinGroup metadata bytes. */
export type GroupMember = { memberId: string; memberMetadata: Buffer };

/** What an assigner returns per member: SyncGroup assignment bytes. */
export type GroupMemberAssignment = { memberId: string; memberAssignment: Buffer };

/** A protocol an assigner offers in JoinGroup. */
export type GroupState = { name: string; metadata: Buffer };

/** A KafkaJS assigner. */
export type Assigner = {
  /** The protocol name the group agrees on. */
  name: string;
  /** The version written in its metadata. */
  version: number;
  /** The leader's job: every member's assignment. */
  assign(group: { members: GroupMember[]; topics: string[] }): Promise<GroupMemberAssignment[]>;
  /** This member's JoinGroup protocol for its subscription. */
  protocol(subscription: { topics: string[] }): GroupState;
};

/**
 * The cluster view a KafkaJS assigner gets: partition metadata of the subscribed topics, refreshed
 * before each assignment. The broker-level calls KafkaJS's `Cluster` also has are not offered to
 * assigners here and reject with `KafkaJSNotImplemented`.
 */
export type Cluster = {
  /** The ids of the brokers in the last metadata. */
  getNodeIds(): number[];
  /** Whether the consumer is connected. */
  isConnected(): boolean;
  /** Connects (a no-op: the consumer owns the connection). */
  connect(): Promise<void>;
  /** Disconnects (a no-op: the consumer owns the connection). */
  disconnect(): Promise<void>;
  /** Reloads metadata for the target topics. */
  refreshMetadata(): Promise<void>;
  /** Reloads metadata when a target topic is missing from it. */
  refreshMetadataIfNecessary(): Promise<void>;
  /** Adds a topic to those metadata is kept for. */
  addTargetTopic(topic: string): Promise<void>;
  /** Adds topics to those metadata is kept for. */
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  /** The partitions of `topic` in the last metadata; empty for an unknown topic. */
  findTopicPartitionMetadata(topic: string): PartitionMetadata[];
  /** `partitions` of `topic` grouped by their leader's node id. */
  findLeaderForPartitions(topic: string, partitions: number[]): { [leader: string]: number[] };
  /** KafkaJS's default offset: -2 (earliest) from the beginning, else -1 (latest). */
  defaultOffset(config: { fromBeginning: boolean }): number;
  /** Not offered to assigners. */
  findBroker(node: { nodeId: string }): Promise<never>;
  /** Not offered to assigners. */
  findControllerBroker(): Promise<never>;
  /** Not offered to assigners. */
  findGroupCoordinator(group: { groupId: string }): Promise<never>;
  /** Not offered to assigners. */
  findGroupCoordinatorMetadata(group: { groupId: string }): Promise<never>;
  /** Not offered to assigners. */
  fetchTopicsOffset(topics: unknown[]): Promise<never>;
  /** Not offered to assigners. */
  metadata(): Promise<never>;
  /** Not offered to assigners. */
  removeBroker(options: { host: string; port: number }): void;
};

/** A KafkaJS assigner factory, as `partitionAssigners` takes them. */
export type PartitionAssigner = (config: { cluster: Cluster; groupId: string; logger: Logger }) => Assigner;

/** Fetches partition metadata for topics: what the consumer's admin client describes. */
export type MetadataSource = (
  topics: string[],
) => Promise<{ nodeIds: number[]; topics: Map<string, PartitionMetadata[]> }>;

/** The {@link Cluster} handed to KafkaJS assigners. */
export class AssignerCluster implements Cluster {
  private readonly targets = new Set<string>();
  private nodeIds: number[] = [];
  private partitions: Map<string, PartitionMetadata[]> | null = null;

  /** @internal */
  constructor(
    private readonly source: MetadataSource,
    private readonly connected: () => boolean,
  ) {}

  /** Sets the topics metadata is kept for and reloads it (what the leader does before assigning). */
  async refreshFor(topics: readonly string[]): Promise<void> {
    for (const t of topics) this.targets.add(t);
    await this.refreshMetadata();
  }

  getNodeIds(): number[] {
    return [...this.nodeIds];
  }
  isConnected(): boolean {
    return this.connected();
  }
  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}
  async refreshMetadata(): Promise<void> {
    const { nodeIds, topics } = await this.source([...this.targets]);
    this.nodeIds = nodeIds;
    this.partitions = topics;
  }
  async refreshMetadataIfNecessary(): Promise<void> {
    if (this.partitions === null || [...this.targets].some((t) => !this.partitions!.has(t)))
      await this.refreshMetadata();
  }
  async addTargetTopic(topic: string): Promise<void> {
    await this.addMultipleTargetTopics([topic]);
  }
  async addMultipleTargetTopics(topics: string[]): Promise<void> {
    const before = this.targets.size;
    for (const t of topics) this.targets.add(t);
    if (this.targets.size !== before) await this.refreshMetadata();
  }
  findTopicPartitionMetadata(topic: string): PartitionMetadata[] {
    if (this.partitions === null)
      throw new KafkaJSTopicMetadataNotLoaded(`Topic metadata not loaded: ${topic}`);
    return this.partitions.get(topic) ?? [];
  }
  findLeaderForPartitions(topic: string, partitions: number[]): { [leader: string]: number[] } {
    const metadata = this.findTopicPartitionMetadata(topic);
    const out: { [leader: string]: number[] } = {};
    for (const p of partitions) {
      const m = metadata.find((x) => x.partitionId === p);
      if (m === undefined) continue;
      const leader = String(m.leader);
      out[leader] = [...(out[leader] ?? []), p];
    }
    return out;
  }
  defaultOffset({ fromBeginning }: { fromBeginning: boolean }): number {
    return fromBeginning ? -2 : -1;
  }
  findBroker(): Promise<never> {
    return notForAssigners('findBroker');
  }
  findControllerBroker(): Promise<never> {
    return notForAssigners('findControllerBroker');
  }
  findGroupCoordinator(): Promise<never> {
    return notForAssigners('findGroupCoordinator');
  }
  findGroupCoordinatorMetadata(): Promise<never> {
    return notForAssigners('findGroupCoordinatorMetadata');
  }
  fetchTopicsOffset(): Promise<never> {
    return notForAssigners('fetchTopicsOffset');
  }
  metadata(): Promise<never> {
    return notForAssigners('metadata');
  }
  removeBroker(): void {
    throw new KafkaJSNotImplemented('cluster.removeBroker is not offered to partition assigners');
  }
}

function notForAssigners(name: string): Promise<never> {
  return Promise.reject(new KafkaJSNotImplemented(`cluster.${name} is not offered to partition assigners`));
}

/**
 * A KafkaJS assigner as a tskafka assignor. This member's JoinGroup metadata carries the user data
 * of the assigner's `protocol({ topics })`; as leader, the members' subscriptions are handed to
 * `assign` as KafkaJS `MemberMetadata` bytes (version, topics, user data) and its
 * `MemberAssignment` bytes are read back. (The assignment's own user data does not travel: tskafka
 * writes Kafka's consumer protocol assignment from the partitions.)
 */
export function kafkaJSAssignor(assigner: Assigner, cluster: AssignerCluster): ConsumerPartitionAssignor {
  return {
    name: assigner.name,
    version: assigner.version,
    subscriptionUserData(topics: readonly string[]): Buffer | null {
      const { metadata } = assigner.protocol({ topics: [...topics] });
      const userData = AssignerProtocol.MemberMetadata.decode(metadata)?.userData;
      return userData !== undefined && userData.length > 0 ? Buffer.from(userData) : null;
    },
    async assign(
      _partitionsPerTopic: Map<string, number>,
      subscriptions: Map<MemberId, Subscription>,
    ): Promise<Map<MemberId, TopicPartition[]>> {
      const topics: string[] = [];
      const members: GroupMember[] = [];
      for (const [memberId, s] of subscriptions) {
        for (const t of s.topics) if (!topics.includes(t)) topics.push(t);
        members.push({
          memberId,
          memberMetadata: AssignerProtocol.MemberMetadata.encode({
            version: assigner.version,
            topics: s.topics,
            userData: s.userData ?? Buffer.alloc(0),
          }),
        });
      }
      // KafkaJS's leader refreshes metadata right before it assigns.
      await cluster.refreshFor(topics);
      const result = await assigner.assign({ members, topics });
      const out = new Map<MemberId, TopicPartition[]>([...subscriptions.keys()].map((m) => [m, []]));
      for (const { memberId, memberAssignment } of result) {
        const decoded = AssignerProtocol.MemberAssignment.decode(memberAssignment);
        const list = out.get(memberId);
        if (decoded === null || list === undefined) continue;
        for (const [topic, partitions] of Object.entries(decoded.assignment))
          for (const partition of partitions) list.push({ topic, partition });
      }
      return out;
    },
  };
}

/**
 * KafkaJS's `RoundRobinAssigner`, as KafkaJS writes it: members sorted by id, every partition of
 * every subscribed topic (topics in subscription order, partitions in metadata order) dealt to
 * them in turn, whatever each member subscribed to.
 */
export const roundRobin: PartitionAssigner = ({ cluster }) => ({
  name: 'RoundRobinAssigner',
  version: 0,
  async assign({ members, topics }) {
    const sorted = members.map((m) => m.memberId).sort();
    const assignment: Record<string, Record<string, number[]>> = {};
    const all = topics.flatMap((topic) =>
      cluster.findTopicPartitionMetadata(topic).map((m) => ({ topic, partitionId: m.partitionId })),
    );
    all.forEach(({ topic, partitionId }, i) => {
      const assignee = sorted[i % sorted.length];
      assignment[assignee] ??= Object.create(null) as Record<string, number[]>;
      assignment[assignee][topic] = [...(assignment[assignee][topic] ?? []), partitionId];
    });
    return Object.keys(assignment).map((memberId) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({
        version: 0,
        assignment: assignment[memberId],
        userData: Buffer.alloc(0),
      }),
    }));
  },
  protocol({ topics }) {
    return {
      name: 'RoundRobinAssigner',
      metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
    };
  },
});

/**
 * KafkaJS's `RoundRobinAssigner` as a plain tskafka assignor (no cluster needed): the same
 * protocol name and the same assignment.
 */
export const roundRobinAssigner: ConsumerPartitionAssignor = {
  name: 'RoundRobinAssigner',
  assign(partitionsPerTopic: Map<string, number>, subscriptions: Map<MemberId, Subscription>) {
    const members = [...subscriptions.keys()].sort();
    const topics: string[] = [];
    for (const member of members)
      for (const t of subscriptions.get(member)?.topics ?? []) if (!topics.includes(t)) topics.push(t);
    const out = new Map<MemberId, TopicPartition[]>(members.map((m) => [m, []]));
    let i = 0;
    for (const topic of topics) {
      const count = partitionsPerTopic.get(topic) ?? 0;
      for (let partition = 0; partition < count; partition++) {
        out.get(members[i % members.length])?.push({ topic, partition });
        i++;
      }
    }
    return out;
  },
};

/** KafkaJS's built-in assigners by name. */
export const PartitionAssigners: {
  /** KafkaJS's default, `RoundRobinAssigner`. */
  roundRobin: PartitionAssigner;
} = { roundRobin };
