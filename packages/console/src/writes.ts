/**
 * The console's writes: create a topic, alter a topic's configs, delete records, and reset a
 * group's offsets (plan, then execute, as `kafka-consumer-groups.sh --reset-offsets`). The server
 * refuses all of them unless the console runs with `readWrite` and the request carries the token.
 */
import type { Admin, AdminTopicPartition } from '@tskafka/admin';
import { tpKey } from './sampler.js';

/** A request the console refuses, with the HTTP status it answers and why. */
export class ConsoleRequestError extends Error {
  /** The HTTP status: 400 bad input, 401 no or wrong token, 403 read-only, 404 not found, 409 conflict. */
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = 'ConsoleRequestError';
    this.status = status;
  }
}

/** What `POST /api/topics` takes. */
export interface CreateTopicInput {
  /** The name. */
  topic: string;
  /** Partitions, default the broker's `num.partitions`. */
  partitions?: number;
  /** Replication factor, default the broker's. */
  replicationFactor?: number;
  /** Config overrides. */
  configs?: Record<string, string>;
}

/** Where `POST /api/groups/:id/reset-offsets` moves a group. */
export interface ResetOffsetsInput {
  /** Topics to reset; default every topic the group has committed offsets for. */
  topics?: string[];
  /** The target: the log start, the log end, the committed offsets, an offset, a shift, or a time. */
  to: 'earliest' | 'latest' | 'current' | 'offset' | 'shift' | 'timestamp';
  /** The offset for `offset`, the shift for `shift`, ms since the epoch for `timestamp`. */
  value?: number;
  /** Change the offsets; without it, only the plan is returned. */
  execute?: boolean;
}

/** One partition of a reset plan. */
export interface ResetPlanRow {
  /** Topic. */
  topic: string;
  /** Partition. */
  partition: number;
  /** The committed offset now, null when none. */
  current: number | null;
  /** The offset it moves to. */
  target: number;
}

/** The plan (and whether it was executed). */
export interface ResetOffsetsResult {
  /** The group. */
  groupId: string;
  /** Rows by topic then partition. */
  plan: ResetPlanRow[];
  /** Whether the offsets were changed. */
  executed: boolean;
}

/** Checks a value is a non-negative integer (or absent when `optional`). */
function intField(value: unknown, name: string, min: number, optional = true): number | undefined {
  if (value === undefined && optional) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min)
    throw new ConsoleRequestError(400, `"${name}" must be an integer ≥ ${min}, got ${JSON.stringify(value)}`);
  return value;
}

/** Creates a topic. */
export async function createTopic(admin: Admin, body: unknown): Promise<{ topic: string }> {
  const input = (body ?? {}) as Partial<CreateTopicInput>;
  if (typeof input.topic !== 'string' || input.topic === '')
    throw new ConsoleRequestError(400, '"topic" (a topic name) is required');
  const partitions = intField(input.partitions, 'partitions', 1);
  const replicationFactor = intField(input.replicationFactor, 'replicationFactor', 1);
  const configs = input.configs ?? {};
  if (typeof configs !== 'object' || Object.values(configs).some((v) => typeof v !== 'string'))
    throw new ConsoleRequestError(400, '"configs" must map config names to string values');
  await admin.createTopics([
    {
      topic: input.topic,
      ...(partitions === undefined ? {} : { numPartitions: partitions }),
      ...(replicationFactor === undefined ? {} : { replicationFactor }),
      configs,
    },
  ]);
  return { topic: input.topic };
}

/** Sets (string value) or deletes (null) topic configs with IncrementalAlterConfigs. */
export async function alterTopicConfigs(
  admin: Admin,
  topic: string,
  body: unknown,
): Promise<{ topic: string }> {
  const set = (body as { configs?: unknown } | null)?.configs;
  if (typeof set !== 'object' || set === null || Array.isArray(set))
    throw new ConsoleRequestError(400, '"configs" must map config names to a string (set) or null (delete)');
  const ops = Object.entries(set as Record<string, unknown>).map(([name, value]) => {
    if (value !== null && typeof value !== 'string')
      throw new ConsoleRequestError(400, `config "${name}": the value must be a string or null`);
    return value === null ? { name, op: 'delete' as const } : { name, value, op: 'set' as const };
  });
  if (ops.length === 0) throw new ConsoleRequestError(400, '"configs" names no config');
  await admin.incrementalAlterConfigs([{ type: 'topic', name: topic, configs: ops }]);
  return { topic };
}

/** Deletes the records of a partition before an offset (-1: everything). */
export async function deleteRecords(
  admin: Admin,
  topic: string,
  body: unknown,
): Promise<{ topic: string; partition: number; lowWatermark: number }> {
  const input = (body ?? {}) as { partition?: unknown; offset?: unknown };
  const partition = intField(input.partition, 'partition', 0, false) ?? 0;
  const offset = intField(input.offset, 'offset', -1, false) ?? -1;
  const [r] = await admin.deleteRecords([{ topic, partition, offset }]);
  return { topic, partition, lowWatermark: r?.lowWatermark ?? -1 };
}

const TARGETS = ['earliest', 'latest', 'current', 'offset', 'shift', 'timestamp'];

/**
 * Plans (and with `execute`, applies) a reset of a group's offsets. As Kafka's tool does, targets
 * are kept within each partition's log start and end, and executing needs a group with no active
 * members.
 */
export async function resetOffsets(
  admin: Admin,
  groupId: string,
  body: unknown,
): Promise<ResetOffsetsResult> {
  const input = (body ?? {}) as Partial<ResetOffsetsInput>;
  if (typeof input.to !== 'string' || !TARGETS.includes(input.to))
    throw new ConsoleRequestError(400, `"to" must be one of ${TARGETS.join(', ')}`);
  const needsValue = input.to === 'offset' || input.to === 'shift' || input.to === 'timestamp';
  const value = needsValue
    ? intField(input.value, 'value', input.to === 'shift' ? -Number.MAX_SAFE_INTEGER : 0, false)
    : undefined;
  if (
    input.topics !== undefined &&
    (!Array.isArray(input.topics) || input.topics.some((t) => typeof t !== 'string'))
  )
    throw new ConsoleRequestError(400, '"topics" must be a list of topic names');
  const [d] = await admin.describeGroups([groupId]);
  if (d === undefined) throw new ConsoleRequestError(404, `group "${groupId}" does not exist`);
  const committed = await admin.listConsumerGroupOffsets(groupId);
  const current = new Map<string, number>();
  for (const o of committed) if (o.offset >= 0) current.set(tpKey(o.topic, o.partition), o.offset);
  const topics = input.topics ?? [...new Set(committed.map((o) => o.topic))];
  if (topics.length === 0)
    throw new ConsoleRequestError(400, `group "${groupId}" has no offsets; name the topics`);
  const partitions: AdminTopicPartition[] = [];
  for (const t of (await admin.describeTopics(topics)).sort((a, b) => (a.name < b.name ? -1 : 1)))
    for (const p of t.partitions) partitions.push({ topic: t.name, partition: p.partition });
  const [starts, ends, atTime] = await Promise.all([
    admin.listOffsets(partitions, 'earliest'),
    admin.listOffsets(partitions, 'latest'),
    input.to === 'timestamp' ? admin.listOffsets(partitions, value ?? 0) : Promise.resolve([]),
  ]);
  const byKey = (list: { topic: string; partition: number; offset: number }[]) =>
    new Map(list.map((o) => [tpKey(o.topic, o.partition), o.offset]));
  const start = byKey(starts);
  const end = byKey(ends);
  const time = byKey(atTime);
  const plan = partitions.map((tp): ResetPlanRow => {
    const key = tpKey(tp.topic, tp.partition);
    const lo = start.get(key) ?? 0;
    const hi = end.get(key) ?? 0;
    const now = current.get(key);
    let target: number;
    switch (input.to) {
      case 'earliest':
        target = lo;
        break;
      case 'latest':
        target = hi;
        break;
      case 'current':
        target = now ?? hi;
        break;
      case 'offset':
        target = value ?? 0;
        break;
      case 'shift':
        target = (now ?? hi) + (value ?? 0);
        break;
      default: {
        const t = time.get(key) ?? -1;
        target = t < 0 ? hi : t;
      }
    }
    return {
      topic: tp.topic,
      partition: tp.partition,
      current: now ?? null,
      target: Math.min(hi, Math.max(lo, target)),
    };
  });
  if (input.execute === true) {
    if (d.state !== 'Empty' && d.state !== 'Dead')
      throw new ConsoleRequestError(
        409,
        `offsets can only be reset if group "${groupId}" is inactive, but its state is ${d.state}`,
      );
    await admin.alterConsumerGroupOffsets(
      groupId,
      plan.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.target })),
    );
  }
  return { groupId, plan, executed: input.execute === true };
}
