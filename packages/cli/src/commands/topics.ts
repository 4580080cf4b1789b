/**
 * `tskafka topics --bootstrap-server H:P (--create | --list | --describe | --delete | --alter)`:
 * Kafka's `kafka-topics.sh`, with its flags and its output.
 */
import { parseArgs } from 'node:util';
import { CliError } from '../errors.js';
import {
  createPartitions,
  createTopic,
  deleteTopics,
  describeTopicsMetadata,
  type TopicInfo,
  topicConfigs,
} from './admin-requests.js';
import {
  asCliError,
  clientProperties,
  connectCluster,
  intFlag,
  joinNegativeValues,
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
export function describeLines(t: TopicInfo, configs: Record<string, string>): string[] {
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
  const cluster = await connectCluster(props);
  try {
    switch (action) {
      case 'create': {
        const name = topic ?? '';
        try {
          await createTopic(cluster, { name, partitions: partitions ?? -1, replicationFactor: rf, configs });
        } catch (e) {
          if (values['if-not-exists'] && /TOPIC_ALREADY_EXISTS/.test((e as Error).message)) return;
          throw e;
        }
        out.write(`Created topic ${name}.\n`);
        return;
      }
      case 'list': {
        for (const t of await describeTopicsMetadata(cluster))
          if (!(values['exclude-internal'] && t.isInternal)) out.write(`${t.name}\n`);
        return;
      }
      case 'describe': {
        const topics = await describeTopicsMetadata(cluster, topic === undefined ? undefined : [topic]).catch(
          (e: unknown) => {
            if (values['if-exists'] && /does not exist/.test((e as Error).message)) return [];
            throw e;
          },
        );
        for (const t of topics) {
          if (values['exclude-internal'] && t.isInternal) continue;
          const cfg = await topicConfigs(cluster, t.name).catch(() => ({}));
          out.write(`${describeLines(t, cfg).join('\n')}\n`);
        }
        return;
      }
      case 'alter': {
        const name = topic ?? '';
        await describeTopicsMetadata(cluster, [name]);
        await createPartitions(cluster, name, partitions ?? 0);
        return;
      }
      case 'delete': {
        const name = topic ?? '';
        try {
          await deleteTopics(cluster, [name]);
        } catch (e) {
          if (values['if-exists'] && /does not exist/.test((e as Error).message)) return;
          throw e;
        }
        return;
      }
    }
  } catch (e) {
    throw asCliError(e);
  } finally {
    await cluster.close();
  }
}
