/**
 * Cluster metadata and the controller: the one place that changes which topics, partitions,
 * leaders and replicas exist. Broker nodes read it and are told of changes; handlers never
 * mutate it directly. As Kafka's KRaft controller it elects leaders from the live ISR when a
 * broker stops (clean election only), brings offline partitions back when an ISR member returns,
 * and takes ISR changes from partition leaders (Kafka's AlterPartition), bumping the partition
 * epoch on each. Preferred leader election (on request, or the periodic automatic rebalance)
 * moves leadership back to each partition's first replica.
 */
import { randomBytes } from 'node:crypto';
import { ErrorCode } from '@tskafka/protocol';
import { ApiError } from './api-error.js';
import type { BrokerConfig } from './config.js';
import { applyListOp, DynamicConfigs } from './dynamic-config.js';
import { InterBrokerConnections } from './inter-broker-connections.js';
import {
  type CompletedReassignment,
  cancelReassignment,
  isReassigning,
  maybeCompleteReassignment,
  startReassignment,
} from './reassignment.js';
import { validateManualAssignment } from './replica-assignment.js';
import { ScramCredentialStore } from './sasl/credentials.js';
import { validateTopicConfig } from './topic-config.js';

/** A broker as the cluster knows it. */
export interface BrokerInfo {
  /** The node id. */
  nodeId: number;
  /** Advertised host of the inter-broker listener (where other brokers connect). */
  host: string;
  /** Advertised port of the inter-broker listener. */
  port: number;
  /** Rack, if any. */
  rack: string | null;
  /** Whether the broker is up (fault injection can stop one). */
  alive: boolean;
  /**
   * Advertised address per listener name: Metadata answers with the addresses of the listener the
   * request came in on. Absent: `host:port` for every listener.
   */
  endpoints?: readonly BrokerEndpoint[];
}

/** One listener of a broker, as advertised. */
export interface BrokerEndpoint {
  /** The listener name, e.g. `SSL`. */
  readonly listener: string;
  /** Advertised host. */
  readonly host: string;
  /** Advertised port. */
  readonly port: number;
}

/**
 * Where clients that came in on `listener` reach `broker`; undefined when the broker has no such
 * listener (Kafka then leaves the broker out of the Metadata response).
 */
export function endpointFor(
  broker: BrokerInfo,
  listener: string,
): { host: string; port: number } | undefined {
  if (!broker.endpoints) return { host: broker.host, port: broker.port };
  return broker.endpoints.find((e) => e.listener === listener);
}

/** A partition's leadership and replica state. */
export interface PartitionState {
  /** The partition index. */
  partition: number;
  /** The leader's node id, or -1 when there is none. */
  leader: number;
  /** Bumped on every leader change. */
  leaderEpoch: number;
  /** Bumped on every replica-set or ISR change. */
  partitionEpoch: number;
  /** Assigned replicas; the first is the preferred leader. */
  replicas: number[];
  /** In-sync replicas. */
  isr: number[];
  /** Replicas being added by an ongoing reassignment (see `reassignment.ts`). */
  addingReplicas?: number[];
  /** Replicas being removed by an ongoing reassignment. */
  removingReplicas?: number[];
}

/** A topic. */
export interface TopicState {
  /** The topic name. */
  name: string;
  /** The topic id, Kafka's 22-character base64 form. */
  topicId: string;
  /** Partitions, by index. */
  partitions: PartitionState[];
  /** Topic config overrides (Kafka names). */
  configs: Map<string, string>;
  /** Whether the topic is internal (`__consumer_offsets`, `__transaction_state`). */
  internal: boolean;
}

/** A change listeners are told about. */
export type MetadataChange =
  | { type: 'topicCreated'; topic: TopicState }
  | { type: 'topicDeleted'; topic: TopicState }
  | { type: 'partitionsCreated'; topic: TopicState; from: number }
  | { type: 'configChanged'; topic: TopicState }
  | { type: 'leaderChanged'; topic: TopicState; partition: PartitionState }
  | { type: 'isrChanged'; topic: TopicState; partition: PartitionState }
  | { type: 'producerIdAllocated'; producerId: number }
  | { type: 'dynamicConfigChanged' }
  | { type: 'scramCredentialsChanged' };

/** Options of {@link ClusterMetadata.createTopic}. */
export interface CreateTopicOptions {
  /** Partitions; -1 for `num.partitions`. */
  numPartitions: number;
  /** Replication factor; -1 for `default.replication.factor`. */
  replicationFactor: number;
  /** Explicit replica assignment per partition, instead of the two numbers. */
  assignments?: number[][];
  /** Config overrides. */
  configs?: Record<string, string | null>;
  /** Check everything but create nothing. */
  validateOnly?: boolean;
  /** Allow internal names (for the coordinators' topics). */
  internal?: boolean;
}

const LEGAL_TOPIC = /^[a-zA-Z0-9._-]+$/;
/**
 * Kafka's controller refuses to create more partitions than this in one request
 * (`ReplicationControlManager.MAX_PARTITIONS_PER_BATCH`), so a hostile partition count cannot
 * make it allocate without bound.
 */
export const MAX_PARTITIONS_PER_BATCH = 10_000;

/** The POLICY_VIOLATION Kafka answers for more than {@link MAX_PARTITIONS_PER_BATCH} partitions. */
export function tooManyPartitions(): ApiError {
  return new ApiError(ErrorCode.POLICY_VIOLATION, 'Excessively large number of partitions per request.');
}
/** Kafka's limit on topic name length. */
export const MAX_TOPIC_NAME_LENGTH = 249;

/** Checks a topic name as Kafka does; throws INVALID_TOPIC_EXCEPTION with Kafka's wording. */
export function validateTopicName(name: string): void {
  if (name.length === 0)
    throw new ApiError(ErrorCode.INVALID_TOPIC_EXCEPTION, "Topic name is illegal, it can't be empty");
  if (name === '.' || name === '..') {
    throw new ApiError(ErrorCode.INVALID_TOPIC_EXCEPTION, 'Topic name cannot be "." or ".."');
  }
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    throw new ApiError(
      ErrorCode.INVALID_TOPIC_EXCEPTION,
      `Topic name is illegal, it can't be longer than ${MAX_TOPIC_NAME_LENGTH} characters, topic name: ${name}`,
    );
  }
  if (!LEGAL_TOPIC.test(name)) {
    throw new ApiError(
      ErrorCode.INVALID_TOPIC_EXCEPTION,
      `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`,
    );
  }
}

/** Makes a random topic id (never the all-zero or reserved ids). */
export function newTopicId(): string {
  for (;;) {
    const b = randomBytes(16);
    const id = b.toString('base64url');
    if (!id.startsWith('AAAAAAAAAAAAAAAAAAAAA')) return id;
  }
}

/** The cluster's metadata, and the controller operations that change it. */
export class ClusterMetadata {
  /** The cluster id (22-character base64, as Kafka generates). */
  readonly clusterId: string;
  /** The controller's node id. */
  controllerId: number;
  /** Brokers by node id. */
  readonly brokers = new Map<number, BrokerInfo>();
  /** Topics by name. */
  readonly topics = new Map<string, TopicState>();
  /** Topics by id. */
  readonly topicsById = new Map<string, TopicState>();
  /**
   * Topic names by their collision key ('.' as '_', Kafka's `Topic.unifyCollisionChars`), so a
   * new topic's collision check is one lookup instead of a scan of every topic.
   */
  private readonly topicsByCollisionKey = new Map<string, string>();
  /** The connections the cluster's brokers opened to each other (who may fetch as a replica). */
  readonly interBrokerConnections = new InterBrokerConnections();
  private readonly listeners: ((c: MetadataChange) => void)[] = [];
  private nextAssignmentStart = 0;
  /** Dynamic broker and group configs (`kafka-configs --entity-type brokers|groups`). */
  readonly dynamicConfigs = new DynamicConfigs(() => this.emit({ type: 'dynamicConfigChanged' }));
  /** SCRAM credentials per user and mechanism (AlterUserScramCredentials). */
  readonly scramCredentials = new ScramCredentialStore(() => this.emit({ type: 'scramCredentialsChanged' }));
  /** The next producer id InitProducerId hands out; persisted with the snapshot. */
  nextProducerId = 1000;
  private readonly config: BrokerConfig;

  /** A cluster with broker configuration `config` (defaults for new topics). */
  constructor(config: BrokerConfig, clusterId?: string) {
    this.config = config;
    this.clusterId = clusterId ?? randomBytes(16).toString('base64url');
    this.controllerId = -1;
  }

  /** Registers a listener for metadata changes. */
  onChange(listener: (c: MetadataChange) => void): void {
    this.listeners.push(listener);
  }

  private emit(c: MetadataChange): void {
    for (const l of this.listeners) l(c);
  }

  /**
   * Adds or updates a broker. The lowest live node id becomes the controller; partitions left
   * without a leader whose ISR holds this broker get it as leader.
   */
  registerBroker(info: Omit<BrokerInfo, 'alive'>): void {
    this.brokers.set(info.nodeId, { ...info, alive: true });
    this.electController();
    this.electOfflineLeaders();
  }

  /**
   * Marks a broker up or down. Down (Kafka's fencing) moves the leadership of every partition it
   * led to the first live ISR member in replica order (leader -1 when there is none, the ISR then
   * kept as it was, as KRaft never empties it) and drops it from every other ISR; up elects it
   * for offline partitions whose ISR holds it.
   */
  setBrokerAlive(nodeId: number, alive: boolean): void {
    const b = this.brokers.get(nodeId);
    if (b) b.alive = alive;
    this.electController();
    if (alive) {
      this.electOfflineLeaders();
      return;
    }
    for (const topic of this.topics.values()) {
      for (const p of topic.partitions) {
        if (!p.isr.includes(nodeId)) continue;
        if (p.leader === nodeId) {
          const leader = this.firstLiveIsrMember(p, nodeId);
          this.changeLeader(topic, p, leader, leader === -1 ? p.isr : p.isr.filter((r) => r !== nodeId));
        } else {
          p.isr = p.isr.filter((r) => r !== nodeId);
          p.partitionEpoch++;
          this.emit({ type: 'isrChanged', topic, partition: p });
        }
      }
    }
  }

  /** A new leader (-1: none) and ISR for `p`: both epochs bumped, listeners told. */
  private changeLeader(topic: TopicState, p: PartitionState, leader: number, isr = p.isr): void {
    p.leader = leader;
    p.isr = isr;
    p.leaderEpoch++;
    p.partitionEpoch++;
    this.emit({ type: 'leaderChanged', topic, partition: p });
  }

  private isAlive(nodeId: number): boolean {
    return this.brokers.get(nodeId)?.alive === true;
  }

  /** The first replica, in assignment order, that is in the ISR, alive and not `except`; or -1. */
  private firstLiveIsrMember(p: PartitionState, except = -1): number {
    return p.replicas.find((r) => r !== except && p.isr.includes(r) && this.isAlive(r)) ?? -1;
  }

  private electOfflineLeaders(): void {
    for (const topic of this.topics.values()) {
      for (const p of topic.partitions) {
        if (p.leader !== -1) continue;
        const leader = this.firstLiveIsrMember(p);
        if (leader === -1) continue;
        this.changeLeader(topic, p, leader);
      }
    }
  }

  /**
   * A partition leader's ISR change (Kafka's AlterPartition): applied when `leaderId` still leads
   * the partition in `leaderEpoch`, the new ISR holds the leader, only assigned replicas, and adds
   * only live brokers. Returns whether it was applied.
   */
  alterIsr(name: string, partition: number, leaderId: number, leaderEpoch: number, isr: number[]): boolean {
    const topic = this.topics.get(name);
    const p = topic?.partitions[partition];
    if (!topic || !p || p.leader !== leaderId || p.leaderEpoch !== leaderEpoch) return false;
    if (!isr.includes(leaderId) || isr.some((r) => !p.replicas.includes(r))) return false;
    if (isr.some((r) => !p.isr.includes(r) && !this.isAlive(r))) return false;
    p.isr = p.replicas.filter((r) => isr.includes(r));
    p.partitionEpoch++;
    this.emit({ type: 'isrChanged', topic, partition: p });
    this.maybeCompleteReassignment(topic, p);
    return true;
  }

  /**
   * AlterPartitionReassignments for one partition: moves it to `target` replicas, or with null
   * cancels its ongoing reassignment (NO_REASSIGNMENT_IN_PROGRESS when there is none). New
   * replicas join as followers; the move completes when they are all in the ISR (see
   * `reassignment.ts`). Throws {@link ApiError} with Kafka's codes for an unknown partition or an
   * invalid target.
   */
  alterPartitionReassignment(name: string, partition: number, target: readonly number[] | null): void {
    const topic = this.topics.get(name);
    const p = topic?.partitions[partition];
    if (!topic || !p)
      throw new ApiError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Unknown partition ${name}-${partition}`);
    const alive = (id: number) => this.isAlive(id);
    if (target === null) {
      if (!isReassigning(p)) {
        throw new ApiError(
          ErrorCode.NO_REASSIGNMENT_IN_PROGRESS,
          `No reassignment of ${name}-${partition} is in progress.`,
        );
      }
      this.finishReassignment(topic, p, cancelReassignment(p, alive));
      return;
    }
    validateManualAssignment(target, target.length, (id) => this.brokers.has(id));
    const next = startReassignment(p, target);
    p.replicas = next.replicas;
    p.addingReplicas = next.addingReplicas;
    p.removingReplicas = next.removingReplicas;
    p.partitionEpoch++;
    this.emit({ type: 'isrChanged', topic, partition: p });
    this.maybeCompleteReassignment(topic, p);
  }

  /** Partitions with a reassignment in progress. */
  ongoingReassignments(): { topic: TopicState; partition: PartitionState }[] {
    return [...this.topics.values()].flatMap((topic) =>
      topic.partitions.filter(isReassigning).map((partition) => ({ topic, partition })),
    );
  }

  private maybeCompleteReassignment(topic: TopicState, p: PartitionState): void {
    const done = maybeCompleteReassignment(p, (id) => this.isAlive(id));
    if (done) this.finishReassignment(topic, p, done);
  }

  /** Applies the end of a reassignment: replicas, ISR, and a new leader epoch if the leader moves. */
  private finishReassignment(topic: TopicState, p: PartitionState, done: CompletedReassignment): void {
    p.replicas = done.replicas;
    p.addingReplicas = [];
    p.removingReplicas = [];
    if (done.leader !== p.leader) {
      this.changeLeader(topic, p, done.leader, done.isr);
      return;
    }
    p.isr = done.isr;
    p.partitionEpoch++;
    this.emit({ type: 'isrChanged', topic, partition: p });
  }

  /**
   * A controlled leader change (Kafka's preferred or reassignment election) to `nodeId`, which
   * must be a live ISR member; the leader epoch is bumped. Throws ELIGIBLE_LEADERS_NOT_AVAILABLE
   * otherwise.
   */
  electLeader(name: string, partition: number, nodeId: number): PartitionState {
    const topic = this.topics.get(name);
    const p = topic?.partitions[partition];
    if (!topic || !p)
      throw new ApiError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Unknown partition ${name}-${partition}`);
    if (!p.isr.includes(nodeId) || !this.isAlive(nodeId)) {
      throw new ApiError(
        ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE,
        `Broker ${nodeId} is not a live in-sync replica of ${name}-${partition} (ISR ${p.isr.join(',')})`,
      );
    }
    if (p.leader !== nodeId) this.changeLeader(topic, p, nodeId);
    return p;
  }

  /**
   * Preferred leader election of one partition (Kafka's PREFERRED election): the first assigned
   * replica becomes leader when it is alive and in the ISR, through {@link electLeader}. Throws
   * ELECTION_NOT_NEEDED when it already leads and PREFERRED_LEADER_NOT_AVAILABLE when it cannot,
   * the codes Kafka's ElectLeaders answers per partition.
   */
  electPreferredLeader(name: string, partition: number): PartitionState {
    const p = this.topics.get(name)?.partitions[partition];
    if (!p)
      throw new ApiError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Unknown partition ${name}-${partition}`);
    const preferred = p.replicas[0];
    if (p.leader === preferred) {
      throw new ApiError(ErrorCode.ELECTION_NOT_NEEDED, 'Leader election not needed for topic partition.');
    }
    if (!this.canPreferredReplicaBeLeader(p)) {
      throw new ApiError(
        ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE,
        `Failed to elect leader for partition ${name}-${partition} under strategy PreferredReplicaPartitionLeaderElectionStrategy`,
      );
    }
    return this.electLeader(name, partition, preferred);
  }

  /**
   * Unclean leader election of one partition (Kafka's UNCLEAN election, for a partition with no
   * leader because no in-sync replica is alive): the first live replica in assignment order leads,
   * alone in the ISR, whatever it missed. Throws ELECTION_NOT_NEEDED when the partition has a
   * leader and ELIGIBLE_LEADERS_NOT_AVAILABLE when no replica is alive.
   */
  electUncleanLeader(name: string, partition: number): PartitionState {
    const topic = this.topics.get(name);
    const p = topic?.partitions[partition];
    if (!topic || !p)
      throw new ApiError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Unknown partition ${name}-${partition}`);
    if (p.leader !== -1) {
      throw new ApiError(ErrorCode.ELECTION_NOT_NEEDED, 'Leader election not needed for topic partition.');
    }
    const leader = p.replicas.find((r) => this.isAlive(r));
    if (leader === undefined) {
      throw new ApiError(
        ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE,
        `No live replica of ${name}-${partition} to elect (replicas ${p.replicas.join(',')})`,
      );
    }
    this.changeLeader(topic, p, leader, [leader]);
    return p;
  }

  private canPreferredReplicaBeLeader(p: PartitionState): boolean {
    const preferred = p.replicas[0];
    return preferred !== undefined && p.isr.includes(preferred) && this.isAlive(preferred);
  }

  /**
   * One pass of Kafka's `KafkaController.checkAndTriggerAutoLeaderRebalance`: partitions are
   * grouped by preferred replica; for each broker whose share of those partitions led by another
   * broker exceeds `leader.imbalance.per.broker.percentage`, every one whose preferred replica is
   * alive and in the ISR gets it back as leader. Returns the partitions moved.
   */
  checkAndTriggerAutoLeaderRebalance(): { topic: string; partition: number }[] {
    const byPreferred = new Map<number, { topic: TopicState; p: PartitionState }[]>();
    for (const topic of this.topics.values()) {
      for (const p of topic.partitions) {
        const preferred = p.replicas[0];
        if (preferred === undefined) continue;
        const list = byPreferred.get(preferred) ?? [];
        list.push({ topic, p });
        byPreferred.set(preferred, list);
      }
    }
    const moved: { topic: string; partition: number }[] = [];
    const threshold = this.config.leaderImbalancePerBrokerPercentage / 100;
    for (const [preferred, all] of byPreferred) {
      const notPreferred = all.filter(({ p }) => p.leader !== preferred);
      if (notPreferred.length / all.length <= threshold) continue;
      for (const { topic, p } of notPreferred) {
        // A topic deleted by an earlier listener in this pass is left alone.
        if (this.topics.get(topic.name) !== topic || !this.canPreferredReplicaBeLeader(p)) continue;
        this.electLeader(topic.name, p.partition, preferred);
        moved.push({ topic: topic.name, partition: p.partition });
      }
    }
    return moved;
  }

  private electController(): void {
    const alive = [...this.brokers.values()].filter((b) => b.alive).map((b) => b.nodeId);
    this.controllerId = alive.length ? Math.min(...alive) : -1;
  }

  /** Live brokers, by node id. */
  aliveBrokers(): BrokerInfo[] {
    return [...this.brokers.values()].filter((b) => b.alive).sort((a, b) => a.nodeId - b.nodeId);
  }

  /** Creates a topic; throws {@link ApiError} with Kafka's code when the request is invalid. */
  createTopic(name: string, opts: CreateTopicOptions): TopicState {
    validateTopicName(name);
    if (!opts.internal && (name === '__consumer_offsets' || name === '__transaction_state')) {
      throw new ApiError(ErrorCode.INVALID_REQUEST, `Creation of internal topic ${name} is prohibited.`);
    }
    if (this.topics.has(name))
      throw new ApiError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
    const collision = this.topicsByCollisionKey.get(collisionKey(name));
    if (collision !== undefined) {
      throw new ApiError(
        ErrorCode.INVALID_TOPIC_EXCEPTION,
        `Topic '${name}' collides with existing topic: ${collision}`,
      );
    }
    const configs = new Map<string, string>();
    for (const [k, v] of Object.entries(opts.configs ?? {})) {
      const err = validateTopicConfig(k, v);
      if (err) throw new ApiError(ErrorCode.INVALID_CONFIG, err);
      if (v !== null) configs.set(k, v);
    }
    const assignments = opts.assignments?.length ? opts.assignments : this.assignReplicas(opts);
    const alive = new Set(this.aliveBrokers().map((b) => b.nodeId));
    for (const [i, replicas] of assignments.entries()) {
      if (replicas.length === 0 || new Set(replicas).size !== replicas.length) {
        throw new ApiError(
          ErrorCode.INVALID_REPLICA_ASSIGNMENT,
          `Invalid replica assignment for partition ${i}.`,
        );
      }
      for (const r of replicas) {
        if (!this.brokers.has(r)) {
          throw new ApiError(
            ErrorCode.INVALID_REPLICA_ASSIGNMENT,
            `Unknown broker ${r} in the replica assignment.`,
          );
        }
      }
    }
    const topic: TopicState = {
      name,
      topicId: newTopicId(),
      partitions: assignments.map((replicas, partition) => {
        const isr = replicas.filter((r) => alive.has(r));
        return {
          partition,
          leader: isr[0] ?? -1,
          leaderEpoch: 0,
          partitionEpoch: 0,
          replicas: [...replicas],
          isr,
        };
      }),
      configs,
      internal: Boolean(opts.internal),
    };
    if (opts.validateOnly) return topic;
    this.topics.set(name, topic);
    this.topicsByCollisionKey.set(collisionKey(name), name);
    this.topicsById.set(topic.topicId, topic);
    this.emit({ type: 'topicCreated', topic });
    return topic;
  }

  /** Kafka's rack-unaware assignment: round-robin leaders, followers shifted after them. */
  private assignReplicas(opts: CreateTopicOptions): number[][] {
    const partitions = opts.numPartitions === -1 ? this.config.numPartitions : opts.numPartitions;
    const rf = opts.replicationFactor === -1 ? this.config.defaultReplicationFactor : opts.replicationFactor;
    if (!Number.isInteger(partitions) || partitions <= 0) {
      throw new ApiError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.');
    }
    if (!Number.isInteger(rf) || rf <= 0) {
      throw new ApiError(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0.');
    }
    if (partitions > MAX_PARTITIONS_PER_BATCH) throw tooManyPartitions();
    const brokers = this.aliveBrokers().map((b) => b.nodeId);
    if (rf > brokers.length) {
      throw new ApiError(
        ErrorCode.INVALID_REPLICATION_FACTOR,
        `Unable to replicate the partition ${rf} time(s): The target replication factor of ${rf} cannot be reached because only ${brokers.length} broker(s) are registered.`,
      );
    }
    const start = this.nextAssignmentStart++ % brokers.length;
    const out: number[][] = [];
    for (let p = 0; p < partitions; p++) {
      const first = (start + p) % brokers.length;
      const replicas = [brokers[first]];
      for (let j = 1; j < rf; j++) replicas.push(brokers[(first + j) % brokers.length]);
      out.push(replicas);
    }
    return out;
  }

  /** Deletes a topic; throws UNKNOWN_TOPIC_OR_PARTITION when it does not exist. */
  deleteTopic(name: string): TopicState {
    const topic = this.topics.get(name);
    if (!topic) {
      throw new ApiError(
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        'This server does not host this topic-partition.',
      );
    }
    this.topics.delete(name);
    this.topicsByCollisionKey.delete(collisionKey(name));
    this.topicsById.delete(topic.topicId);
    this.emit({ type: 'topicDeleted', topic });
    return topic;
  }

  /** Grows a topic to `count` partitions. */
  createPartitions(name: string, count: number, assignments?: number[][] | null, validateOnly = false): void {
    const topic = this.topics.get(name);
    if (!topic) {
      throw new ApiError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`);
    }
    const current = topic.partitions.length;
    if (count <= current) {
      throw new ApiError(
        ErrorCode.INVALID_PARTITIONS,
        count === current
          ? `Topic already has ${current} partitions.`
          : `Topic currently has ${current} partitions, which is higher than the requested ${count}.`,
      );
    }
    if (count - current > MAX_PARTITIONS_PER_BATCH) throw tooManyPartitions();
    const rf = topic.partitions[0]?.replicas.length ?? 1;
    const additional = count - current;
    if (assignments && assignments.length !== additional) {
      throw new ApiError(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `Attempted to add ${additional} additional partition(s), but only ${assignments.length} assignment(s) were specified.`,
      );
    }
    const alive = new Set(this.aliveBrokers().map((b) => b.nodeId));
    // Kafka's ReplicationControlManager checks a manual assignment before anything changes: a
    // partition on an unknown broker would have no leader for ever.
    for (const [i, replicas] of (assignments ?? []).entries()) {
      validateManualAssignment(replicas, rf, (id) => this.brokers.has(id));
      if (!replicas.some((r) => alive.has(r))) {
        throw new ApiError(
          ErrorCode.INVALID_REPLICA_ASSIGNMENT,
          `All brokers specified in the manual partition assignment for partition ${current + i} are fenced or in controlled shutdown.`,
        );
      }
    }
    const added =
      assignments ?? this.assignReplicas({ numPartitions: count, replicationFactor: rf }).slice(current);
    if (validateOnly) return;
    for (const [i, replicas] of added.entries()) {
      const isr = replicas.filter((r) => alive.has(r));
      topic.partitions.push({
        partition: current + i,
        leader: isr[0] ?? -1,
        leaderEpoch: 0,
        partitionEpoch: 0,
        replicas: [...replicas],
        isr,
      });
    }
    this.emit({ type: 'partitionsCreated', topic, from: current });
  }

  /** Replaces (`incremental` false) or edits a topic's config overrides. */
  alterTopicConfigs(
    name: string,
    changes: { name: string; value: string | null; op: 'set' | 'delete' | 'append' | 'subtract' }[],
    incremental: boolean,
    validateOnly = false,
  ): void {
    const topic = this.topics.get(name);
    if (!topic) throw new ApiError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${name} does not exist.`);
    const next = incremental ? new Map(topic.configs) : new Map<string, string>();
    for (const c of changes) {
      if (c.op === 'delete' || c.value === null) {
        if (!validateTopicConfig(c.name, null)) next.delete(c.name);
        else throw new ApiError(ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${c.name}`);
        continue;
      }
      const value = applyListOp(c.op ?? 'set', next.get(c.name), c.value);
      const err = validateTopicConfig(c.name, value);
      if (err) throw new ApiError(ErrorCode.INVALID_CONFIG, err);
      next.set(c.name, value);
    }
    if (validateOnly) return;
    topic.configs = next;
    this.emit({ type: 'configChanged', topic });
  }

  /** Changes a partition's leader (fault injection, and leader election when a broker stops). */
  setLeader(name: string, partition: number, leader: number): void {
    const topic = this.topics.get(name);
    const p = topic?.partitions[partition];
    if (!topic || !p)
      throw new ApiError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Unknown partition ${name}-${partition}`);
    this.changeLeader(topic, p, leader);
  }

  /** Hands out a producer id never given before in this cluster. */
  allocateProducerId(): number {
    const id = this.nextProducerId++;
    this.emit({ type: 'producerIdAllocated', producerId: id });
    return id;
  }

  /** Restores a topic read back from a snapshot on restart (no events). */
  restoreTopic(topic: TopicState): void {
    this.topics.set(topic.name, topic);
    this.topicsByCollisionKey.set(collisionKey(topic.name), topic.name);
    this.topicsById.set(topic.topicId, topic);
  }
}

/** The name two topics collide on: '.' and '_' are the same in metric names (Kafka's rule). */
function collisionKey(name: string): string {
  return name.replace(/\./g, '_');
}
