/**
 * confluent-kafka-python's AdminClient (librdkafka underneath), a client we did not write,
 * describing and altering configs on the reference broker: topic configs whose defaults come from
 * broker properties in another unit (`retention.ms` from `log.retention.hours`), and dynamic
 * broker configs, with the config sources and synonyms Kafka reports.
 */
import { Admin } from '@tskafka/admin';
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { requirePythonClient, runPython } from './python.js';

interface Described {
  name: string;
  value: string | null;
  source: string;
  read_only: boolean;
  synonyms: [string, string | null, string][];
}

let broker: RunningBroker;
let bootstrap: string;

beforeAll(async () => {
  requirePythonClient();
  broker = await startBroker({ config: { 'log.retention.hours': 1 } });
  bootstrap = broker.bootstrapServers[0];
  const client = new Admin({ bootstrapServers: [bootstrap] });
  await client.createTopics([{ topic: 'py-configs', numPartitions: 1, replicationFactor: 1 }]);
  await client.close();
});

afterAll(async () => {
  await broker?.close();
});

it('shows a topic default taken from log.retention.hours, with its synonyms', async () => {
  const [retention] = (await runPython('configs.py', [
    bootstrap,
    'describe',
    'topic',
    'py-configs',
    'retention.ms',
  ])) as Described[];
  expect(retention).toEqual({
    name: 'retention.ms',
    value: '3600000',
    source: 'STATIC_BROKER_CONFIG',
    read_only: false,
    // One entry per name in this client (see configs.py): the static 1 h is the value above.
    synonyms: [['log.retention.hours', '168', 'DEFAULT_CONFIG']],
  });
});

it('alters a topic config and a dynamic broker config, both read back with their sources', async () => {
  const lines = (await runPython('configs.py', [
    bootstrap,
    ...['alter', 'topic', 'py-configs', 'retention.ms=1000'],
    ...['describe', 'topic', 'py-configs', 'retention.ms'],
    ...['alter', 'broker', '1', 'log.retention.ms=5000,message.max.bytes=2000000'],
    ...['describe', 'broker', '1', 'log.retention.ms'],
    ...['describe', 'topic', 'py-configs', 'max.message.bytes'],
    ...['alter', 'broker', '1', 'num.partitions=4'],
  ])) as Record<string, unknown>[];
  expect(lines[0]).toEqual({ altered: 'py-configs' });
  expect(lines[1]).toMatchObject({
    value: '1000',
    source: 'DYNAMIC_TOPIC_CONFIG',
    synonyms: [
      ['retention.ms', '1000', 'DYNAMIC_TOPIC_CONFIG'],
      ['log.retention.hours', '168', 'DEFAULT_CONFIG'],
    ],
  });
  expect(lines[2]).toEqual({ altered: '1' });
  expect(lines[3]).toEqual({
    name: 'log.retention.ms',
    value: '5000',
    source: 'DYNAMIC_BROKER_CONFIG',
    read_only: false,
    synonyms: [
      ['log.retention.ms', '5000', 'DYNAMIC_BROKER_CONFIG'],
      ['log.retention.hours', '168', 'DEFAULT_CONFIG'],
    ],
  });
  // The topic has no max.message.bytes of its own: it follows the broker's new dynamic default.
  expect(lines[4]).toMatchObject({ value: '2000000', source: 'DYNAMIC_BROKER_CONFIG' });
  // num.partitions is not dynamically updatable in Kafka either.
  expect(lines[5]).toMatchObject({ error: 'INVALID_CONFIG' });
  expect(String(lines[5].message)).toContain('Cannot update these configs dynamically');
});
