/**
 * ACLs on the reference broker with `authorizer.class.name` set: a super user creates, describes
 * and deletes ACLs with the tskafka admin client and with KafkaJS 2.2.4's
 * admin.createAcls/describeAcls/deleteAcls; a confluent-kafka-python producer logged in as a user
 * the ACLs restrict is refused with TOPIC_AUTHORIZATION_FAILED and does not see the topics it may
 * not describe; the ACLs survive a restart on the same data directory. Users log in with SASL
 * PLAIN, so the principal is `User:<name>`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Admin } from '@tskafka/admin';
import { type RunningBroker, startBroker } from '@tskafka/broker';
import {
  AclOperation,
  AclPermissionType,
  ClusterAuthorizationFailedError,
  GroupAuthorizationFailedError,
  PatternType,
  ResourceType,
  TopicAuthorizationFailedError,
  TransactionalIdAuthorizationFailedError,
} from '@tskafka/protocol';
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  Kafka,
  logLevel,
  ResourcePatternTypes,
} from 'kafkajs';
import { Kafka as TsKafka } from 'tskafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../packages/cli/test/run-cli.js';
import { requirePythonClient, runPython } from './python.js';

const USERS = { admin: 'admin-secret', alice: 'alice-secret' };
const CONFIG = {
  'sasl.enabled.mechanisms': 'PLAIN',
  'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
  'super.users': 'User:admin',
  'num.partitions': 1,
};

let dataDir: string;
let broker: RunningBroker;
let bootstrap: string;

const start = async () => {
  broker = await startBroker({ dataDir, config: CONFIG, users: USERS, logLevel: 'error' });
  bootstrap = broker.bootstrapServers[0];
};

function adminAs(user: keyof typeof USERS): Admin {
  return new Admin({
    bootstrapServers: bootstrap,
    sasl: { mechanism: 'PLAIN', username: user, password: USERS[user] },
    defaultApiTimeoutMs: 10_000,
  });
}

beforeAll(async () => {
  requirePythonClient();
  dataDir = mkdtempSync(join(tmpdir(), 'tskafka-acls-'));
  await start();
  const admin = adminAs('admin');
  await admin.createTopics([
    { topic: 'open-orders', numPartitions: 1, replicationFactor: 1 },
    { topic: 'secret', numPartitions: 1, replicationFactor: 1 },
  ]);
  await admin.close();
});

afterAll(async () => {
  await broker?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('ACLs with confluent-kafka-python and the tskafka clients', () => {
  it('a super user creates ACLs; a restricted user is refused and sees only the topics it may describe', async () => {
    const admin = adminAs('admin');
    try {
      // alice may write (so describe) every topic starting with `open-`, and delete none.
      await admin.createAcls([
        {
          resourceType: ResourceType.TOPIC,
          resourceName: 'open-',
          patternType: PatternType.PREFIXED,
          principal: 'User:alice',
          operation: AclOperation.WRITE,
          permissionType: AclPermissionType.ALLOW,
        },
        {
          resourceType: ResourceType.TOPIC,
          resourceName: '*',
          principal: 'User:alice',
          operation: AclOperation.DELETE,
          permissionType: AclPermissionType.DENY,
        },
      ]);
      expect(await admin.describeAcls({ principal: 'User:alice' })).toHaveLength(2);
    } finally {
      await admin.close();
    }
    const probe = await runPython('acls.py', [bootstrap, 'alice', USERS.alice, 'open-orders', 'secret']);
    expect(probe).toEqual([
      // WRITE implies DESCRIBE: open-orders is listed; secret is hidden.
      { step: 'topics', topics: ['open-orders'] },
      { step: 'produce', topic: 'open-orders', result: 'OK' },
      { step: 'produce', topic: 'secret', result: 'TOPIC_AUTHORIZATION_FAILED' },
    ]);
  });

  it('the tskafka clients get typed errors: topic, group, cluster and transactional id authorization', async () => {
    const alice = adminAs('alice');
    try {
      await expect(alice.describeTopics(['secret'])).rejects.toBeInstanceOf(TopicAuthorizationFailedError);
      await expect(alice.deleteTopics(['open-orders'])).rejects.toBeInstanceOf(TopicAuthorizationFailedError);
      await expect(alice.describeGroups(['billing'])).rejects.toBeInstanceOf(GroupAuthorizationFailedError);
      await expect(
        alice.createAcls([
          {
            resourceType: ResourceType.CLUSTER,
            resourceName: 'kafka-cluster',
            principal: 'User:alice',
            operation: AclOperation.ALL,
            permissionType: AclPermissionType.ALLOW,
          },
        ]),
      ).rejects.toBeInstanceOf(ClusterAuthorizationFailedError);
    } finally {
      await alice.close();
    }
    // An idempotent producer (the default) may start: WRITE on some topic stands in for
    // IDEMPOTENT_WRITE on the cluster (KIP-679); its sends to a topic it may not write fail.
    const producer = new TsKafka({
      bootstrapServers: bootstrap,
      sasl: { mechanism: 'plain', username: 'alice', password: USERS.alice },
    }).producer({ acks: 'all', deliveryTimeoutMs: 5000, requestTimeoutMs: 4000, lingerMs: 0 });
    try {
      await producer.connect();
      expect((await producer.send({ topic: 'open-orders', value: 'x' })).offset).toBe(1);
      await expect(producer.send({ topic: 'secret', value: 'x' })).rejects.toBeInstanceOf(
        TopicAuthorizationFailedError,
      );
    } finally {
      await producer.close();
    }
    const transactional = new TsKafka({
      bootstrapServers: bootstrap,
      sasl: { mechanism: 'plain', username: 'alice', password: USERS.alice },
    }).producer({ transactionalId: 'alice-tx', maxBlockMs: 5000 });
    try {
      await transactional.connect();
      await expect(transactional.initTransactions()).rejects.toBeInstanceOf(
        TransactionalIdAuthorizationFailedError,
      );
    } finally {
      await transactional.close();
    }
  });

  it('keeps the ACLs across a restart on the same data directory, then deletes them', async () => {
    await broker.close();
    await start();
    const admin = adminAs('admin');
    try {
      const acls = await admin.describeAcls({
        resourceType: ResourceType.TOPIC,
        patternType: PatternType.PREFIXED,
      });
      expect(acls).toEqual([
        {
          resourceType: ResourceType.TOPIC,
          resourceName: 'open-',
          patternType: PatternType.PREFIXED,
          principal: 'User:alice',
          host: '*',
          operation: AclOperation.WRITE,
          permissionType: AclPermissionType.ALLOW,
        },
      ]);
    } finally {
      await admin.close();
    }
    const again = adminAs('admin');
    try {
      const [result] = await again.deleteAcls([
        { resourceType: ResourceType.TOPIC, principal: 'User:alice' },
      ]);
      expect(result.deleted.map((a) => [a.resourceName, a.operation, a.permissionType])).toEqual([
        ['open-', AclOperation.WRITE, AclPermissionType.ALLOW],
        ['*', AclOperation.DELETE, AclPermissionType.DENY],
      ]);
      expect(await again.describeAcls()).toEqual([]);
    } finally {
      await again.close();
    }
  });
});

describe('ACLs with KafkaJS 2.2.4', () => {
  it('admin.createAcls, describeAcls and deleteAcls against the authorizer', async () => {
    const kafka = new Kafka({
      clientId: 'kafkajs-acls',
      brokers: [bootstrap],
      sasl: { mechanism: 'plain', username: 'admin', password: USERS.admin },
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const acl = {
        resourceType: AclResourceTypes.GROUP,
        resourceName: 'billing',
        resourcePatternType: ResourcePatternTypes.LITERAL,
        principal: 'User:alice',
        host: '*',
        operation: AclOperationTypes.READ,
        permissionType: AclPermissionTypes.ALLOW,
      };
      await admin.createAcls({ acl: [acl] });
      const described = await admin.describeAcls({
        resourceType: AclResourceTypes.GROUP,
        resourcePatternType: ResourcePatternTypes.ANY,
        operation: AclOperationTypes.ANY,
        permissionType: AclPermissionTypes.ANY,
      });
      expect(described.resources).toEqual([
        {
          resourceType: AclResourceTypes.GROUP,
          resourceName: 'billing',
          resourcePatternType: ResourcePatternTypes.LITERAL,
          acls: [
            {
              principal: 'User:alice',
              host: '*',
              operation: AclOperationTypes.READ,
              permissionType: AclPermissionTypes.ALLOW,
            },
          ],
        },
      ]);
      const deleted = await admin.deleteAcls({
        filters: [
          {
            resourceType: AclResourceTypes.GROUP,
            resourceName: 'billing',
            resourcePatternType: ResourcePatternTypes.LITERAL,
            operation: AclOperationTypes.ANY,
            permissionType: AclPermissionTypes.ANY,
          },
        ],
      });
      expect(deleted.filterResponses[0].matchingAcls).toHaveLength(1);
      expect(deleted.filterResponses[0].errorCode).toBe(0);
    } finally {
      await admin.disconnect();
    }
  });
});

describe('tskafka acls, as kafka-acls.sh', () => {
  it('adds, lists and removes ACLs with the flags and lines of kafka-acls.sh', async () => {
    const config = join(dataDir, 'admin.properties');
    writeFileSync(
      config,
      [
        'security.protocol=SASL_PLAINTEXT',
        'sasl.mechanism=PLAIN',
        `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="${USERS.admin}";`,
      ].join('\n'),
    );
    const acls = (...args: string[]) =>
      runCli(['acls', '--bootstrap-server', bootstrap, '--command-config', config, ...args]);
    const added = await acls(
      '--add',
      '--allow-principal',
      'User:alice',
      '--operation',
      'Read',
      '--operation',
      'Describe',
      '--group',
      'billing',
    );
    expect(added.code, added.stderr).toBe(0);
    const resource = 'ResourcePattern(resourceType=GROUP, name=billing, patternType=LITERAL)';
    const entries = [
      '(principal=User:alice, host=*, operation=READ, permissionType=ALLOW)',
      '(principal=User:alice, host=*, operation=DESCRIBE, permissionType=ALLOW)',
    ];
    expect(added.stdout).toBe(
      `Adding ACLs for resource \`${resource}\`: \n \t${entries.join('\n \t')} \n\n` +
        `Current ACLs for resource \`${resource}\`: \n \t${entries.join('\n \t')} \n\n`,
    );
    const listed = await acls('--list', '--group', 'billing');
    expect(listed.stdout).toBe(
      `Current ACLs for resource \`${resource}\`: \n \t${entries.join('\n \t')} \n\n`,
    );
    const removed = await acls(
      '--remove',
      '--force',
      '--group',
      'billing',
      '--allow-principal',
      'User:alice',
      '--operation',
      'Read',
    );
    expect(removed.code, removed.stderr).toBe(0);
    expect((await acls('--list')).stdout).toBe(
      `Current ACLs for resource \`${resource}\`: \n \t${entries[1]} \n\n`,
    );
  });
});

describe('ACLs on a cluster of brokers', () => {
  it('replicates between brokers while clients lack CLUSTER_ACTION: the brokers act as super users', async () => {
    const { startCluster } = await import('@tskafka/broker');
    const cluster = await startCluster({
      brokers: 2,
      logLevel: 'error',
      config: {
        'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
        'allow.everyone.if.no.acl.found': true,
        'super.users': 'User:admin',
      },
    });
    try {
      const servers = cluster.bootstrapServers.join(',');
      // An ACL on the cluster: anonymous clients may create topics, and so no longer do anything
      // else there (CLUSTER_ACTION included); topics have no ACLs, so they are open.
      cluster.brokers[0].authorizer?.createAcls([
        {
          resourceType: ResourceType.CLUSTER,
          resourceName: 'kafka-cluster',
          patternType: PatternType.LITERAL,
          principal: 'User:ANONYMOUS',
          host: '*',
          operation: AclOperation.CREATE,
          permissionType: AclPermissionType.ALLOW,
        },
      ]);
      const admin = new Admin({ bootstrapServers: servers, defaultApiTimeoutMs: 10_000 });
      await admin.createTopics([{ topic: 'replicated', numPartitions: 1, replicationFactor: 2 }]);
      await expect(admin.describeCluster()).rejects.toBeInstanceOf(ClusterAuthorizationFailedError);
      await admin.close();
      const producer = new TsKafka({ bootstrapServers: servers }).producer({
        acks: 'all',
        idempotent: false,
        deliveryTimeoutMs: 10_000,
        requestTimeoutMs: 8000,
        lingerMs: 0,
      });
      await producer.connect();
      try {
        // acks=all is answered once the follower fetched the record: its fetch was authorized.
        expect((await producer.send({ topic: 'replicated', value: 'v' })).offset).toBe(0);
      } finally {
        await producer.close();
      }
    } finally {
      await cluster.close();
    }
  });
});
