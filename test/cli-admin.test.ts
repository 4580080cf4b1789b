/**
 * `tskafka topics` and `tskafka consumer-groups` as child processes against the reference broker:
 * Kafka's output for create, list, describe, alter and delete, and a group's offsets and lag,
 * reset (dry run and --execute) and deletion after a consumer committed.
 */
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { Kafka } from 'tskafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../packages/cli/test/run-cli.js';

let broker: RunningBroker;
let bootstrap: string;

beforeAll(async () => {
  broker = await startBroker({ config: { 'auto.create.topics.enable': false } });
  bootstrap = broker.bootstrapServers[0] ?? '';
});
afterAll(async () => {
  await broker?.close();
});

const topics = (...args: string[]) => runCli(['topics', '--bootstrap-server', bootstrap, ...args]);
const groups = (...args: string[]) => runCli(['consumer-groups', '--bootstrap-server', bootstrap, ...args]);

describe('topics', () => {
  it('creates, lists, describes, alters and deletes a topic', async () => {
    const created = await topics(
      '--create',
      '--topic',
      'first',
      '--partitions',
      '2',
      '--replication-factor',
      '1',
      '--config',
      'retention.ms=86400000',
    );
    expect(created).toEqual({ stdout: 'Created topic first.\n', stderr: '', code: 0 });

    const listed = await topics('--list');
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n')).toContain('first');

    const described = await topics('--describe', '--topic', 'first');
    expect(described.code).toBe(0);
    const lines = described.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^Topic: first\tTopicId: [\w-]{22}\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: .*retention\.ms=86400000/,
    );
    expect(lines.slice(1)).toEqual([
      '\tTopic: first\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1',
      '\tTopic: first\tPartition: 1\tLeader: 1\tReplicas: 1\tIsr: 1',
    ]);

    const altered = await topics('--alter', '--topic', 'first', '--partitions', '3');
    expect(altered.code).toBe(0);
    expect((await topics('--describe', '--topic', 'first')).stdout).toContain('PartitionCount: 3');

    const again = await topics(
      '--create',
      '--topic',
      'first',
      '--partitions',
      '1',
      '--replication-factor',
      '1',
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^tskafka topics: .*TOPIC_ALREADY_EXISTS.*\n$/);
    expect((await topics('--create', '--if-not-exists', '--topic', 'first')).code).toBe(0);

    expect(await topics('--delete', '--topic', 'first')).toEqual({ stdout: '', stderr: '', code: 0 });
    expect((await topics('--list')).stdout.split('\n')).not.toContain('first');
  });

  it('fails with one line for a missing topic', async () => {
    for (const args of [
      ['--describe', '--topic', 'missing'],
      ['--delete', '--topic', 'missing'],
      ['--alter', '--topic', 'missing', '--partitions', '4'],
    ]) {
      const r = await topics(...args);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe('tskafka topics: topic "missing" does not exist\n');
    }
  });
});

describe('consumer-groups', () => {
  it('lists, describes with lag, resets and deletes a group after a consumer committed', async () => {
    await topics('--create', '--topic', 'orders', '--partitions', '2', '--replication-factor', '1');
    const kafka = new Kafka({ bootstrapServers: bootstrap, clientId: 'cli-test' });
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < 10; i++) await producer.send({ topic: 'orders', partition: i % 2, value: `v${i}` });
    await producer.close();

    const consumer = kafka.consumer({
      groupId: 'billing',
      autoOffsetReset: 'earliest',
      enableAutoCommit: false,
    });
    await consumer.connect();
    await consumer.subscribe(['orders']);
    let seen = 0;
    for (let i = 0; i < 50 && seen < 10; i++) seen += (await consumer.poll(200)).length;
    expect(seen).toBe(10);
    await consumer.commitSync([
      { topic: 'orders', partition: 0, offset: 3 },
      { topic: 'orders', partition: 1, offset: 5 },
    ]);

    expect((await groups('--list')).stdout.split('\n')).toContain('billing');
    const active = await groups('--describe', '--group', 'billing');
    expect(active.code).toBe(0);
    const rows = active.stdout
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/));
    expect(rows[0]).toEqual([
      'GROUP',
      'TOPIC',
      'PARTITION',
      'CURRENT-OFFSET',
      'LOG-END-OFFSET',
      'LAG',
      'CONSUMER-ID',
      'HOST',
      'CLIENT-ID',
    ]);
    expect(rows[1]?.slice(0, 6)).toEqual(['billing', 'orders', '0', '3', '5', '2']);
    expect(rows[2]?.slice(0, 6)).toEqual(['billing', 'orders', '1', '5', '5', '0']);
    expect(rows[1]?.[8]).toBe('cli-test');

    // A member is active: offsets cannot be reset.
    const busy = await groups(
      '--reset-offsets',
      '--group',
      'billing',
      '--topic',
      'orders',
      '--to-earliest',
      '--execute',
    );
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/^tskafka consumer-groups: .*inactive.*\n$/);
    await consumer.close();

    const dry = await groups('--reset-offsets', '--group', 'billing', '--topic', 'orders', '--to-earliest');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^WARN: No action will be performed/);
    expect(dry.stdout).toMatch(/billing\s+orders\s+0\s+0\n/);
    expect((await groups('--describe', '--group', 'billing')).stdout).toMatch(
      /billing\s+orders\s+0\s+3\s+5\s+2/,
    );

    const reset = await groups(
      '--reset-offsets',
      '--group',
      'billing',
      '--topic',
      'orders',
      '--to-offset',
      '1',
      '--execute',
    );
    expect(reset.code).toBe(0);
    const after = await groups('--describe', '--group', 'billing');
    expect(after.stdout).toContain("Consumer group 'billing' has no active members.");
    expect(after.stdout).toMatch(/billing\s+orders\s+0\s+1\s+5\s+4\s+-\s+-\s+-/);
    expect(after.stdout).toMatch(/billing\s+orders\s+1\s+1\s+5\s+4/);

    await groups('--reset-offsets', '--group', 'billing', '--topic', 'orders', '--to-latest', '--execute');
    expect((await groups('--describe', '--group', 'billing')).stdout).toMatch(
      /billing\s+orders\s+0\s+5\s+5\s+0/,
    );

    const deleted = await groups('--delete', '--group', 'billing');
    expect(deleted).toEqual({
      stdout: "Deletion of requested consumer groups ('billing') was successful.\n",
      stderr: '',
      code: 0,
    });
    expect((await groups('--list')).stdout.split('\n')).not.toContain('billing');
    const gone = await groups('--describe', '--group', 'billing');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe('tskafka consumer-groups: consumer group "billing" does not exist\n');
  });
});

describe('consumer-groups --reset-offsets by time, shift and current', () => {
  it('resets to the committed offsets, shifted, at a date and time, or a duration ago, as Kafka', async () => {
    const kafka = new Kafka({ bootstrapServers: [bootstrap], clientId: 'cli-reset' });
    const admin = kafka.admin();
    await admin.createTopics([{ topic: 'timed', numPartitions: 1, replicationFactor: 1 }]);
    // Offsets 0-2 three hours ago, 3-4 half an hour ago; and a fixed date for --to-datetime.
    const now = Date.now();
    const producer = kafka.producer();
    await producer.connect();
    const stamps = [
      now - 3 * 3600_000,
      now - 3 * 3600_000 + 1,
      now - 3 * 3600_000 + 2,
      now - 1800_000,
      now - 1800_000 + 1,
    ];
    for (const [i, timestamp] of stamps.entries()) {
      await producer.send({ topic: 'timed', partition: 0, value: `v${i}`, timestamp });
    }
    await producer.close();
    await admin.alterConsumerGroupOffsets('timer', [{ topic: 'timed', partition: 0, offset: 3 }]);
    await admin.close();
    const reset = (...spec: string[]) =>
      groups('--reset-offsets', '--group', 'timer', '--topic', 'timed', ...spec);
    const newOffset = (stdout: string) => /timer\s+timed\s+0\s+(\d+)\n/.exec(stdout)?.[1];

    expect(newOffset((await reset('--to-current')).stdout)).toBe('3');
    expect(newOffset((await reset('--shift-by', '-2')).stdout)).toBe('1');
    const over = await reset('--shift-by', '10');
    expect(over.code).toBe(0);
    expect(over.stdout).toContain(
      'New offset (13) is higher than latest offset for topic partition timed-0. Value will be set to 5\n',
    );
    expect(newOffset(over.stdout)).toBe('5');
    expect(newOffset((await reset('--by-duration', 'PT1H')).stdout)).toBe('3');
    expect(newOffset((await reset('--by-duration', 'P1D')).stdout)).toBe('0');
    // A date and time in UTC, and the same instant with an offset.
    const at = new Date(now - 1800_000).toISOString();
    expect(newOffset((await reset('--to-datetime', at)).stdout)).toBe('3');
    const shifted = new Date(now - 1800_000 + 2 * 3600_000).toISOString().replace('Z', '+02:00');
    expect(newOffset((await reset('--to-datetime', shifted)).stdout)).toBe('3');
    // After the last record: the log end.
    expect(newOffset((await reset('--to-datetime', new Date(now + 60_000).toISOString())).stdout)).toBe('5');

    const executed = await reset('--shift-by', '-1', '--execute');
    expect(executed.code).toBe(0);
    expect((await groups('--describe', '--group', 'timer')).stdout).toMatch(/timer\s+timed\s+0\s+2\s+5\s+3/);

    // Partition lists, several topics, and every topic the group has offsets for.
    const admin2 = kafka.admin();
    await admin2.createTopics([{ topic: 'timed2', numPartitions: 2, replicationFactor: 1 }]);
    await admin2.alterConsumerGroupOffsets('timer', [{ topic: 'timed2', partition: 1, offset: 0 }]);
    await admin2.close();
    const many = await groups(
      '--reset-offsets',
      '--group',
      'timer',
      '--topic',
      'timed:0',
      '--topic',
      'timed2:1,0',
      '--to-latest',
    );
    expect(many.code).toBe(0);
    expect(
      many.stdout
        .split('\n')
        .filter((l) => l.startsWith('timer'))
        .map((l) => l.split(/\s+/)),
    ).toEqual([
      ['timer', 'timed', '0', '5'],
      ['timer', 'timed2', '0', '0'],
      ['timer', 'timed2', '1', '0'],
    ]);
    const all = await groups(
      '--reset-offsets',
      '--group',
      'timer',
      '--all-topics',
      '--to-earliest',
      '--execute',
    );
    expect(all.code).toBe(0);
    expect(
      all.stdout
        .split('\n')
        .filter((l) => l.startsWith('timer'))
        .map((l) => l.split(/\s+/)),
    ).toEqual([
      ['timer', 'timed', '0', '0'],
      ['timer', 'timed2', '0', '0'],
      ['timer', 'timed2', '1', '0'],
    ]);
    const badPartition = await groups(
      '--reset-offsets',
      '--group',
      'timer',
      '--topic',
      'timed:7',
      '--to-latest',
    );
    expect(badPartition.code).toBe(1);
    expect(badPartition.stderr).toBe('tskafka consumer-groups: topic "timed" has no partition 7\n');

    const none = await groups('--reset-offsets', '--group', 'nobody', '--topic', 'timed', '--shift-by', '1');
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(
      'tskafka consumer-groups: cannot shift the offset of partition timed-0: the group has no committed offset for it\n',
    );
    for (const [spec, message] of [
      [['--to-datetime', 'yesterday'], '--to-datetime "yesterday" is not a date and time'],
      [['--by-duration', '1h'], '--by-duration "1h" is not a duration'],
      [['--to-current', '--to-latest'], '--reset-offsets requires one of --to-earliest'],
      [['--all-topics', '--to-latest'], '--reset-offsets takes --topic or --all-topics, not both'],
    ] as const) {
      const r = await reset(...spec);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
    }
  });
});
