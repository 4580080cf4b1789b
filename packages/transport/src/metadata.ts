/**
 * The client's view of the cluster (Java's `Metadata`): brokers, controller, cluster id, and per
 * topic its id and partitions (leader, leader epoch, replicas, ISR, offline replicas). Pure
 * state: the {@link Cluster} fetches Metadata responses and feeds them in with `now`.
 *
 * Leader epochs only move forward (KIP-320): a response that carries an older epoch for a
 * partition than one already seen (from metadata or from a fetch) is a broker lagging behind, and
 * the cached partition is kept. A topic recreated under a new topic id starts over.
 *
 * @module
 */
import { type MetadataResponse, ZERO_UUID } from '@tskafka/protocol/internals';

/** One broker, as Metadata lists it. */
export interface BrokerMetadata {
  /** The node id. */
  readonly nodeId: number;
  /** The advertised host. */
  readonly host: string;
  /** The advertised port. */
  readonly port: number;
  /** The rack, if any. */
  readonly rack: string | null;
}

/** One partition. */
export interface PartitionMetadata {
  /** The topic. */
  readonly topic: string;
  /** The partition index. */
  readonly partition: number;
  /** The leader's node id; -1 when there is none (election in progress). */
  readonly leader: number;
  /** The leader epoch; -1 when the broker does not say (Metadata before v7). */
  readonly leaderEpoch: number;
  /** Every replica's node id. */
  readonly replicas: readonly number[];
  /** The in-sync replicas. */
  readonly isr: readonly number[];
  /** Replicas on brokers that are down. */
  readonly offlineReplicas: readonly number[];
  /** The partition's error code in the response (0, or e.g. LEADER_NOT_AVAILABLE). */
  readonly errorCode: number;
}

/** One topic. */
export interface TopicMetadata {
  /** The name. */
  readonly name: string;
  /** The topic id (Kafka's base64 form); the zero UUID when the broker does not say. */
  readonly topicId: string;
  /** Whether it is an internal topic (`__consumer_offsets`, ...). */
  readonly isInternal: boolean;
  /** The partitions, indexed by partition number. */
  readonly partitions: readonly PartitionMetadata[];
}

/** A topic-level error from the latest response that named the topic. */
export interface TopicErrorInfo {
  /** The error code (e.g. UNKNOWN_TOPIC_OR_PARTITION, TOPIC_AUTHORIZATION_FAILED). */
  readonly errorCode: number;
  /** When it was seen, ms. */
  readonly atMs: number;
}

/** The metadata cache. */
export class MetadataCache {
  /** The cluster id, once known. */
  clusterId: string | null = null;
  /** The controller's node id (-1 unknown). */
  controllerId = -1;
  /** Brokers by node id. */
  brokers: ReadonlyMap<number, BrokerMetadata> = new Map();
  /** Topics by name. */
  readonly topics = new Map<string, TopicMetadata>();
  /** Topic-level errors of the latest responses, by topic name; cleared when the topic shows up. */
  readonly topicErrors = new Map<string, TopicErrorInfo>();
  /** When metadata was last updated successfully, ms (0: never). */
  lastRefreshMs = 0;
  /** When an update was last attempted, ms (0: never). */
  lastAttemptMs = 0;
  /** Counts updates; callers wait for it to move. */
  updateVersion = 0;
  private needUpdate = false;
  private requestVersion = 0;
  /** Highest leader epoch seen per `topic:partition` (from metadata or reported by a fetch). */
  private readonly lastSeenEpochs = new Map<string, number>();

  /** Whether an update was requested and not yet satisfied by a response sent after it. */
  get updateRequested(): boolean {
    return this.needUpdate;
  }

  /** The version of the latest update request; pass it to {@link MetadataCache.update} with the response. */
  get updateRequestVersion(): number {
    return this.requestVersion;
  }

  /** Whether any response has arrived yet. */
  get isBootstrapped(): boolean {
    return this.updateVersion > 0;
  }

  /** Marks the metadata stale: the next chance to refresh takes it (after the retry backoff). */
  requestUpdate(): void {
    this.needUpdate = true;
    this.requestVersion++;
  }

  /**
   * Ms until the next refresh is due: now if requested (or never fetched), else when
   * `metadataMaxAgeMs` runs out; never sooner than `backoffMs` after the last attempt.
   */
  timeToNextUpdate(now: number, metadataMaxAgeMs: number, backoffMs: number): number {
    const expire =
      this.needUpdate || this.updateVersion === 0
        ? 0
        : Math.max(0, this.lastRefreshMs + metadataMaxAgeMs - now);
    const allow = this.lastAttemptMs === 0 ? 0 : Math.max(0, this.lastAttemptMs + backoffMs - now);
    return Math.max(expire, allow);
  }

  /** An update attempt failed at `now` (counts for the backoff). */
  failedUpdate(now: number): void {
    this.lastAttemptMs = now;
  }

  /**
   * Applies a Metadata response received at `now`. `requestedTopics` are the topics asked for
   * (null: all topics, so topics missing from the response are gone); `requestVersion` is
   * {@link MetadataCache.updateRequestVersion} when the request was sent, so that an update
   * requested after it stays pending.
   */
  update(
    response: MetadataResponse,
    now: number,
    requestedTopics: readonly string[] | null,
    requestVersion: number,
  ): void {
    const brokers = new Map<number, BrokerMetadata>();
    for (const b of response.brokers) {
      brokers.set(b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack ?? null });
    }
    this.brokers = brokers;
    if (response.clusterId !== null) this.clusterId = response.clusterId;
    this.controllerId = response.controllerId;
    const seen = new Set<string>();
    for (const t of response.topics) {
      const name = t.name;
      if (name === null) continue;
      seen.add(name);
      if (t.errorCode !== 0) {
        this.topicErrors.set(name, { errorCode: t.errorCode, atMs: now });
        this.topics.delete(name);
        continue;
      }
      this.topicErrors.delete(name);
      this.topics.set(name, this.mergeTopic(t, this.topics.get(name)));
    }
    if (requestedTopics === null) {
      for (const name of [...this.topics.keys()]) if (!seen.has(name)) this.topics.delete(name);
    }
    this.lastRefreshMs = now;
    this.lastAttemptMs = now;
    this.updateVersion++;
    if (requestVersion >= this.requestVersion) this.needUpdate = false;
  }

  private mergeTopic(t: MetadataResponse['topics'][number], old: TopicMetadata | undefined): TopicMetadata {
    const name = t.name as string;
    const topicId = t.topicId ?? ZERO_UUID;
    const recreated =
      old !== undefined && topicId !== ZERO_UUID && old.topicId !== ZERO_UUID && old.topicId !== topicId;
    const partitions: PartitionMetadata[] = [];
    for (const p of t.partitions) {
      const fresh: PartitionMetadata = {
        topic: name,
        partition: p.partitionIndex,
        leader: p.leaderId,
        leaderEpoch: p.leaderEpoch,
        replicas: p.replicaNodes,
        isr: p.isrNodes,
        offlineReplicas: p.offlineReplicas,
        errorCode: p.errorCode,
      };
      partitions[p.partitionIndex] = this.pickPartition(fresh, old?.partitions[p.partitionIndex], recreated);
    }
    // A hole would mean a broken response; keep the array dense with leaderless placeholders.
    for (let i = 0; i < partitions.length; i++) {
      partitions[i] ??= {
        topic: name,
        partition: i,
        leader: -1,
        leaderEpoch: -1,
        replicas: [],
        isr: [],
        offlineReplicas: [],
        errorCode: 0,
      };
    }
    return { name, topicId, isInternal: t.isInternal, partitions };
  }

  /** KIP-320: never let an older leader epoch replace a newer one. */
  private pickPartition(
    fresh: PartitionMetadata,
    cached: PartitionMetadata | undefined,
    recreated: boolean,
  ): PartitionMetadata {
    const key = `${fresh.topic}:${fresh.partition}`;
    if (fresh.leaderEpoch < 0) {
      // Old brokers (Metadata < v7) and error entries carry no epoch: take them as they are.
      this.lastSeenEpochs.delete(key);
      return fresh;
    }
    const current = this.lastSeenEpochs.get(key);
    if (recreated || current === undefined || fresh.leaderEpoch >= current) {
      this.lastSeenEpochs.set(key, fresh.leaderEpoch);
      return fresh;
    }
    // A lagging broker: keep what we had, if anything (else take it, it is all we know).
    return cached ?? fresh;
  }

  /**
   * Records a leader epoch seen elsewhere (e.g. in a fetch response). Returns true, and requests
   * a metadata update, when it is newer than any seen, as Java's `updateLastSeenEpochIfNewer`.
   */
  updateLastSeenEpoch(topic: string, partition: number, epoch: number): boolean {
    if (epoch < 0) return false;
    const key = `${topic}:${partition}`;
    const current = this.lastSeenEpochs.get(key);
    if (current !== undefined && epoch <= current) return false;
    this.lastSeenEpochs.set(key, epoch);
    this.requestUpdate();
    return true;
  }

  /** The highest leader epoch seen for a partition, if any. */
  lastSeenLeaderEpoch(topic: string, partition: number): number | undefined {
    return this.lastSeenEpochs.get(`${topic}:${partition}`);
  }

  /** A topic's metadata, if cached. */
  topic(name: string): TopicMetadata | undefined {
    return this.topics.get(name);
  }

  /** A partition's metadata, if cached. */
  partition(topic: string, partition: number): PartitionMetadata | undefined {
    return this.topics.get(topic)?.partitions[partition];
  }

  /** The leader of a partition; -1 when unknown or leaderless. */
  leaderFor(topic: string, partition: number): number {
    const p = this.topics.get(topic)?.partitions[partition];
    return p === undefined ? -1 : p.leader;
  }

  /** The number of partitions of a topic, or undefined when it is not cached. */
  partitionCountFor(topic: string): number | undefined {
    return this.topics.get(topic)?.partitions.length;
  }

  /** A broker by node id. */
  broker(nodeId: number): BrokerMetadata | undefined {
    return this.brokers.get(nodeId);
  }
}
