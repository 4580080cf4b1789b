/**
 * `tskafka console-producer --bootstrap-server H:P --topic T [--property parse.key=true]
 * [--property key.separator=:] [--producer-property k=v]... [--command-config FILE]`: one record
 * per stdin line, as Kafka's `kafka-console-producer.sh`; exits once stdin ended and every record
 * is acknowledged.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { silentLogger } from '@tskafka/transport';
import { CliError } from '../errors.js';
import { asCliError, clientProperties, joinNegativeValues, kafkaFor, parseKeyValues } from './common.js';

/** Usage text of the console-producer command. */
export const CONSOLE_PRODUCER_USAGE = `Usage: tskafka console-producer --bootstrap-server H:P --topic T [options]
Sends one record per line of standard input; exits when input ends and all are acknowledged.
  --property parse.key=true      split each line into key and value at key.separator
  --property key.separator=SEP   the key separator (default a tab)
  --property null.marker=M       a key or value equal to M is sent as null
  --producer-property k=v        a producer property, e.g. acks=1 (repeatable)
  --producer.config FILE         producer properties from a file
  --command-config FILE          client properties from a file
  --request-required-acks A      acks (default all); --sync: send each line before the next`;

/** Runs the console producer over `input` (default stdin). */
export async function consoleProducerCommand(
  argv: string[],
  input: NodeJS.ReadableStream = process.stdin,
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const { values } = parseArgs({
    args: joinNegativeValues(argv),
    options: {
      'bootstrap-server': { type: 'string' },
      'broker-list': { type: 'string' },
      topic: { type: 'string' },
      property: { type: 'string', multiple: true, default: [] },
      'producer-property': { type: 'string', multiple: true, default: [] },
      'producer.config': { type: 'string' },
      'command-config': { type: 'string' },
      'request-required-acks': { type: 'string' },
      sync: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    out.write(`${CONSOLE_PRODUCER_USAGE}\n`);
    return;
  }
  if (!values.topic) throw new CliError('missing required option --topic', 2);
  const topic = values.topic;
  const reader = parseKeyValues(values.property, '--property');
  const overrides: Record<string, string> = {
    'max.block.ms': '5000',
    ...parseKeyValues(values['producer-property'], '--producer-property'),
  };
  if (values['request-required-acks'] !== undefined) overrides.acks = values['request-required-acks'];
  const props = clientProperties(
    values['bootstrap-server'] ?? values['broker-list'],
    values['command-config'] ?? values['producer.config'],
    overrides,
  );
  const parseKey = reader['parse.key'] === 'true';
  const separator = reader['key.separator'] ?? '\t';
  const nullMarker = reader['null.marker'];
  const orNull = (s: string): string | null => (nullMarker !== undefined && s === nullMarker ? null : s);

  const producer = kafkaFor(props).producer({ logger: silentLogger });
  try {
    await producer.connect();
    // Fail on a missing topic (or an unreachable broker) before reading any input.
    await producer.partitionsFor(topic);
  } catch (e) {
    await producer.close({ timeoutMs: 0 }).catch(() => {});
    throw describeFailure(e, topic, props['bootstrap.servers'] ?? '');
  }
  let failure: unknown;
  const pending = new Set<Promise<unknown>>();
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNo = 0;
  try {
    for await (const line of lines) {
      lineNo++;
      if (failure !== undefined) break;
      let key: string | null = null;
      let value: string | null = line;
      if (parseKey) {
        const at = line.indexOf(separator);
        if (at < 0) throw new CliError(`line ${lineNo}: no key separator "${separator}" in "${line}"`);
        key = orNull(line.slice(0, at));
        value = line.slice(at + separator.length);
      }
      const sent = producer.send({ topic, key, value: orNull(value ?? '') }).catch((e: unknown) => {
        failure ??= e;
      });
      if (values.sync) await sent;
      else {
        pending.add(sent);
        sent.finally(() => pending.delete(sent));
      }
    }
    await Promise.all(pending);
  } finally {
    lines.close();
    await producer.close().catch((e: unknown) => {
      failure ??= e;
    });
  }
  if (failure !== undefined) throw describeFailure(failure, topic, props['bootstrap.servers'] ?? '');
}

/** A one-line message for a producer failure that names the topic or the broker. */
export function describeFailure(e: unknown, topic: string, bootstrap: string): CliError {
  const err = asCliError(e);
  const name = (e as { errorName?: string }).errorName;
  if (name === 'UNKNOWN_TOPIC_OR_PARTITION' || /unknown topic|does not exist/i.test(err.message))
    return new CliError(`topic "${topic}" does not exist`);
  if (/timed? ?out|ECONNREFUSED|connect/i.test(err.message) && !/topic/i.test(err.message))
    return new CliError(`cannot reach the broker at ${bootstrap}: ${err.message}`);
  if (/not present in metadata/i.test(err.message))
    return new CliError(`topic "${topic}" does not exist (${err.message.replace(/ \[Metadata\]$/, '')})`);
  return err;
}
