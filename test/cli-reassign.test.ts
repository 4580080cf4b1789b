/**
 * `tskafka reassign-partitions` against a three-broker reference cluster, with Kafka's JSON files:
 * `--generate` proposes an assignment over a broker list, `--execute` starts it (printing the
 * current assignment to roll back), `--verify` reports each partition's move done, `--list`
 * shows moves in progress; bad files are refused before anything is sent.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Cluster, startCluster } from '@tskafka/broker';
import { Kafka } from 'tskafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../packages/cli/test/run-cli.js';
import { until } from './until.js';

let cluster: Cluster;
let dir: string;
let bootstrap: string;

beforeAll(async () => {
  cluster = await startCluster({ brokers: 3, logLevel: 'error' });
  bootstrap = cluster.bootstrapServers.join(',');
  dir = mkdtempSync(join(tmpdir(), 'tskafka-reassign-'));
});

afterAll(async () => {
  await cluster?.close();
  rmSync(dir, { recursive: true, force: true });
});

const reassign = (...args: string[]) =>
  runCli(['reassign-partitions', '--bootstrap-server', bootstrap, ...args]);

function file(name: string, json: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(json));
  return path;
}

describe('tskafka reassign-partitions', () => {
  it('generates, executes and verifies a reassignment with Kafka’s JSON', async () => {
    const [b1, b2, b3] = [...cluster.metadata.brokers.keys()].sort((a, b) => a - b);
    const admin = new Kafka({ bootstrapServers: cluster.bootstrapServers, clientId: 'cli-reassign' }).admin();
    await admin.connect();
    try {
      await admin.createTopics([
        {
          topic: 'to-move',
          replicaAssignment: [
            { partition: 0, replicas: [b1] },
            { partition: 1, replicas: [b1] },
          ],
        },
      ]);
      const producer = new Kafka({
        bootstrapServers: cluster.bootstrapServers,
        clientId: 'cli-reassign',
      }).producer();
      await producer.connect();
      for (let i = 0; i < 10; i++)
        await producer.send({ topic: 'to-move', partition: i % 2, value: `v${i}` });
      await producer.close();
    } finally {
      await admin.close();
    }

    const topicsFile = file('topics.json', { topics: [{ topic: 'to-move' }], version: 1 });
    const generated = await reassign(
      '--generate',
      '--topics-to-move-json-file',
      topicsFile,
      '--broker-list',
      `${b2},${b3}`,
    );
    expect(generated.code).toBe(0);
    const [currentPart, proposedPart] = generated.stdout.split('\n\n');
    expect(currentPart).toBe(
      `Current partition replica assignment\n{"version":1,"partitions":[{"topic":"to-move","partition":0,"replicas":[${b1}],"log_dirs":["any"]},{"topic":"to-move","partition":1,"replicas":[${b1}],"log_dirs":["any"]}]}`,
    );
    expect(proposedPart).toBe(
      `Proposed partition reassignment configuration\n{"version":1,"partitions":[{"topic":"to-move","partition":0,"replicas":[${b2}],"log_dirs":["any"]},{"topic":"to-move","partition":1,"replicas":[${b3}],"log_dirs":["any"]}]}\n`,
    );

    const planFile = join(dir, 'plan.json');
    writeFileSync(planFile, proposedPart.split('\n')[1]);
    const executed = await reassign('--execute', '--reassignment-json-file', planFile);
    expect(executed.code).toBe(0);
    expect(executed.stdout).toContain(
      'Save this to use as the --reassignment-json-file option during rollback',
    );
    expect(executed.stdout).toContain('Successfully started partition reassignments for to-move-0,to-move-1');

    await until('the moves are done', async () => {
      const verified = await reassign('--verify', '--reassignment-json-file', planFile);
      return verified.stdout.includes('Reassignment of partition to-move-1 is completed.');
    });
    const verified = await reassign('--verify', '--reassignment-json-file', planFile);
    expect(verified.stdout).toBe(
      'Status of partition reassignment:\nReassignment of partition to-move-0 is completed.\nReassignment of partition to-move-1 is completed.\n',
    );
    expect((await reassign('--list')).stdout).toBe('No partition reassignments found.\n');
    // The data moved with the replicas.
    const p = cluster.broker(b2).replicaManager.getPartition('to-move', 0);
    expect(p?.isLeader).toBe(true);
    expect(p?.highWatermark).toBe(5);
  });

  it('refuses a file Kafka refuses, naming what is wrong', async () => {
    const dup = file('dup.json', {
      version: 1,
      partitions: [{ topic: 'x', partition: 0, replicas: [1, 1] }],
    });
    const r = await reassign('--execute', '--reassignment-json-file', dup);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Duplicate replica assignment found: x-0 -> 1,1');
    const none = await reassign('--verify');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('reassignment-json-file');
  });
});
