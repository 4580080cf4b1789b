/**
 * `tskafka/kafkajs`'s admin config and reassignment calls against KafkaJS's own, each run on a
 * fresh broker (three for reassignments): the same results, shapes and errors.
 */
import { type Cluster, startCluster } from '@tskafka/broker';
import type * as kafkajs from 'kafkajs';
import * as real from 'kafkajs';
import * as ours from 'tskafka/kafkajs';
import { describe, expect, it } from 'vitest';
import { both, describeError, type KafkaJSModule } from './harness.js';

const { ConfigResourceTypes } = real;

async function withAdmin<T>(kafka: kafkajs.Kafka, fn: (admin: kafkajs.Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

/**
 * An error as KafkaJS's callers see it, with the errors inside an aggregate. The message is
 * compared for the client's own checks; a broker error's text is the broker's (ours says more).
 */
function errorOf(e: unknown) {
  const inner = (e as { errors?: unknown[] }).errors ?? [];
  const described = describeError(e);
  return {
    ...described,
    message: described.type === undefined ? (e as Error).message : undefined,
    errors: inner.map((x) => {
      const err = x as { topic?: string; partition?: number };
      return { ...describeError(x), topic: err.topic, partition: err.partition };
    }),
  };
}

async function failure(p: Promise<unknown>) {
  return p.then(
    () => ({ resolved: true }),
    (e: unknown) => errorOf(e),
  );
}

describe('tskafka/kafkajs describeConfigs and alterConfigs, differential against kafkajs 2.2.4', () => {
  it('describes topic and broker configs with synonyms, and alters them (validateOnly first)', async () => {
    const r = await both(async ({ kafka }) =>
      withAdmin(kafka, async (admin) => {
        await admin.createTopics({
          topics: [{ topic: 'conf', configEntries: [{ name: 'retention.ms', value: '60000' }] }],
        });
        const [{ nodeId }] = (await admin.describeCluster()).brokers;
        const describe = () =>
          admin.describeConfigs({
            includeSynonyms: true,
            resources: [
              {
                type: ConfigResourceTypes.TOPIC,
                name: 'conf',
                configNames: ['retention.ms', 'cleanup.policy'],
              },
              {
                type: ConfigResourceTypes.BROKER,
                name: String(nodeId),
                configNames: ['log.retention.hours'],
              },
            ],
          });
        const before = await describe();
        const alter = (validateOnly: boolean) =>
          admin.alterConfigs({
            validateOnly,
            resources: [
              {
                type: ConfigResourceTypes.TOPIC,
                name: 'conf',
                configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
              },
            ],
          });
        const validated = await alter(true);
        const unchanged = await describe();
        const altered = await alter(false);
        const after = await describe();
        const all = await admin.describeConfigs({
          includeSynonyms: false,
          resources: [{ type: ConfigResourceTypes.TOPIC, name: 'conf' }],
        });
        return {
          before,
          validated,
          unchangedAfterValidate: JSON.stringify(unchanged) === JSON.stringify(before),
          altered,
          after,
          allNames: all.resources[0].configEntries.map((e) => e.configName).sort(),
        };
      }),
    );
    const retention = r.kafkajs.before.resources[0].configEntries.find(
      (e) => e.configName === 'retention.ms',
    );
    expect(retention?.configSynonyms.length).toBeGreaterThan(1);
    expect(r.kafkajs.unchangedAfterValidate).toBe(true);
    expect(r.kafkajs.allNames.length).toBeGreaterThan(10);
    expect(r.ours).toEqual(r.kafkajs);
  });

  it('fails as KafkaJS does: invalid arguments, an unknown topic, an invalid value', async () => {
    const r = await both(async ({ kafka }) =>
      withAdmin(kafka, async (admin) => {
        await admin.createTopics({ topics: [{ topic: 'conf' }] });
        const anyAdmin = admin as unknown as {
          describeConfigs(o: unknown): Promise<unknown>;
          alterConfigs(o: unknown): Promise<unknown>;
        };
        return {
          empty: await failure(anyAdmin.describeConfigs({ resources: [], includeSynonyms: false })),
          badType: await failure(
            anyAdmin.describeConfigs({ resources: [{ type: 3, name: 'conf' }], includeSynonyms: false }),
          ),
          badValue: await failure(
            anyAdmin.alterConfigs({
              resources: [
                { type: ConfigResourceTypes.TOPIC, name: 'conf', configEntries: [{ name: 'x', value: 1 }] },
              ],
            }),
          ),
          unknownTopic: await failure(
            admin.describeConfigs({
              includeSynonyms: false,
              resources: [{ type: ConfigResourceTypes.TOPIC, name: 'missing' }],
            }),
          ),
          invalidValue: await failure(
            admin.alterConfigs({
              validateOnly: false,
              resources: [
                {
                  type: ConfigResourceTypes.TOPIC,
                  name: 'conf',
                  configEntries: [{ name: 'cleanup.policy', value: 'shred' }],
                },
              ],
            }),
          ),
        };
      }),
    );
    expect(r.kafkajs.unknownTopic).toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION' });
    expect(r.ours).toEqual(r.kafkajs);
  });
});

/** Runs `scenario` with KafkaJS, then with ours, each on a fresh three-broker cluster. */
async function bothOnThree<T>(
  scenario: (ctx: { kafka: kafkajs.Kafka; cluster: Cluster }) => Promise<T>,
): Promise<{ kafkajs: T; ours: T }> {
  const out: T[] = [];
  for (const lib of [real, ours as unknown as KafkaJSModule]) {
    const cluster = await startCluster({ brokers: 3 });
    try {
      const kafka = new lib.Kafka({
        clientId: 'differential',
        brokers: cluster.bootstrapServers,
        logLevel: lib.logLevel.NOTHING,
        retry: { retries: 2, initialRetryTime: 50 },
      });
      out.push(await scenario({ kafka, cluster }));
    } finally {
      await cluster.close();
    }
  }
  return { kafkajs: out[0], ours: out[1] };
}

describe('tskafka/kafkajs partition reassignments, differential against kafkajs 2.2.4 (three brokers)', () => {
  it('moves replicas, lists the moves in progress, and refuses an unknown broker', async () => {
    const r = await bothOnThree(async ({ kafka, cluster }) =>
      withAdmin(kafka, async (admin) => {
        await admin.createTopics({
          topics: [
            {
              topic: 'moving',
              replicaAssignment: [
                { partition: 0, replicas: [1, 2] },
                { partition: 1, replicas: [2, 1] },
              ],
            },
          ],
        });
        const refused = await failure(
          admin.alterPartitionReassignments({
            topics: [{ topic: 'moving', partitionAssignment: [{ partition: 1, replicas: [2, 99] }] }],
          }),
        );
        const duplicate = await failure(
          admin.alterPartitionReassignments({
            topics: [
              { topic: 'moving', partitionAssignment: [] },
              { topic: 'moving', partitionAssignment: [] },
            ],
          }),
        );
        // Broker 3 is down: the move to it cannot finish, so it is listed as in progress.
        await cluster.stopBroker(3);
        const altered = await admin.alterPartitionReassignments({
          topics: [{ topic: 'moving', partitionAssignment: [{ partition: 0, replicas: [3, 1] }] }],
        });
        const inProgress = await admin.listPartitionReassignments({});
        const filtered = await admin.listPartitionReassignments({
          topics: [{ topic: 'moving', partitions: [1] }],
        });
        await cluster.startBroker(3);
        let finallyListed = inProgress;
        const deadline = Date.now() + 20_000;
        while (finallyListed.topics.length > 0 && Date.now() < deadline)
          finallyListed = await admin.listPartitionReassignments({});
        let replicas: number[] = [];
        while (Date.now() < deadline) {
          const { topics } = await admin.fetchTopicMetadata({ topics: ['moving'] });
          replicas = [...(topics[0].partitions.find((p) => p.partitionId === 0)?.replicas ?? [])].sort();
          if (replicas.join() === '1,3') break;
        }
        return { refused, duplicate, altered, inProgress, filtered, finallyListed, replicas };
      }),
    );
    expect(r.kafkajs.refused).toMatchObject({ name: 'KafkaJSAggregateError' });
    expect(r.kafkajs.inProgress).toEqual({
      topics: [
        {
          name: 'moving',
          partitions: [{ partition: 0, replicas: [3, 1, 2], addingReplicas: [3], removingReplicas: [2] }],
        },
      ],
    });
    expect(r.kafkajs.replicas).toEqual([1, 3]);
    expect(r.ours).toEqual(r.kafkajs);
  });
});
