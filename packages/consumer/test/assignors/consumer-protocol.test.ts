/**
 * The embedded consumer protocol bytes: checked against a librdkafka group session (kcat -G,
 * recorded in packages/protocol/test/fixtures/golden/kcat-group.json), against byte layouts
 * written out by hand from Kafka's ConsumerProtocolSubscription/Assignment schemas, and by round
 * trips over every version (after ConsumerProtocolTest in the Java client).
 */
import { readFileSync } from 'node:fs';
import { ProtocolDecodeError } from '@tskafka/protocol';
import { Api, decodeRequest, decodeResponse } from '@tskafka/protocol/internals';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeAssignment,
  decodeAssignmentVersioned,
  decodeSubscription,
  decodeSubscriptionVersioned,
  encodeAssignment,
  encodeSubscription,
  performAssignment,
  range,
  type Subscription,
  subscriptionVersionFor,
} from '../../src/assignors/index.js';
import { tp } from './helpers.js';

interface Frame {
  direction: 'request' | 'response';
  apiKey: number;
  apiVersion: number;
  hex: string;
}
const fixture = JSON.parse(
  readFileSync(new URL('../../../protocol/test/fixtures/golden/kcat-group.json', import.meta.url), 'utf8'),
) as { inputs: { topic: string; assignmentStrategies: string[] }; frames: Frame[] };
const frame = (api: { key: number }, direction: Frame['direction']) => {
  const f = fixture.frames.find((x) => x.apiKey === api.key && x.direction === direction)!;
  return { version: f.apiVersion, bytes: Buffer.from(f.hex, 'hex') };
};

describe('kcat -G (librdkafka) group session', () => {
  const join = decodeRequest(Api.JoinGroup, frame(Api.JoinGroup, 'request').bytes).body;
  const joinedFrame = frame(Api.JoinGroup, 'response');
  const joined = decodeResponse(Api.JoinGroup, joinedFrame.version, joinedFrame.bytes).body;
  const sync = decodeRequest(Api.SyncGroup, frame(Api.SyncGroup, 'request').bytes).body;

  it('offers range and roundrobin, with a v1 subscription we decode and re-encode byte for byte', () => {
    expect(join.protocolType).toBe('consumer');
    expect(join.protocols.map((p) => p.name)).toEqual(fixture.inputs.assignmentStrategies);
    for (const p of join.protocols) {
      const { version, subscription } = decodeSubscriptionVersioned(p.metadata);
      expect(version).toBe(1);
      // librdkafka writes an empty user data, not null as Java does.
      expect(subscription).toEqual({ topics: ['golden'], userData: Buffer.alloc(0), ownedPartitions: [] });
      expect(encodeSubscription(subscription, 1).equals(p.metadata)).toBe(true);
    }
  });

  it('the leader (kcat) assigned with range what our range assignor assigns, in the same bytes', () => {
    const [member] = joined.members;
    const subscriptions = new Map([[member.memberId, decodeSubscription(member.metadata)]]);
    const ours = range.assign(new Map([['golden', 2]]), subscriptions);
    expect(ours.get(member.memberId)).toEqual([tp('golden', 0), tp('golden', 1)]);
    const theirs = sync.assignments[0].assignment;
    expect(decodeAssignmentVersioned(theirs)).toEqual({
      version: 0,
      assignment: { partitions: ours.get(member.memberId), userData: Buffer.alloc(0) },
    });
    const encoded = encodeAssignment(
      { partitions: ours.get(member.memberId)!, userData: Buffer.alloc(0) },
      0,
    );
    expect(encoded.equals(theirs)).toBe(true);
    // performAssignment writes what Java writes (null user data), which librdkafka reads the same.
    const bytes = performAssignment(range, new Map([['golden', 2]]), joined.members, 0).get(member.memberId)!;
    expect(decodeAssignment(bytes).partitions).toEqual(ours.get(member.memberId));
  });
});

describe('Java byte layouts', () => {
  // int16 version, [string topics], bytes userData, [topic, [int32]] ownedPartitions, int32 generationId, string rackId
  const v3 =
    '0003' + // version
    '00000001' +
    '0001' +
    '74' + // topics: ["t"]
    '00000002' +
    'abcd' + // userData
    '00000001' +
    '0001' +
    '74' +
    '00000002' +
    '00000000' +
    '00000005' + // owned: t-0, t-5
    '00000007' + // generationId
    '0002' +
    '7231'; // rackId "r1"

  it('writes and reads a v3 subscription (ConsumerProtocolSubscription)', () => {
    const s: Subscription = {
      topics: ['t'],
      userData: Buffer.from('abcd', 'hex'),
      ownedPartitions: [tp('t', 0), tp('t', 5)],
      generationId: 7,
      rackId: 'r1',
    };
    expect(encodeSubscription(s).toString('hex')).toBe(v3);
    expect(decodeSubscription(Buffer.from(v3, 'hex'))).toEqual(s);
  });

  it('writes v0 with only topics and user data (null: length -1)', () => {
    expect(encodeSubscription({ topics: ['t'], ownedPartitions: [tp('t', 1)] }, 0).toString('hex')).toBe(
      '0000' + '00000001' + '0001' + '74' + 'ffffffff',
    );
  });

  it('reads a version newer than ours as our newest, ignoring fields it appends (as Java)', () => {
    const v4 = Buffer.from(`0004${v3.slice(4)}deadbeef`, 'hex');
    expect(decodeSubscriptionVersioned(v4)).toMatchObject({
      version: 4,
      subscription: { topics: ['t'], rackId: 'r1' },
    });
  });

  it('writes and reads an assignment (ConsumerProtocolAssignment v3, as Java sends)', () => {
    const hex =
      '0003' +
      '00000002' +
      '0001' +
      '61' +
      '00000001' +
      '00000002' +
      '0001' +
      '62' +
      '00000001' +
      '00000000' +
      'ffffffff';
    const a = { partitions: [tp('a', 2), tp('b', 0)], userData: null };
    expect(encodeAssignment(a).toString('hex')).toBe(hex);
    expect(decodeAssignment(Buffer.from(hex, 'hex'))).toEqual(a);
  });

  it('reads an empty SyncGroup assignment as no partitions', () => {
    expect(decodeAssignment(Buffer.alloc(0))).toEqual({ partitions: [], userData: null });
  });

  it('rejects a negative version and a truncated buffer with a ProtocolDecodeError naming the struct', () => {
    expect(() => decodeSubscription(Buffer.from('ffff', 'hex'))).toThrow(
      /^ConsumerProtocolSubscription: .*version/,
    );
    expect(() => decodeSubscription(Buffer.from('00', 'hex'))).toThrow(/too short/);
    for (const bytes of ['ffff', '00'])
      expect(() => decodeSubscription(Buffer.from(bytes, 'hex'))).toThrow(ProtocolDecodeError);
    expect(() => decodeAssignment(Buffer.from('000000000001', 'hex'))).toThrow(ProtocolDecodeError);
  });
});

describe('round trips over every version (ConsumerProtocolTest)', () => {
  const topic = fc.string({ minLength: 1, maxLength: 8 });
  const partitions = fc.uniqueArray(fc.record({ topic, partition: fc.nat({ max: 50 }) }), {
    selector: (p) => `${p.topic}-${p.partition}`,
    maxLength: 6,
  });
  const grouped = (ps: { topic: string; partition: number }[]) =>
    // the wire groups partitions by topic, in first-seen topic order
    [...new Set(ps.map((p) => p.topic))].flatMap((t) => ps.filter((p) => p.topic === t));

  it('subscriptions keep what their version carries', () => {
    fc.assert(
      fc.property(
        fc.record({
          topics: fc.array(topic, { maxLength: 4 }),
          userData: fc.option(fc.uint8Array({ maxLength: 8 }).map((u) => Buffer.from(u))),
          ownedPartitions: partitions,
          generationId: fc.integer({ min: -1, max: 1000 }),
          rackId: fc.option(topic),
        }),
        fc.integer({ min: 0, max: 3 }),
        (s, version) => {
          const back = decodeSubscriptionVersioned(encodeSubscription(s, version));
          expect(back.version).toBe(version);
          const expected: Subscription = { topics: s.topics, userData: s.userData };
          if (version >= 1) expected.ownedPartitions = grouped(s.ownedPartitions);
          if (version >= 2) expected.generationId = s.generationId;
          if (version >= 3) expected.rackId = s.rackId;
          expect(back.subscription).toEqual(expected);
        },
      ),
    );
  });

  it('assignments are the same in every version', () => {
    fc.assert(
      fc.property(partitions, fc.integer({ min: 0, max: 3 }), (ps, version) => {
        const back = decodeAssignmentVersioned(encodeAssignment({ partitions: ps }, version));
        expect(back).toEqual({ version, assignment: { partitions: grouped(ps), userData: null } });
      }),
    );
  });
});

describe('the subscription version we send: the lowest that carries what we have', () => {
  const owned = [tp('t', 0)];
  it.each<[string, Subscription, number]>([
    ['nothing owned, no rack: v0, which every leader reads', { topics: ['t'] }, 0],
    ['a generation but nothing owned: still v0', { topics: ['t'], ownedPartitions: [], generationId: 4 }, 0],
    [
      'owned partitions without a generation: v1',
      { topics: ['t'], ownedPartitions: owned, generationId: -1 },
      1,
    ],
    [
      'owned partitions and their generation: v2',
      { topics: ['t'], ownedPartitions: owned, generationId: 4 },
      2,
    ],
    ['a rack: v3', { topics: ['t'], rackId: 'r1' }, 3],
  ])('%s', (_, subscription, version) => {
    expect(subscriptionVersionFor(subscription)).toBe(version);
    const bytes = encodeSubscription(subscription);
    expect(bytes.readInt16BE(0)).toBe(version);
    // What we meant to send survives the lower version.
    const back = decodeSubscriptionVersioned(bytes).subscription;
    expect(back.topics).toEqual(subscription.topics);
    expect(back.ownedPartitions ?? []).toEqual(subscription.ownedPartitions?.length ? owned : []);
    if (version >= 2) expect(back.generationId).toBe(subscription.generationId ?? -1);
    if (version >= 3) expect(back.rackId).toBe(subscription.rackId);
  });

  it('v0 with nothing owned is the version, the topics and null user data, nothing more', () => {
    expect(encodeSubscription({ topics: ['t'], ownedPartitions: [], generationId: 3 }).toString('hex')).toBe(
      '0000' + '00000001' + '0001' + '74' + 'ffffffff',
    );
  });

  it("reads KafkaJS assigner metadata: the assigner's version (1) in front of the v0 layout", () => {
    // KafkaJS's AssignerProtocol.MemberMetadata.encode({ version: 1, topics: ['t'], userData: 'ab' })
    const bytes = Buffer.from('0001' + '00000001' + '0001' + '74' + '00000002' + '6162', 'hex');
    expect(decodeSubscription(bytes)).toEqual({ topics: ['t'], userData: Buffer.from('ab') });
  });
});
