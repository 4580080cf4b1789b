/**
 * The admin requests the `topics` and `consumer-groups` commands make, sent directly through the
 * transport's {@link Cluster} (the admin client is written in parallel; these are the few calls
 * the commands need). Kafka error codes become one-line {@link CliError}s naming what failed.
 */
import { Api, createKafkaError } from '@tskafka/protocol';
import type { Cluster } from '@tskafka/transport';
import { CliError } from '../errors.js';

/** One partition of a topic as Metadata describes it. */
export interface PartitionInfo {
  /** Partition number. */
  partition: number;
  /** Leader node id, or -1. */
  leader: number;
  /** Replica node ids. */
  replicas: number[];
  /** In-sync replica node ids. */
  isr: number[];
}

/** A topic as Metadata describes it. */
export interface TopicInfo {
  /** Name. */
  name: string;
  /** Topic id (base64, as Kafka prints it). */
  topicId: string;
  /** Whether it is internal (`__consumer_offsets`). */
  isInternal: boolean;
  /** Partitions, by number. */
  partitions: PartitionInfo[];
}

const UNKNOWN_TOPIC_OR_PARTITION = 3;

/** The error message for a Kafka error code, one line. */
export function kafkaErrorMessage(code: number, apiName: string, message?: string | null): string {
  const e = createKafkaError(code, { apiName, ...(message ? { message } : {}) });
  return `${e.errorName}: ${(message || e.message).split('\n')[0]}`;
}

/**
 * Topics from Metadata, without auto-creating any; all topics when `topics` is undefined.
 * Fails with "topic T does not exist" for a named topic the cluster does not have.
 */
export async function describeTopicsMetadata(
  cluster: Cluster,
  topics?: readonly string[],
): Promise<TopicInfo[]> {
  const res = await cluster.requestAny(Api.Metadata, {
    topics: topics === undefined ? null : topics.map((name) => ({ name })),
    allowAutoTopicCreation: false,
  });
  const out: TopicInfo[] = [];
  for (const t of res.topics) {
    const name = t.name ?? '';
    if (t.errorCode === UNKNOWN_TOPIC_OR_PARTITION) throw new CliError(`topic "${name}" does not exist`);
    if (t.errorCode !== 0)
      throw new CliError(`topic "${name}": ${kafkaErrorMessage(t.errorCode, 'Metadata')}`);
    out.push({
      name,
      topicId: t.topicId ?? '',
      isInternal: t.isInternal ?? false,
      partitions: t.partitions
        .map((p) => ({
          partition: p.partitionIndex,
          leader: p.leaderId,
          replicas: p.replicaNodes,
          isr: p.isrNodes,
        }))
        .sort((a, b) => a.partition - b.partition),
    });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The partition numbers of each of `topics`; fails when one does not exist. */
export async function topicPartitions(
  cluster: Cluster,
  topics: readonly string[],
): Promise<Map<string, number[]>> {
  const described = await describeTopicsMetadata(cluster, topics);
  return new Map(described.map((t) => [t.name, t.partitions.map((p) => p.partition)]));
}

function check(code: number, apiName: string, what: string, message?: string | null): void {
  if (code !== 0) throw new CliError(`${what}: ${kafkaErrorMessage(code, apiName, message)}`);
}

/** The controller's node id, for requests only the controller may answer. */
async function controller(cluster: Cluster): Promise<number> {
  const res = await cluster.requestAny(Api.Metadata, { topics: [], allowAutoTopicCreation: false });
  return res.controllerId >= 0 ? res.controllerId : (res.brokers[0]?.nodeId ?? -1);
}

/** Creates a topic; fails with Kafka's error (TOPIC_ALREADY_EXISTS, INVALID_REPLICATION_FACTOR, ...). */
export async function createTopic(
  cluster: Cluster,
  topic: { name: string; partitions: number; replicationFactor: number; configs: Record<string, string> },
): Promise<void> {
  const res = await cluster.request(await controller(cluster), Api.CreateTopics, {
    topics: [
      {
        name: topic.name,
        numPartitions: topic.partitions,
        replicationFactor: topic.replicationFactor,
        assignments: [],
        configs: Object.entries(topic.configs).map(([name, value]) => ({ name, value })),
      },
    ],
    timeoutMs: 10_000,
    validateOnly: false,
  });
  for (const t of res.topics) check(t.errorCode, 'CreateTopics', `topic "${t.name}"`, t.errorMessage);
}

/** Deletes topics; a missing one fails with "does not exist". */
export async function deleteTopics(cluster: Cluster, names: readonly string[]): Promise<void> {
  const res = await cluster.request(
    await controller(cluster),
    Api.DeleteTopics,
    { topicNames: [...names], topics: [], timeoutMs: 10_000 },
    { maxVersion: 5 },
  );
  for (const t of res.responses) {
    if (t.errorCode === UNKNOWN_TOPIC_OR_PARTITION) throw new CliError(`topic "${t.name}" does not exist`);
    check(t.errorCode, 'DeleteTopics', `topic "${t.name}"`, t.errorMessage);
  }
}

/** Raises a topic's partition count to `count`. */
export async function createPartitions(cluster: Cluster, name: string, count: number): Promise<void> {
  const res = await cluster.request(await controller(cluster), Api.CreatePartitions, {
    topics: [{ name, count, assignments: null }],
    timeoutMs: 10_000,
    validateOnly: false,
  });
  for (const t of res.results) {
    if (t.errorCode === UNKNOWN_TOPIC_OR_PARTITION) throw new CliError(`topic "${t.name}" does not exist`);
    check(t.errorCode, 'CreatePartitions', `topic "${t.name}"`, t.errorMessage);
  }
}

/** A topic's configs that are set on the topic itself (as `--describe` prints them). */
export async function topicConfigs(cluster: Cluster, name: string): Promise<Record<string, string>> {
  const res = await cluster.requestAny(Api.DescribeConfigs, {
    resources: [{ resourceType: 2 /* TOPIC */, resourceName: name, configurationKeys: null }],
    includeSynonyms: false,
    includeDocumentation: false,
  });
  const out: Record<string, string> = {};
  for (const r of res.results) {
    if (r.errorCode !== 0) continue;
    for (const c of r.configs) {
      // configSource 1 is DYNAMIC_TOPIC_CONFIG (v1+); isDefault is v0's flag.
      const own = c.configSource === 1 || (c.configSource === -1 && c.isDefault === false);
      if (own && c.value !== null && !c.isSensitive) out[c.name] = c.value;
    }
  }
  return out;
}

/** A consumer group as ListGroups names it. */
export interface ListedGroup {
  /** Group id. */
  groupId: string;
  /** Protocol type (`consumer` for consumer groups). */
  protocolType: string;
  /** State, where the broker says (ListGroups v4+). */
  state: string;
}

/** Every group on every broker. */
export async function listGroups(cluster: Cluster): Promise<ListedGroup[]> {
  const meta = await cluster.requestAny(Api.Metadata, { topics: [], allowAutoTopicCreation: false });
  const out: ListedGroup[] = [];
  for (const b of meta.brokers) {
    const res = await cluster.request(b.nodeId, Api.ListGroups, { statesFilter: [], typesFilter: [] });
    check(res.errorCode, 'ListGroups', `broker ${b.nodeId}`);
    for (const g of res.groups)
      out.push({ groupId: g.groupId, protocolType: g.protocolType, state: g.groupState ?? '' });
  }
  return out.sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
}

/** A member of a described group. */
export interface GroupMember {
  /** Member id. */
  memberId: string;
  /** Client id. */
  clientId: string;
  /** Client host, as the broker saw it (`/127.0.0.1`). */
  clientHost: string;
  /** Its assignment bytes (the consumer protocol's). */
  assignment: Buffer;
}

/** A group as DescribeGroups describes it. */
export interface GroupDescription {
  /** Group id. */
  groupId: string;
  /** State: Empty, Stable, PreparingRebalance, CompletingRebalance, Dead. */
  state: string;
  /** Protocol type. */
  protocolType: string;
  /** Members. */
  members: GroupMember[];
}

/** Describes a group through its coordinator. */
export async function describeGroup(cluster: Cluster, groupId: string): Promise<GroupDescription> {
  const res = await cluster.requestCoordinator('group', groupId, Api.DescribeGroups, {
    groups: [groupId],
    includeAuthorizedOperations: false,
  });
  const g = res.groups[0];
  if (g === undefined) throw new CliError(`group "${groupId}": no description in the response`);
  check(g.errorCode, 'DescribeGroups', `group "${groupId}"`);
  return {
    groupId,
    state: g.groupState,
    protocolType: g.protocolType,
    members: g.members.map((m) => ({
      memberId: m.memberId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      assignment: Buffer.from(m.memberAssignment),
    })),
  };
}

/** A group's committed offsets: `topic` → partition → offset. */
export async function committedOffsets(
  cluster: Cluster,
  groupId: string,
): Promise<Map<string, Map<number, number>>> {
  const res = await cluster.requestCoordinator(
    'group',
    groupId,
    Api.OffsetFetch,
    { groupId, topics: null, requireStable: false },
    { maxVersion: 7 },
  );
  check(res.errorCode ?? 0, 'OffsetFetch', `group "${groupId}"`);
  const out = new Map<string, Map<number, number>>();
  for (const t of res.topics) {
    const m = new Map<number, number>();
    for (const p of t.partitions)
      if (p.errorCode === 0 && p.committedOffset >= 0) m.set(p.partitionIndex, Number(p.committedOffset));
    if (m.size > 0) out.set(t.name, m);
  }
  return out;
}

/** The earliest (`-2`) or latest (`-1`) offset of each partition of `topic`, asked of each leader. */
export async function listOffsets(
  cluster: Cluster,
  topic: TopicInfo,
  which: 'earliest' | 'latest',
): Promise<Map<number, number>> {
  const byLeader = new Map<number, number[]>();
  for (const p of topic.partitions) {
    const list = byLeader.get(p.leader) ?? [];
    list.push(p.partition);
    byLeader.set(p.leader, list);
  }
  const out = new Map<number, number>();
  for (const [leader, partitions] of byLeader) {
    if (leader < 0)
      throw new CliError(`topic "${topic.name}": partitions ${partitions.join(',')} have no leader`);
    const res = await cluster.request(leader, Api.ListOffsets, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [
        {
          name: topic.name,
          partitions: partitions.map((partitionIndex) => ({
            partitionIndex,
            timestamp: which === 'earliest' ? -2 : -1,
          })),
        },
      ],
    });
    for (const t of res.topics)
      for (const p of t.partitions) {
        check(p.errorCode, 'ListOffsets', `topic "${topic.name}" partition ${p.partitionIndex}`);
        out.set(p.partitionIndex, Number(p.offset));
      }
  }
  return out;
}

/** Commits offsets for a group that has no active members (as Kafka's reset tool requires). */
export async function commitOffsets(
  cluster: Cluster,
  groupId: string,
  topic: string,
  offsets: ReadonlyMap<number, number>,
): Promise<void> {
  const res = await cluster.requestCoordinator('group', groupId, Api.OffsetCommit, {
    groupId,
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    topics: [
      {
        name: topic,
        partitions: [...offsets].map(([partitionIndex, offset]) => ({
          partitionIndex,
          committedOffset: offset,
          committedMetadata: '',
        })),
      },
    ],
  });
  for (const t of res.topics)
    for (const p of t.partitions)
      check(p.errorCode, 'OffsetCommit', `group "${groupId}" ${t.name}-${p.partitionIndex}`);
}

/** Deletes groups (only empty ones: Kafka answers NON_EMPTY_GROUP otherwise). */
export async function deleteGroup(cluster: Cluster, groupId: string): Promise<void> {
  const res = await cluster.requestCoordinator('group', groupId, Api.DeleteGroups, {
    groupsNames: [groupId],
  });
  for (const r of res.results) {
    if (r.errorCode === 69 /* GROUP_ID_NOT_FOUND */) throw new CliError(`group "${groupId}" does not exist`);
    check(r.errorCode, 'DeleteGroups', `group "${groupId}"`);
  }
}
