/**
 * Failures the admin copes with are reported, not dropped. describeGroups with a member whose
 * assignment is not the consumer protocol (a client that wrote garbage under protocol type
 * `consumer`): the group is still described, the member's assignment is empty with the decode
 * error beside it, and the admin's logger gets a warning with that error, so the bad bytes
 * neither fail the call nor pass for "no partitions". A metadata refresh after NOT_CONTROLLER
 * that fails is a warning with its cause, and the request is retried all the same.
 */
import { type RunningBroker, startBroker } from '@tskafka/broker';
import {
  ErrorCode,
  KafkaClientError,
  ProtocolDecodeError,
  RetriableError,
  TopicAlreadyExistsError,
} from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { ConnectionError, type Logger, silentLogger } from '@tskafka/transport';
import { Cluster } from '@tskafka/transport/internals';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin, decodeMemberAssignment } from '../src/internals.js';

interface Line {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  context?: Record<string, unknown>;
}

function capturingLogger(lines: Line[]): Logger {
  const at =
    (level: Line['level']) =>
    (message: string, context?: Record<string, unknown>): void =>
      void lines.push({ level, message, context });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

let broker: RunningBroker;
let raw: Cluster;

beforeAll(async () => {
  broker = await startBroker({ config: { 'group.initial.rebalance.delay.ms': 0 } });
  raw = new Cluster({ bootstrapServers: broker.bootstrapServers, logger: silentLogger, clientId: 'raw' });
  await raw.connect();
});
afterAll(async () => {
  await raw?.close();
  await broker?.close();
});

/** Joins `groupId` as its only member under protocol type `consumer`, then syncs `assignment` for itself. */
async function joinWithAssignment(groupId: string, assignment: Buffer): Promise<string> {
  const join = (memberId: string) =>
    raw.requestCoordinator('group', groupId, Api.JoinGroup, {
      groupId,
      sessionTimeoutMs: 30_000,
      rebalanceTimeoutMs: 30_000,
      memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]) }],
      reason: null,
    });
  let joined = await join('');
  if (joined.errorCode === ErrorCode.MEMBER_ID_REQUIRED) joined = await join(joined.memberId);
  expect(joined.errorCode).toBe(0);
  const synced = await raw.requestCoordinator('group', groupId, Api.SyncGroup, {
    groupId,
    generationId: joined.generationId,
    memberId: joined.memberId,
    groupInstanceId: null,
    protocolType: 'consumer',
    protocolName: 'range',
    assignments: [{ memberId: joined.memberId, assignment }],
  });
  expect(synced.errorCode).toBe(0);
  return joined.memberId;
}

describe('describeGroups', () => {
  it('reports a member assignment it cannot decode instead of turning it into no partitions', async () => {
    // Version 0, then a topic array that claims one topic and ends.
    const garbage = Buffer.from([0, 0, 0, 0, 0, 1]);
    const memberId = await joinWithAssignment('garbled', garbage);
    const lines: Line[] = [];
    const admin = new Admin({
      bootstrapServers: broker.bootstrapServers,
      clientId: 'describe',
      logger: capturingLogger(lines),
    });
    try {
      const [group] = await admin.describeGroups(['garbled']);
      expect(group.protocolType).toBe('consumer');
      expect(group.members).toHaveLength(1);
      const [member] = group.members;
      expect(member.memberId).toBe(memberId);
      expect(member.memberAssignment).toEqual(garbage);
      expect(member.assignment).toEqual([]);
      expect(member.assignmentError).toBeInstanceOf(ProtocolDecodeError);
      expect(member.assignmentError?.message).toMatch(/ConsumerProtocolAssignment/);

      const warnings = lines.filter((l) => l.level === 'warn');
      expect(warnings).toHaveLength(1);
      expect(warnings[0].message).toMatch(/garbled/);
      expect(warnings[0].context).toMatchObject({ groupId: 'garbled', memberId });
      expect(warnings[0].context?.error).toBe(member.assignmentError);
    } finally {
      await admin.close();
    }
  });

  it('decodes a well-formed assignment with no error beside it', async () => {
    // Version 0, one topic "t" with partitions 0 and 2, null user data.
    const good = Buffer.from([
      0, 0, 0, 0, 0, 1, 0, 1, 0x74, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff,
    ]);
    await joinWithAssignment('tidy', good);
    const lines: Line[] = [];
    const admin = new Admin({
      bootstrapServers: broker.bootstrapServers,
      clientId: 'describe',
      logger: capturingLogger(lines),
    });
    try {
      const [group] = await admin.describeGroups(['tidy']);
      expect(group.members[0].assignment).toEqual([
        { topic: 't', partition: 0 },
        { topic: 't', partition: 2 },
      ]);
      expect(group.members[0].assignmentError).toBeUndefined();
      expect(lines.filter((l) => l.level === 'warn')).toEqual([]);
    } finally {
      await admin.close();
    }
  });
});

describe('decodeMemberAssignment', () => {
  it('gives no partitions for empty bytes and throws ProtocolDecodeError for bytes that are not an assignment', () => {
    expect(decodeMemberAssignment(Buffer.alloc(0))).toEqual([]);
    expect(() => decodeMemberAssignment(Buffer.from([0]))).toThrow(ProtocolDecodeError);
    expect(() => decodeMemberAssignment(Buffer.from([0xff, 0xff, 0, 0]))).toThrow(/invalid version -1/);
    expect(() => decodeMemberAssignment(Buffer.from([0, 0, 9]))).toThrow(ProtocolDecodeError);
  });
});

describe('a controller request answered NOT_CONTROLLER', () => {
  it('warns with the cause when the metadata refresh before its retry fails, and retries all the same', async () => {
    const lines: Line[] = [];
    const admin = new Admin({
      bootstrapServers: broker.bootstrapServers,
      clientId: 'controller',
      logger: capturingLogger(lines),
    });
    try {
      await admin.connect();
      broker.node.faults.pushRequestErrors(Api.CreateTopics.key, ErrorCode.NOT_CONTROLLER);
      broker.node.faults.dropNextRequests(Api.Metadata.key, 1);
      const [created] = await admin.createTopics([{ topic: 'after-not-controller', numPartitions: 1 }]);
      expect(created.topic).toBe('after-not-controller');
      expect(broker.node.faults.pendingCount(Api.Metadata.key)).toBe(0);

      const warnings = lines.filter((l) => l.level === 'warn' && /NOT_CONTROLLER/.test(l.message));
      expect(warnings).toHaveLength(1);
      expect(warnings[0].message).toMatch(/^CreateTopics: metadata refresh/);
      expect(warnings[0].context?.error).toBeInstanceOf(ConnectionError);
    } finally {
      broker.node.faults.clear();
      await admin.close();
    }
  });
});

describe('the admin’s rejections', () => {
  it('are KafkaClientErrors whose RetriableError test agrees with retriable (the admin has no error classes of its own)', async () => {
    const admin = new Admin({
      bootstrapServers: broker.bootstrapServers,
      clientId: 'root',
      logger: silentLogger,
    });
    try {
      await admin.createTopics([{ topic: 'twice', numPartitions: 1 }]);
      const error = await admin.createTopics([{ topic: 'twice', numPartitions: 1 }]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TopicAlreadyExistsError);
      expect(error).toBeInstanceOf(KafkaClientError);
      expect((error as KafkaClientError).retriable).toBe(false);
      expect(error instanceof RetriableError).toBe(false);
    } finally {
      await admin.close();
    }
  });
});
