/**
 * `tskafka topics --bootstrap-server H:P (--create | --list | --describe | --delete | --alter)`:
 * Kafka's `kafka-topics.sh`, with its flags and its output.
 */
import { parseArgs } from 'node:util';
import type { Admin, TopicDescription } from '@tskafka/admin';
import { UnknownTopicOrPartitionError } from '@tskafka/protocol';
import { CliError } from '../errors.js';
import {
  asCliError,
  clientProperties,
  connectAdmin,
  intFlag,
  joinNegativeValues,
  kafkaFailure,
  parseKeyValues,
} from './common.js';

/** Usage text of the topics command. */
export const TOPICS_USAGE = `Usage: tskafka topics --bootstrap-server H:P <action> [options]
Actions:
  --create --topic T [--partitions N] [--replication-factor R] [--config k=v]...
  --list [--exclude-internal]
  --describe [--topic T]
  --alter --topic T --partitions N
  --delete --topic T
Options:
  --if-not-exists / --if-exists   do nothing (exit 0) when the topic exists / does not exist
  --command-config FILE           client properties from a file`;

/** The `--describe` lines of one topic, in Kafka's format. */
export function describeLines(t: TopicDescription, configs: Record<string, string>): string[] {
  const rf = t.partitions[0]?.replicas.length ?? 0;
  const cfg = Object.entries(configs)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const lines = [
    `Topic: ${t.name}\tTopicId: ${t.topicId}\tPartitionCount: ${t.partitions.length}\tReplicationFactor: ${rf}\tConfigs: ${cfg}`,
  ];
  for (const p of t.partitions)
    lines.push(
      `\tTopic: ${t.name}\tPartition: ${p.partition}\tLeader: ${p.leader < 0 ? 'none' : p.leader}\tReplicas: ${p.replicas.join(',')}\tIsr: ${p.isr.join(',')}`,
    );
  return lines;
}

/** Runs the topics command. */
export async function topicsCommand(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<void> {
  const { values } = parseArgs({
    args: joinNegativeValues(argv),
    options: {
      'bootstrap-server': { type: 'string' },
      'command-config': { type: 'string' },
      create: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      describe: { type: 'boolean', default: false },
      delete: { type: 'boolean', default: false },
      alter: { type: 'boolean', default: false },
      topic: { type: 'string' },
      partitions: { type: 'string' },
      'replication-factor': { type: 'string' },
      config: { type: 'string', multiple: true, default: [] },
      'if-not-exists': { type: 'boolean', default: false },
      'if-exists': { type: 'boolean', default: false },
      'exclude-internal': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    out.write(`${TOPICS_USAGE}\n`);
    return;
  }
  const actions = (['create', 'list', 'describe', 'delete', 'alter'] as const).filter((a) => values[a]);
  if (actions.length !== 1)
    throw new CliError('exactly one of --create, --list, --describe, --alter or --delete is required', 2);
  const action = actions[0];
  const topic = values.topic;
  if ((action === 'create' || action === 'delete' || action === 'alter') && !topic)
    throw new CliError(`--${action} requires --topic`, 2);
  const partitions =
    values.partitions === undefined ? undefined : intFlag(values.partitions, '--partitions', 1);
  const rf =
    values['replication-factor'] === undefined
      ? -1
      : intFlag(values['replication-factor'], '--replication-factor', 1);
  if (action === 'alter' && partitions === undefined) throw new CliError('--alter requires --partitions', 2);
  const configs = parseKeyValues(values.config, '--config');
  const props = clientProperties(values['bootstrap-server'], values['command-config']);
  const admin = await connectAdmin(props);
  try {
    switch (action) {
      case 'create': {
        const name = topic ?? '';
        const [created] = await admin
          .createTopics([{ topic: name, numPartitions: partitions ?? -1, replicationFactor: rf, configs }], {
            ignoreExisting: values['if-not-exists'],
          })
          .catch((e: unknown) => {
            throw topicFailure(e, name);
          });
        if (created?.alreadyExisted !== true) out.write(`Created topic ${name}.\n`);
        return;
      }
      case 'list': {
        for (const name of await admin.listTopics({ listInternal: !values['exclude-internal'] }))
          out.write(`${name}\n`);
        return;
      }
      case 'describe': {
        const topics = await admin
          .describeTopics(topic === undefined ? undefined : [topic])
          .catch((e: unknown): TopicDescription[] => {
            if (values['if-exists'] && e instanceof UnknownTopicOrPartitionError) return [];
            throw topic === undefined ? asCliError(e) : topicFailure(e, topic);
          });
        for (const t of topics) {
          if (values['exclude-internal'] && t.isInternal) continue;
          // The partitions are still worth printing when the configs cannot be read (a broker
          // without DescribeConfigs, no DESCRIBE_CONFIGS permission); the failure goes to stderr.
          const cfg = await topicConfigs(admin, t.name).catch((e: unknown): Record<string, string> => {
            err.write(
              `WARN cannot read the configs of topic ${t.name}: ${e instanceof Error ? e.message : String(e)}\n`,
            );
            return {};
          });
          out.write(`${describeLines(t, cfg).join('\n')}\n`);
        }
        return;
      }
      case 'alter': {
        const name = topic ?? '';
        try {
          await admin.createPartitions([{ topic: name, count: partitions ?? 0 }]);
        } catch (e) {
          throw topicFailure(e, name);
        }
        return;
      }
      case 'delete': {
        const name = topic ?? '';
        try {
          await admin.deleteTopics([name]);
        } catch (e) {
          if (values['if-exists'] && e instanceof UnknownTopicOrPartitionError) return;
          throw topicFailure(e, name);
        }
        return;
      }
    }
  } catch (e) {
    throw asCliError(e);
  } finally {
    await admin.close();
  }
}

/** A failed call about topic `name` as one line; an unknown topic "does not exist". */
function topicFailure(e: unknown, name: string): CliError {
  if (e instanceof UnknownTopicOrPartitionError) return new CliError(`topic "${name}" does not exist`);
  return kafkaFailure(e, `topic "${name}"`);
}

/** The configs set on the topic itself (as `--describe` prints them), not defaults or secrets. */
async function topicConfigs(admin: Admin, name: string): Promise<Record<string, string>> {
  const [described] = await admin.describeConfigs([{ type: 'topic', name }]);
  const out: Record<string, string> = {};
  for (const c of described?.configs ?? [])
    if (c.source === 'topic' && c.value !== null && !c.isSensitive) out[c.name] = c.value;
  return out;
}
