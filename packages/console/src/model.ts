/**
 * What the console's JSON API answers: each function reads the cluster through the admin client
 * (and the sampler's last snapshot for sizes and lag) and returns plain JSON-able objects. The
 * pages render the same objects, so a page and its `/api/...` endpoint always agree.
 */
import type { Admin, ConfigEntry, GroupDescription, TopicDescription } from '@tskafka/admin';
import { type Sampler, tpKey } from './sampler.js';

/** A broker on the overview. */
export interface BrokerView {
  /** Node id. */
  nodeId: number;
  /** Advertised host. */
  host: string;
  /** Advertised port. */
  port: number;
  /** Rack, or null. */
  rack: string | null;
  /** Whether it is the active controller. */
  controller: boolean;
  /** Partitions it leads. */
  leaders: number;
  /** Replicas it hosts. */
  replicas: number;
}

/** The cluster overview (`GET /api/cluster`). */
export interface ClusterView {
  /** The cluster id, or null. */
  clusterId: string | null;
  /** The controller's node id, -1 when unknown. */
  controller: number;
  /** Live brokers, by node id. */
  brokers: BrokerView[];
  /** Topics, internal ones included. */
  topics: number;
  /** Partitions of all topics. */
  partitions: number;
  /** Partitions with fewer in-sync replicas than replicas. */
  underReplicated: number;
  /** Partitions without a leader. */
  offline: number;
  /** Messages produced per second, cluster-wide (internal topics left out); null before two samples. */
  messagesInPerSec: number | null;
  /** Messages consumed (committed) per second, cluster-wide; null before two samples. */
  messagesOutPerSec: number | null;
}

/** A topic in the list (`GET /api/topics`). */
export interface TopicSummary {
  /** Name. */
  name: string;
  /** Whether Kafka uses it itself. */
  internal: boolean;
  /** Partition count. */
  partitions: number;
  /** Replicas of partition 0 (the topic's replication factor). */
  replicationFactor: number;
  /** Partitions with fewer in-sync replicas than replicas. */
  underReplicated: number;
  /** Records kept (log end minus log start, summed), from the last sample; null before it. */
  records: number | null;
  /** Bytes of its leader replicas' logs (DescribeLogDirs), from the last sample; null when unknown. */
  bytes: number | null;
  /** Messages produced per second; null before two samples. */
  messagesInPerSec: number | null;
}

/** A page of a list. */
export interface Page<T> {
  /** Matching items in all pages. */
  total: number;
  /** This page, from 1. */
  page: number;
  /** Items per page. */
  pageSize: number;
  /** This page's items. */
  items: T[];
}

/** A partition of a topic page. */
export interface PartitionView {
  /** Index. */
  partition: number;
  /** Leader node id, -1 without one. */
  leader: number;
  /** Replicas, preferred leader first. */
  replicas: number[];
  /** In-sync replicas. */
  isr: number[];
  /** Replicas on offline brokers. */
  offlineReplicas: number[];
  /** Log start offset, null when the leader did not answer. */
  logStartOffset: number | null;
  /** Log end offset (high watermark), null when the leader did not answer. */
  logEndOffset: number | null;
}

/** A topic page (`GET /api/topics/:name`). */
export interface TopicView {
  /** Name. */
  name: string;
  /** Topic id. */
  topicId: string;
  /** Whether Kafka uses it itself. */
  internal: boolean;
  /** Partitions in index order. */
  partitions: PartitionView[];
  /** Its configs as DescribeConfigs gives them. */
  configs: ConfigEntry[];
}

/** A group in the list (`GET /api/groups`). */
export interface GroupSummary {
  /** Group id. */
  groupId: string;
  /** State (`Stable`, `Empty`, ...). */
  state: string;
  /** `consumer` for consumer groups. */
  protocolType: string;
  /** The assignor chosen, '' when none. */
  protocol: string;
  /** Members now. */
  members: number;
  /** Total lag from the last sample, null before it. */
  lag: number | null;
}

/** A partition row of a group page. */
export interface GroupOffsetView {
  /** Topic. */
  topic: string;
  /** Partition. */
  partition: number;
  /** Committed offset, null when none. */
  committed: number | null;
  /** Log end offset, null when unknown. */
  logEndOffset: number | null;
  /** Log end minus committed, null when either is unknown. */
  lag: number | null;
  /** The member that owns the partition, or null. */
  memberId: string | null;
  /** That member's client id, or null. */
  clientId: string | null;
  /** That member's host, or null. */
  host: string | null;
}

/** A member of a group page. */
export interface MemberView {
  /** Member id. */
  memberId: string;
  /** Static instance id, or null. */
  groupInstanceId: string | null;
  /** client.id. */
  clientId: string;
  /** Host as the coordinator saw it. */
  host: string;
  /** Assigned partitions as `topic-partition`. */
  assignment: string[];
}

/** A group page (`GET /api/groups/:id`). */
export interface GroupView {
  /** Group id. */
  groupId: string;
  /** State. */
  state: string;
  /** Protocol type. */
  protocolType: string;
  /** Assignor. */
  protocol: string;
  /** Members. */
  members: MemberView[];
  /** Committed offsets and lag per partition, by topic then partition. */
  offsets: GroupOffsetView[];
  /** Total lag. */
  totalLag: number;
}

/** Options of a list page. */
export interface ListQuery {
  /** Substring the names must contain. */
  q?: string;
  /** Page number from 1. */
  page?: number;
  /** Items per page (at most 1000). */
  pageSize?: number;
  /** Include internal topics. */
  internal?: boolean;
}

/** Pages a list. */
export function paginate<T>(items: T[], query: ListQuery): Page<T> {
  const pageSize = Math.min(1000, Math.max(1, query.pageSize ?? 100));
  const pages = Math.max(1, Math.ceil(items.length / pageSize));
  const page = Math.min(pages, Math.max(1, query.page ?? 1));
  return { total: items.length, page, pageSize, items: items.slice((page - 1) * pageSize, page * pageSize) };
}

/** The overview. */
export async function clusterView(admin: Admin, sampler: Sampler): Promise<ClusterView> {
  const [cluster, topics] = await Promise.all([admin.describeCluster(), admin.describeTopics()]);
  const leaders = new Map<number, number>();
  const replicas = new Map<number, number>();
  let partitions = 0;
  let underReplicated = 0;
  let offline = 0;
  for (const t of topics)
    for (const p of t.partitions) {
      partitions++;
      if (p.isr.length < p.replicas.length) underReplicated++;
      if (p.leader < 0) offline++;
      else leaders.set(p.leader, (leaders.get(p.leader) ?? 0) + 1);
      for (const r of p.replicas) replicas.set(r, (replicas.get(r) ?? 0) + 1);
    }
  const rates = sampler.clusterRates();
  return {
    clusterId: cluster.clusterId,
    controller: cluster.controller,
    brokers: [...cluster.brokers]
      .sort((a, b) => a.nodeId - b.nodeId)
      .map((b) => ({
        nodeId: b.nodeId,
        host: b.host,
        port: b.port,
        rack: b.rack,
        controller: b.nodeId === cluster.controller,
        leaders: leaders.get(b.nodeId) ?? 0,
        replicas: replicas.get(b.nodeId) ?? 0,
      })),
    topics: topics.length,
    partitions,
    underReplicated,
    offline,
    messagesInPerSec: rates.in,
    messagesOutPerSec: rates.out,
  };
}

/** The topic list, sorted by name. */
export async function topicList(
  admin: Admin,
  sampler: Sampler,
  query: ListQuery,
): Promise<Page<TopicSummary>> {
  const described = await admin.describeTopics();
  const q = query.q?.toLowerCase() ?? '';
  const matching = described
    .filter((t) => (query.internal === true || !t.isInternal) && t.name.toLowerCase().includes(q))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const page = paginate(matching, query);
  return { ...page, items: page.items.map((t) => topicSummary(t, sampler)) };
}

function topicSummary(t: TopicDescription, sampler: Sampler): TopicSummary {
  const snap = sampler.snapshot;
  let records: number | null = snap.at === 0 ? null : 0;
  for (const p of t.partitions) {
    const end = snap.ends.get(tpKey(t.name, p.partition));
    const start = snap.starts.get(tpKey(t.name, p.partition));
    if (records !== null && end !== undefined && start !== undefined) records += Math.max(0, end - start);
  }
  return {
    name: t.name,
    internal: t.isInternal,
    partitions: t.partitions.length,
    replicationFactor: t.partitions[0]?.replicas.length ?? 0,
    underReplicated: t.partitions.filter((p) => p.isr.length < p.replicas.length).length,
    records,
    bytes: snap.sizes.get(t.name) ?? null,
    messagesInPerSec: sampler.topicRates(t.name).in,
  };
}

/** A topic page; undefined when the topic does not exist. */
export async function topicView(admin: Admin, name: string): Promise<TopicView | undefined> {
  const [t] = (await admin.describeTopics()).filter((d) => d.name === name);
  if (t === undefined) return undefined;
  const [ends, starts, configs] = await Promise.all([
    admin.listOffsets(name, 'latest').catch(() => []),
    admin.listOffsets(name, 'earliest').catch(() => []),
    admin.describeConfigs([{ type: 'topic', name }]).catch(() => []),
  ]);
  const end = new Map(ends.map((o) => [o.partition, o.offset]));
  const start = new Map(starts.map((o) => [o.partition, o.offset]));
  return {
    name: t.name,
    topicId: t.topicId,
    internal: t.isInternal,
    partitions: t.partitions.map((p) => ({
      partition: p.partition,
      leader: p.leader,
      replicas: p.replicas,
      isr: p.isr,
      offlineReplicas: p.offlineReplicas,
      logStartOffset: start.get(p.partition) ?? null,
      logEndOffset: end.get(p.partition) ?? null,
    })),
    configs: [...(configs[0]?.configs ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1)),
  };
}

/** The group list, sorted by id, with the sampled lag. */
export async function groupList(
  admin: Admin,
  sampler: Sampler,
  query: ListQuery,
): Promise<Page<GroupSummary>> {
  const listed = await admin.listGroups();
  const q = query.q?.toLowerCase() ?? '';
  const matching = listed
    .filter((g) => g.groupId.toLowerCase().includes(q))
    .sort((a, b) => (a.groupId < b.groupId ? -1 : 1));
  const page = paginate(matching, query);
  const described =
    page.items.length === 0 ? [] : await admin.describeGroups(page.items.map((g) => g.groupId));
  const byId = new Map(described.map((d) => [d.groupId, d]));
  return {
    ...page,
    items: page.items.map((g) => {
      const d = byId.get(g.groupId);
      return {
        groupId: g.groupId,
        state: d?.state ?? g.state ?? 'Unknown',
        protocolType: d?.protocolType ?? g.protocolType,
        protocol: d?.protocol ?? '',
        members: d?.members.length ?? 0,
        lag: sampledLag(sampler, g.groupId),
      };
    }),
  };
}

function sampledLag(sampler: Sampler, groupId: string): number | null {
  const snap = sampler.snapshot;
  const committed = snap.committed.get(groupId);
  if (committed === undefined) return null;
  let lag = 0;
  for (const [k, v] of committed) {
    const end = snap.ends.get(k);
    if (end !== undefined) lag += Math.max(0, end - v);
  }
  return lag;
}

/** A group page, live (not sampled); undefined when the group does not exist. */
export async function groupView(admin: Admin, groupId: string): Promise<GroupView | undefined> {
  const [d] = await admin.describeGroups([groupId]);
  if (d === undefined || d.state === 'Dead') return undefined;
  const offsets = await admin.listConsumerGroupOffsets(groupId);
  const committed = new Map<string, number>();
  for (const o of offsets) committed.set(tpKey(o.topic, o.partition), o.offset);
  const owners = ownersOf(d);
  const partitions = new Map<string, { topic: string; partition: number }>();
  for (const o of offsets) partitions.set(tpKey(o.topic, o.partition), o);
  for (const m of d.members) for (const tp of m.assignment) partitions.set(tpKey(tp.topic, tp.partition), tp);
  const topics = [...new Set([...partitions.values()].map((p) => p.topic))];
  const ends = new Map<string, number>();
  for (const topic of topics) {
    const listed = await admin.listOffsets(topic, 'latest').catch(() => []);
    for (const o of listed) ends.set(tpKey(o.topic, o.partition), o.offset);
  }
  const rows = [...partitions.values()]
    .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1))
    .map((tp): GroupOffsetView => {
      const key = tpKey(tp.topic, tp.partition);
      const c = committed.get(key);
      const current = c === undefined || c < 0 ? null : c;
      const end = ends.get(key) ?? null;
      const owner = owners.get(key);
      return {
        topic: tp.topic,
        partition: tp.partition,
        committed: current,
        logEndOffset: end,
        lag: current === null || end === null ? null : end - current,
        memberId: owner?.memberId ?? null,
        clientId: owner?.clientId ?? null,
        host: owner?.clientHost ?? null,
      };
    });
  return {
    groupId: d.groupId,
    state: d.state,
    protocolType: d.protocolType,
    protocol: d.protocol,
    members: d.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      host: m.clientHost,
      assignment: m.assignment.map((tp) => `${tp.topic}-${tp.partition}`),
    })),
    offsets: rows,
    totalLag: rows.reduce((sum, r) => sum + Math.max(0, r.lag ?? 0), 0),
  };
}

function ownersOf(d: GroupDescription): Map<string, GroupDescription['members'][number]> {
  const owners = new Map<string, GroupDescription['members'][number]>();
  for (const m of d.members) for (const tp of m.assignment) owners.set(tpKey(tp.topic, tp.partition), m);
  return owners;
}
