/**
 * `tskafka consumer-groups --bootstrap-server H:P (--list | --describe | --reset-offsets | --delete)`:
 * Kafka's `kafka-consumer-groups.sh`, with its flags and its output.
 */
import { parseArgs } from 'node:util';
import type { Admin, GroupDescription, ListedOffset } from '@tskafka/admin';
import { GroupIdNotFoundError, UnknownTopicOrPartitionError } from '@tskafka/protocol';
import { CliError } from '../errors.js';
import {
  asCliError,
  clientProperties,
  connectAdmin,
  intFlag,
  joinNegativeValues,
  kafkaFailure,
} from './common.js';

/** Usage text of the consumer-groups command. */
export const CONSUMER_GROUPS_USAGE = `Usage: tskafka consumer-groups --bootstrap-server H:P <action> [options]
Actions:
  --list
  --describe --group G
  --reset-offsets --group G (--topic T[:P,P...] ... | --all-topics) <spec> [--execute]
                  (without --execute: prints the plan and changes nothing)
    spec: --to-earliest | --to-latest | --to-current | --to-offset N | --shift-by N |
          --to-datetime YYYY-MM-DDTHH:mm:SS.sss[Z|+hh:mm] | --by-duration PnDTnHnMnS
  --delete --group G
Options:
  --command-config FILE   client properties from a file`;

/** Formats rows as Kafka does: each column padded to its widest cell, one space apart. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) for (const [i, c] of r.entries()) widths[i] = Math.max(widths[i] ?? 0, c.length);
  return rows
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join(' '))
    .join('\n');
}

/** Runs the consumer-groups command. */
export async function consumerGroupsCommand(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<void> {
  const { values } = parseArgs({
    args: joinNegativeValues(argv),
    options: {
      'bootstrap-server': { type: 'string' },
      'command-config': { type: 'string' },
      list: { type: 'boolean', default: false },
      describe: { type: 'boolean', default: false },
      'reset-offsets': { type: 'boolean', default: false },
      delete: { type: 'boolean', default: false },
      group: { type: 'string' },
      topic: { type: 'string', multiple: true },
      'all-topics': { type: 'boolean', default: false },
      'to-earliest': { type: 'boolean', default: false },
      'to-latest': { type: 'boolean', default: false },
      'to-offset': { type: 'string' },
      'to-current': { type: 'boolean', default: false },
      'shift-by': { type: 'string' },
      'to-datetime': { type: 'string' },
      'by-duration': { type: 'string' },
      execute: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    out.write(`${CONSUMER_GROUPS_USAGE}\n`);
    return;
  }
  const actions = (['list', 'describe', 'reset-offsets', 'delete'] as const).filter((a) => values[a]);
  if (actions.length !== 1)
    throw new CliError('exactly one of --list, --describe, --reset-offsets or --delete is required', 2);
  const action = actions[0];
  const group = values.group;
  if (action !== 'list' && !group) throw new CliError(`--${action} requires --group`, 2);
  const props = clientProperties(values['bootstrap-server'], values['command-config']);
  const admin = await connectAdmin(props);
  try {
    switch (action) {
      case 'list':
        for (const g of await admin.listGroups()) out.write(`${g.groupId}\n`);
        return;
      case 'describe':
        await describe(admin, group ?? '', out, err);
        return;
      case 'reset-offsets':
        await resetOffsets(admin, group ?? '', values, out);
        return;
      case 'delete':
        await requireGroup(admin, group ?? '');
        await admin.deleteGroups([group ?? '']).catch((e: unknown) => {
          if (e instanceof GroupIdNotFoundError) throw new CliError(`group "${group}" does not exist`);
          throw kafkaFailure(e, `group "${group}"`);
        });
        out.write(`Deletion of requested consumer groups ('${group}') was successful.\n`);
        return;
    }
  } catch (e) {
    throw asCliError(e);
  } finally {
    await admin.close();
  }
}

/** The group described; fails with Kafka's error, or "does not exist" when it is Dead. */
async function describeGroup(admin: Admin, group: string): Promise<GroupDescription> {
  const [d] = await admin.describeGroups([group]).catch((e: unknown) => {
    throw kafkaFailure(e, `group "${group}"`);
  });
  if (d === undefined) throw new CliError(`group "${group}": no description in the response`);
  return d;
}

async function requireGroup(admin: Admin, group: string): Promise<GroupDescription> {
  const d = await describeGroup(admin, group);
  if (d.state === 'Dead') throw new CliError(`consumer group "${group}" does not exist`);
  return d;
}

/** The offsets of every partition of `topic` (`earliest` or `latest`), by partition. */
async function topicOffsets(
  admin: Admin,
  topic: string,
  which: 'earliest' | 'latest' | number,
): Promise<Map<number, number>> {
  let listed: ListedOffset[];
  try {
    listed = await admin.listOffsets(topic, which);
  } catch (e) {
    if (e instanceof UnknownTopicOrPartitionError) throw new CliError(`topic "${topic}" does not exist`);
    throw kafkaFailure(e, `topic "${topic}"`);
  }
  return new Map(listed.map((o) => [o.partition, o.offset]));
}

async function describe(
  admin: Admin,
  group: string,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<void> {
  const d = await requireGroup(admin, group);
  // A member whose assignment does not decode owns no rows below; say so rather than hide it.
  for (const m of d.members)
    if (m.assignmentError !== undefined)
      err.write(`WARN cannot decode the assignment of member ${m.memberId}: ${m.assignmentError.message}\n`);
  const committed = new Map<string, Map<number, number>>();
  const offsets = await admin.listConsumerGroupOffsets(group).catch((e: unknown) => {
    throw kafkaFailure(e, `group "${group}"`);
  });
  for (const o of offsets) {
    const m = committed.get(o.topic) ?? new Map<number, number>();
    m.set(o.partition, o.offset);
    committed.set(o.topic, m);
  }
  // Who owns each partition, from the members' (decoded) assignments.
  const owner = new Map<string, { memberId: string; host: string; clientId: string }>();
  for (const m of d.members)
    for (const tp of m.assignment)
      owner.set(`${tp.topic}\0${tp.partition}`, {
        memberId: m.memberId,
        host: m.clientHost,
        clientId: m.clientId,
      });
  const topics = new Set<string>([
    ...committed.keys(),
    ...[...owner.keys()].map((k) => k.split('\0')[0] ?? ''),
  ]);
  const rows: string[][] = [
    [
      'GROUP',
      'TOPIC',
      'PARTITION',
      'CURRENT-OFFSET',
      'LOG-END-OFFSET',
      'LAG',
      'CONSUMER-ID',
      'HOST',
      'CLIENT-ID',
    ],
  ];
  for (const name of [...topics].sort()) {
    // A topic deleted since the group committed has no log end to show.
    const ends = await topicOffsets(admin, name, 'latest').catch((e: unknown) => {
      if (e instanceof CliError && /does not exist/.test(e.message)) return new Map<number, number>();
      throw e;
    });
    const partitions = new Set<number>([...(committed.get(name)?.keys() ?? [])]);
    for (const k of owner.keys()) if (k.startsWith(`${name}\0`)) partitions.add(Number(k.split('\0')[1]));
    for (const p of [...partitions].sort((a, b) => a - b)) {
      const current = committed.get(name)?.get(p);
      const end = ends.get(p);
      const o = owner.get(`${name}\0${p}`);
      rows.push([
        group,
        name,
        String(p),
        current === undefined ? '-' : String(current),
        end === undefined ? '-' : String(end),
        current === undefined || end === undefined ? '-' : String(end - current),
        o?.memberId ?? '-',
        o?.host ?? '-',
        o?.clientId ?? '-',
      ]);
    }
  }
  out.write('\n');
  if (d.members.length === 0) out.write(`Consumer group '${group}' has no active members.\n\n`);
  out.write(`${table(rows)}\n`);
}

/** What `--reset-offsets` is told to do. */
interface ResetFlags {
  topic?: string[];
  'all-topics': boolean;
  'to-earliest': boolean;
  'to-latest': boolean;
  'to-offset'?: string;
  'to-current': boolean;
  'shift-by'?: string;
  'to-datetime'?: string;
  'by-duration'?: string;
  execute: boolean;
}

const RESET_SPECS = [
  '--to-earliest',
  '--to-latest',
  '--to-current',
  '--to-offset N',
  '--shift-by N',
  '--to-datetime T',
  '--by-duration D',
];

/**
 * The time `--to-datetime` names, as Kafka's `Utils.getDateTime` reads it:
 * `YYYY-MM-DDTHH:mm:SS.sss` (milliseconds optional here), then `Z` or `+hh:mm` / `-hh:mm`; without
 * a zone, local time.
 */
export function parseResetDatetime(text: string): number {
  const valid = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})?$/.test(text);
  // Date.parse reads a date-time without a zone as local time, with Z or an offset as given.
  const ms = valid ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new CliError(
      `--to-datetime "${text}" is not a date and time like 2026-11-22T10:00:00.000 (optionally with Z or +hh:mm)`,
      2,
    );
  }
  return ms;
}

/** The milliseconds of an ISO-8601 duration (`PnDTnHnMnS`), as `--by-duration` takes it. */
export function parseResetDuration(text: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) {
    throw new CliError(`--by-duration "${text}" is not a duration like PT1H30M or P1DT12H`, 2);
  }
  const [, d, h, min, sec] = m;
  return ((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60_000 + Number(sec ?? 0) * 1000;
}

/** The spec of a reset, checked once for every topic. */
interface ResetSpec {
  flags: ResetFlags;
  toOffset: number | undefined;
  shiftBy: number | undefined;
  timestamp: number | undefined;
}

/** `--topic` values: `T` (every partition) or `T:0,1,2`, as Kafka's ConsumerGroupCommand takes them. */
export function parseResetTopics(
  values: readonly string[],
): { topic: string; partitions: number[] | null }[] {
  return values.map((v) => {
    const colon = v.lastIndexOf(':');
    if (colon < 0) return { topic: v, partitions: null };
    const partitions = v
      .slice(colon + 1)
      .split(',')
      .map((n) => intFlag(n.trim(), '--topic partition', 0));
    return { topic: v.slice(0, colon), partitions };
  });
}

async function resetOffsets(
  admin: Admin,
  group: string,
  values: ResetFlags,
  out: NodeJS.WritableStream,
): Promise<void> {
  const topicFlags = values.topic ?? [];
  if (topicFlags.length === 0 && !values['all-topics'])
    throw new CliError('--reset-offsets requires --topic or --all-topics', 2);
  if (topicFlags.length > 0 && values['all-topics'])
    throw new CliError('--reset-offsets takes --topic or --all-topics, not both', 2);
  const given = [
    values['to-earliest'],
    values['to-latest'],
    values['to-current'],
    values['to-offset'] !== undefined,
    values['shift-by'] !== undefined,
    values['to-datetime'] !== undefined,
    values['by-duration'] !== undefined,
  ].filter(Boolean);
  if (given.length !== 1) throw new CliError(`--reset-offsets requires one of ${RESET_SPECS.join(', ')}`, 2);
  const spec: ResetSpec = {
    flags: values,
    toOffset: values['to-offset'] === undefined ? undefined : intFlag(values['to-offset'], '--to-offset', 0),
    shiftBy: values['shift-by'] === undefined ? undefined : intFlag(values['shift-by'], '--shift-by'),
    timestamp:
      values['to-datetime'] !== undefined
        ? parseResetDatetime(values['to-datetime'])
        : values['by-duration'] !== undefined
          ? Date.now() - parseResetDuration(values['by-duration'])
          : undefined,
  };
  const requested = parseResetTopics(topicFlags);
  const d = await describeGroup(admin, group);
  if (d.state !== 'Empty' && d.state !== 'Dead')
    throw new CliError(
      `offsets can only be reset if group "${group}" is inactive, but its state is ${d.state}`,
    );
  const committed = await admin.listConsumerGroupOffsets(group).catch((e: unknown) => {
    throw kafkaFailure(e, `group "${group}"`);
  });
  // --all-topics: the topics the group has offsets for, as Kafka.
  const targets = values['all-topics']
    ? [...new Set(committed.map((o) => o.topic))].sort().map((topic) => ({ topic, partitions: null }))
    : requested;
  const plan: { topic: string; partition: number; offset: number }[] = [];
  for (const { topic, partitions } of targets) {
    const current = new Map(committed.filter((o) => o.topic === topic).map((o) => [o.partition, o.offset]));
    for (const [partition, offset] of await planTopic(admin, topic, partitions, current, spec, out)) {
      plan.push({ topic, partition, offset });
    }
  }
  if (values.execute)
    await admin.alterConsumerGroupOffsets(group, plan).catch((e: unknown) => {
      throw kafkaFailure(e, `group "${group}"`);
    });
  else
    out.write(
      'WARN: No action will be performed as the --execute option is missing. Add --execute to reset the offsets.\n',
    );
  const rows = [['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET']];
  for (const o of plan) rows.push([group, o.topic, String(o.partition), String(o.offset)]);
  out.write(`\n${table(rows)}\n`);
}

/** The new offset of each partition of `topic` (or of `partitions`), in partition order. */
async function planTopic(
  admin: Admin,
  topic: string,
  partitions: readonly number[] | null,
  committed: ReadonlyMap<number, number>,
  spec: ResetSpec,
  out: NodeJS.WritableStream,
): Promise<Map<number, number>> {
  const { flags, toOffset, shiftBy, timestamp } = spec;
  const earliest = await topicOffsets(admin, topic, 'earliest');
  const latest = await topicOffsets(admin, topic, 'latest');
  for (const p of partitions ?? []) {
    if (!earliest.has(p)) throw new CliError(`topic "${topic}" has no partition ${p}`);
  }
  // By time: the first offset at or after it; partitions with none go to the log end, as Kafka.
  const byTime = timestamp === undefined ? null : await topicOffsets(admin, topic, timestamp);
  const plan = new Map<number, number>();
  const chosen = partitions ?? [...earliest.keys()];
  for (const p of [...chosen].sort((a, b) => a - b)) {
    const lo = earliest.get(p) ?? 0;
    const hi = latest.get(p) ?? 0;
    let target: number;
    if (flags['to-earliest']) target = lo;
    else if (flags['to-latest']) target = hi;
    else if (flags['to-current']) target = committed.get(p) ?? hi;
    else if (byTime !== null) {
      const at = byTime.get(p) ?? -1;
      target = at < 0 ? hi : at;
    } else if (shiftBy !== undefined) {
      const current = committed.get(p);
      if (current === undefined) {
        throw new CliError(
          `cannot shift the offset of partition ${topic}-${p}: the group has no committed offset for it`,
        );
      }
      target = current + shiftBy;
    } else target = toOffset ?? 0;
    // As Kafka's checkOffsetsRange: outside the log, the nearest end, with a line saying so.
    const explicit = shiftBy !== undefined || toOffset !== undefined;
    if (target < lo) {
      if (explicit) {
        out.write(
          `New offset (${target}) is lower than earliest offset for topic partition ${topic}-${p}. Value will be set to ${lo}\n`,
        );
      }
      target = lo;
    } else if (target > hi) {
      if (explicit) {
        out.write(
          `New offset (${target}) is higher than latest offset for topic partition ${topic}-${p}. Value will be set to ${hi}\n`,
        );
      }
      target = hi;
    }
    plan.set(p, target);
  }
  return plan;
}
