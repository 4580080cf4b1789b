/**
 * The transaction side of the `tskafka` command as a user's script runs it (a child process per
 * command) against the reference broker: `transactions list | describe | describe-producers |
 * abort | find-hanging` with Kafka's tables, console-consumer's `--isolation-level`, and
 * producer-perf-test's `--transactional-id` / `--transaction-duration-ms`.
 */
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { Api, encodeRecordBatch } from '@tskafka/protocol/internals';
import { type Admin, Kafka, type Producer } from 'tskafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../packages/cli/test/run-cli.js';
import { WireClient } from './interop/wire-client.js';
import { readTopic } from './read-topic.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
let broker: RunningBroker;
let bootstrap: string;
let kafka: Kafka;
let admin: Admin;
const producers: Producer[] = [];

beforeAll(async () => {
  broker = await startBroker({
    logLevel: 'error',
    config: {
      'num.partitions': 1,
      'transaction.state.log.num.partitions': 2,
      'offsets.topic.num.partitions': 1,
      'group.initial.rebalance.delay.ms': 0,
    },
  });
  bootstrap = broker.bootstrapServers[0] ?? '';
  kafka = new Kafka({ bootstrapServers: [bootstrap], clientId: 'cli-txn', logger: quiet });
  admin = kafka.admin();
  await admin.connect();
});
afterAll(async () => {
  for (const p of producers) await p.close().catch(() => {});
  await admin?.close();
  await broker?.close();
});

async function txnProducer(transactionalId: string): Promise<Producer> {
  const p = kafka.producer({ transactionalId });
  producers.push(p);
  await p.connect();
  await p.initTransactions();
  return p;
}

const transactions = (...args: string[]) =>
  runCli(['transactions', '--bootstrap-server', bootstrap, ...args]);

/** The cells of a table line as Kafka prints them: each padded, each followed by a tab. */
function cells(line: string): string[] {
  expect(line.endsWith('\t')).toBe(true);
  return line
    .slice(0, -1)
    .split('\t')
    .map((c) => c.trimEnd());
}

describe('tskafka transactions', () => {
  it('lists, describes and shows the producers of an open and a committed transaction; aborts a hanging one', async () => {
    await admin.createTopics([{ topic: 'cli-tx', numPartitions: 1, replicationFactor: 1 }]);
    const done = await txnProducer('cli-done');
    await done.beginTransaction();
    await done.send({ topic: 'cli-tx', value: 'committed' });
    await done.commitTransaction();
    const open = await txnProducer('cli-open');
    await open.beginTransaction();
    const first = await open.send({ topic: 'cli-tx', value: 'pending' });
    const [openDesc, doneDesc] = await admin.describeTransactions(['cli-open', 'cli-done']);
    const openPid = String(openDesc?.producerId);
    const donePid = String(doneDesc?.producerId);

    const listed = await transactions('list');
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    const listLines = listed.stdout.replace(/\n$/, '').split('\n');
    // Every header is wider than its column's values here, so nothing is padded.
    expect(listLines[0]).toBe('TransactionalId\tCoordinator\tProducerId\tTransactionState\t');
    expect(listLines.slice(1).map(cells)).toEqual([
      ['cli-done', '1', donePid, 'CompleteCommit'],
      ['cli-open', '1', openPid, 'Ongoing'],
    ]);
    expect(listLines[1]).toBe(`cli-done       \t1          \t${donePid.padEnd(10)}\tCompleteCommit  \t`);

    const described = await transactions('describe', '--transactional-id', 'cli-open');
    expect(described.stderr).toBe('');
    expect(described.code).toBe(0);
    const [header, row, ...rest] = described.stdout.replace(/\n$/, '').split('\n');
    expect(rest).toEqual([]);
    expect(cells(header ?? '')).toEqual([
      'CoordinatorId',
      'TransactionalId',
      'ProducerId',
      'ProducerEpoch',
      'TransactionState',
      'TransactionTimeoutMs',
      'CurrentTransactionStartTimeMs',
      'TransactionDurationMs',
      'TopicPartitions',
    ]);
    const r = cells(row ?? '');
    expect(r.slice(0, 6)).toEqual([
      '1',
      'cli-open',
      openPid,
      String(openDesc?.producerEpoch),
      'Ongoing',
      '60000',
    ]);
    expect(r[6]).toBe(String(openDesc?.transactionStartTimeMs));
    expect(Number(r[7])).toBeGreaterThanOrEqual(0);
    expect(r[8]).toBe('cli-tx-0');

    const committed = await transactions('describe', '--transactional-id', 'cli-done');
    expect(cells(committed.stdout.replace(/\n$/, '').split('\n')[1] ?? '')[4]).toBe('CompleteCommit');

    const unknown = await transactions('describe', '--transactional-id', 'cli-nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toMatch(
      /^tskafka transactions: Failed to describe transaction state of transactional-id `cli-nope`: TRANSACTIONAL_ID_NOT_FOUND: .*\n$/,
    );

    const producersOut = await transactions('describe-producers', '--topic', 'cli-tx', '--partition', '0');
    expect(producersOut.stderr).toBe('');
    expect(producersOut.code).toBe(0);
    const [pHeader, ...pRows] = producersOut.stdout.replace(/\n$/, '').split('\n');
    expect(cells(pHeader ?? '')).toEqual([
      'ProducerId',
      'ProducerEpoch',
      'LatestCoordinatorEpoch',
      'LastSequence',
      'LastTimestamp',
      'CurrentTransactionStartOffset',
    ]);
    const byPid = new Map(pRows.map(cells).map((c) => [c[0], c]));
    expect(byPid.get(openPid)?.slice(1, 4)).toEqual([String(openDesc?.producerEpoch), '-1', '0']);
    expect(byPid.get(openPid)?.[5]).toBe(String(first.offset));
    expect(byPid.get(donePid)?.[5]).toBe('None');
    expect(Number(byPid.get(donePid)?.[2])).toBeGreaterThanOrEqual(0); // its commit marker's coordinator epoch

    const badPartition = await transactions('describe-producers', '--topic', 'cli-tx', '--partition', '4');
    expect(badPartition.code).toBe(1);
    expect(badPartition.stderr).toMatch(
      /^tskafka transactions: Failed to describe producers for partition cli-tx-4 on leader: UNKNOWN_TOPIC_OR_PARTITION/,
    );

    // Not hanging yet: the producer wrote just now and its coordinator counts the partition in.
    const none = await transactions('find-hanging', '--topic', 'cli-tx', '--max-transaction-timeout', '0');
    expect(none.code).toBe(0);
    expect(none.stdout.replace(/\n$/, '').split('\n').slice(1)).toEqual([]);

    const noTxn = await transactions(
      'abort',
      '--topic',
      'cli-tx',
      '--partition',
      '0',
      '--start-offset',
      '999',
    );
    expect(noTxn.code).toBe(1);
    expect(noTxn.stderr).toBe(
      'tskafka transactions: Could not find any open transactions starting at offset 999 on partition cli-tx-0\n',
    );
    const aborted = await transactions(
      'abort',
      '--topic',
      'cli-tx',
      '--partition',
      '0',
      '--start-offset',
      String(first.offset),
    );
    expect(aborted).toEqual({ stdout: '', stderr: '', code: 0 });
    const afterAbort = await transactions('describe-producers', '--topic', 'cli-tx', '--partition', '0');
    const openRow = afterAbort.stdout
      .replace(/\n$/, '')
      .split('\n')
      .map(cells)
      .find((c) => c[0] === openPid);
    expect(openRow?.[5]).toBe('None');
    expect(await readTopic(kafka, 'cli-tx', 1, 'read_committed')).toEqual(['committed']);
    await open.abortTransaction();
  });

  it('find-hanging finds a transaction no coordinator knows; abort by producer id ends it', async () => {
    await admin.createTopics([{ topic: 'cli-hang', numPartitions: 1, replicationFactor: 1 }]);
    // A transactional batch from a producer id no coordinator has: its marker will never come.
    const wire = await WireClient.connect(bootstrap);
    try {
      const res = await wire.request(Api.Produce, 9, {
        transactionalId: 'gone',
        acks: -1,
        timeoutMs: 5000,
        topicData: [
          {
            name: 'cli-hang',
            partitionData: [
              {
                index: 0,
                records: encodeRecordBatch({
                  producerId: 4242,
                  producerEpoch: 3,
                  baseSequence: 0,
                  isTransactional: true,
                  records: [{ value: 'stuck-1' }, { value: 'stuck-2' }],
                }),
              },
            ],
          },
        ],
      });
      expect(res.responses[0].partitionResponses[0].errorCode).toBe(0);
    } finally {
      await wire.close();
    }
    const found = await transactions('find-hanging', '--topic', 'cli-hang', '--max-transaction-timeout', '0');
    expect(found.stderr).toBe('');
    expect(found.code).toBe(0);
    const [h, ...rows] = found.stdout.replace(/\n$/, '').split('\n');
    expect(cells(h ?? '')).toEqual([
      'Topic',
      'Partition',
      'ProducerId',
      'ProducerEpoch',
      'CoordinatorEpoch',
      'StartOffset',
      'LastTimestamp',
      'Duration(min)',
    ]);
    expect(rows.map((r) => cells(r).slice(0, 6))).toEqual([['cli-hang', '0', '4242', '3', '-1', '0']]);

    const aborted = await transactions(
      'abort',
      '--topic',
      'cli-hang',
      '--partition',
      '0',
      '--producer-id',
      '4242',
      '--producer-epoch',
      '3',
      '--coordinator-epoch',
      '-1',
    );
    expect(aborted).toEqual({ stdout: '', stderr: '', code: 0 });
    const after = await transactions('find-hanging', '--topic', 'cli-hang', '--max-transaction-timeout', '0');
    expect(after.stdout.replace(/\n$/, '').split('\n')).toHaveLength(1);
    expect(await readTopic(kafka, 'cli-hang', 1, 'read_committed')).toEqual([]);
    expect(await readTopic(kafka, 'cli-hang', 1, 'read_uncommitted')).toEqual(['stuck-1', 'stuck-2']);
  });

  it('fails with usage errors before connecting', async () => {
    const noCommand = await transactions();
    expect(noCommand.code).toBe(2);
    expect(noCommand.stderr).toMatch(/a command is required: one of list, describe, describe-producers/);
    const noId = await transactions('describe');
    expect(noId).toMatchObject({
      code: 2,
      stderr: 'tskafka transactions: describe requires --transactional-id\n',
    });
    const abortWithout = await transactions('abort', '--topic', 't', '--partition', '0');
    expect(abortWithout.code).toBe(2);
    expect(abortWithout.stderr).toMatch(/must be identified either with --start-offset/);
    const help = await runCli(['--help']);
    expect(help.stdout).toMatch(/\n {2}transactions {8}/);
  });
});

describe('console-consumer --isolation-level', () => {
  it('read_committed leaves out an aborted transaction; read_uncommitted prints it', async () => {
    await admin.createTopics([{ topic: 'cli-iso', numPartitions: 1, replicationFactor: 1 }]);
    const p = await txnProducer('cli-iso');
    await p.beginTransaction();
    p.send({ topic: 'cli-iso', value: 'aborted-1' }).catch(() => {});
    p.send({ topic: 'cli-iso', value: 'aborted-2' }).catch(() => {});
    await p.flush();
    await p.abortTransaction();
    await p.beginTransaction();
    p.send({ topic: 'cli-iso', value: 'committed-1' });
    p.send({ topic: 'cli-iso', value: 'committed-2' });
    await p.commitTransaction();

    const consume = (level: string, max: number) =>
      runCli([
        'console-consumer',
        '--bootstrap-server',
        bootstrap,
        '--topic',
        'cli-iso',
        '--from-beginning',
        '--isolation-level',
        level,
        '--max-messages',
        String(max),
      ]);
    // Aborted records come first in the log: a reader that printed them would print them first.
    const committed = await consume('read_committed', 2);
    expect(committed).toEqual({
      stdout: 'committed-1\ncommitted-2\n',
      stderr: 'Processed a total of 2 messages\n',
      code: 0,
    });
    const all = await consume('read_uncommitted', 4);
    expect(all.code).toBe(0);
    expect(all.stdout).toBe('aborted-1\naborted-2\ncommitted-1\ncommitted-2\n');

    const bad = await consume('read_most', 1);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      'tskafka console-consumer: --isolation-level: expected read_committed or read_uncommitted, got "read_most"\n',
    );
  });
});

describe('producer-perf-test with transactions', () => {
  it('--transactional-id sends every record in committed transactions', async () => {
    await admin.createTopics([{ topic: 'cli-perf-tx', numPartitions: 1, replicationFactor: 1 }]);
    const r = await runCli([
      'producer-perf-test',
      '--topic',
      'cli-perf-tx',
      '--num-records',
      '500',
      '--record-size',
      '20',
      '--throughput',
      '-1',
      '--transactional-id',
      'perf-tx',
      '--producer-props',
      `bootstrap.servers=${bootstrap}`,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^500 records sent, /);
    const values = await readTopic(kafka, 'cli-perf-tx', 1, 'read_committed');
    expect(values).toHaveLength(500);
    const [d] = await admin.describeTransactions(['perf-tx']);
    expect(d?.state).toBe('CompleteCommit');
    // The records were the transaction's: its producer's commit marker is in the partition.
    const [state] = await admin.describeProducers([{ topic: 'cli-perf-tx', partition: 0 }]);
    expect(state?.activeProducers.find((a) => a.producerId === d?.producerId)).toMatchObject({
      currentTransactionStartOffset: null,
      lastSequence: 499,
    });
  });

  it('--transaction-duration-ms alone turns transactions on with a performance-producer- id', async () => {
    await admin.createTopics([{ topic: 'cli-perf-dur', numPartitions: 1, replicationFactor: 1 }]);
    const r = await runCli([
      'producer-perf-test',
      '--topic',
      'cli-perf-dur',
      '--num-records',
      '200',
      '--record-size',
      '10',
      '--throughput',
      '-1',
      '--transaction-duration-ms',
      '50',
      '--bootstrap-server',
      bootstrap,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await readTopic(kafka, 'cli-perf-dur', 1, 'read_committed')).toHaveLength(200);
    const listed = await admin.listTransactions({ filterStates: ['CompleteCommit'] });
    expect(listed.map((l) => l.transactionalId)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^performance-producer-[0-9a-f-]{36}$/)]),
    );
  });
});
