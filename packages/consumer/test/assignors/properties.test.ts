/**
 * Property tests (fast-check) over every built-in assignor: each partition of a subscribed topic
 * is assigned exactly once, only to a member subscribed to its topic; identical subscriptions give
 * a balanced assignment; the sticky assignors move no more than they must; and cooperative-sticky
 * never hands a partition to a new owner in the round it is taken from its old one.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ASSIGNOR_NAMES,
  assignorFor,
  CooperativeStickyAssignor,
  currentHolders,
  type MemberId,
  StickyAssignor,
  type Subscription,
  type TopicPartition,
} from '../../src/assignors/index.js';
import {
  str,
  subV2,
  verifyCooperativeValidity,
  verifyValidityAndBalance,
  verifyValidityAndBalanceOnce,
} from './helpers.js';

const TOPICS = ['t0', 't1', 't2', 't3', 't4'];

/** Partition counts for some topics (a topic may be missing from metadata, or have 0 partitions). */
const partitionsPerTopic = fc
  .subarray(TOPICS, { minLength: 1 })
  .chain((ts) => fc.tuple(...ts.map((t) => fc.tuple(fc.constant(t), fc.nat({ max: 8 })))))
  .map((entries) => new Map(entries));

/** 1-8 members with arbitrary subscriptions, some of them static. */
const subscriptions = fc
  .uniqueArray(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 8 })
  .chain((ids) =>
    fc.tuple(
      ...ids.map((id) =>
        fc.record({
          id: fc.constant(`m${id}`),
          topics: fc.subarray(TOPICS),
          instance: fc.option(fc.constantFrom('i0', 'i1', 'i2', 'i3', 'i4', 'i5', 'i6', 'i7', 'i8'), {
            nil: null,
          }),
        }),
      ),
    ),
  )
  .map((ms) => {
    const seenInstances = new Set<string>();
    return new Map<MemberId, Subscription>(
      ms.map((m) => {
        // group.instance.id is unique in a group
        const instance = m.instance && !seenInstances.has(m.instance) ? m.instance : null;
        if (instance) seenInstances.add(instance);
        return [m.id, { topics: m.topics, groupInstanceId: instance }];
      }),
    );
  });

/** Every partition of a topic someone subscribes to that exists. */
function expectedPartitions(ppt: Map<string, number>, subs: Map<MemberId, Subscription>): string[] {
  const topics = new Set([...subs.values()].flatMap((s) => s.topics));
  const out: string[] = [];
  for (const [t, n] of ppt) if (topics.has(t)) for (let p = 0; p < n; p++) out.push(`${t}-${p}`);
  return out.sort();
}

/** Runs a built-in (synchronous) assignor by name. */
function assignWith(
  name: string,
  ppt: Map<string, number>,
  subs: Map<MemberId, Subscription>,
): Map<MemberId, TopicPartition[]> {
  const assignment = assignorFor(name).assign(ppt, subs);
  if (assignment instanceof Promise) throw new Error(`${name} answered asynchronously`);
  return assignment;
}

function checkValid(subs: Map<MemberId, Subscription>, assignment: Map<MemberId, TopicPartition[]>): void {
  expect([...assignment.keys()].sort()).toEqual([...subs.keys()].sort());
  for (const [m, ps] of assignment) for (const p of ps) expect(subs.get(m)!.topics).toContain(p.topic);
}

describe.each(ASSIGNOR_NAMES)('%s: properties', (name) => {
  it('assigns every partition exactly once, only to members subscribed to its topic', () => {
    fc.assert(
      fc.property(partitionsPerTopic, subscriptions, (ppt, subs) => {
        const assignment = assignWith(name, ppt, subs);
        checkValid(subs, assignment);
        const all = [...assignment.values()].flat().map(str).sort();
        expect(all).toEqual(expectedPartitions(ppt, subs));
      }),
    );
  });

  it('balances identical subscriptions within one partition (range: within one per topic)', () => {
    fc.assert(
      fc.property(
        partitionsPerTopic,
        subscriptions,
        fc.subarray(TOPICS, { minLength: 1 }),
        (ppt, subs, topics) => {
          for (const s of subs.values()) s.topics = topics;
          const assignment = assignWith(name, ppt, subs);
          const counts = (filter: (p: TopicPartition) => boolean) =>
            [...assignment.values()].map((ps) => ps.filter(filter).length);
          const spread = (xs: number[]) => Math.max(...xs) - Math.min(...xs);
          if (name === 'range')
            for (const t of topics) expect(spread(counts((p) => p.topic === t))).toBeLessThanOrEqual(1);
          else expect(spread(counts(() => true))).toBeLessThanOrEqual(1);
        },
      ),
    );
  });
});

describe('sticky assignors: balance and stickiness properties', () => {
  it('sticky: valid and balanced as verifyValidityAndBalance checks it, for any subscriptions and history', () => {
    fc.assert(
      fc.property(partitionsPerTopic, subscriptions, subscriptions, (ppt, subs1, subs2) => {
        const a = new StickyAssignor();
        const r1 = a.assign(ppt, subs1);
        verifyValidityAndBalanceOnce(subs1, r1, ppt);
        // next generation: members of subs2 that existed keep what they had
        const next = new Map(
          [...subs2].map(([m, s]) => [m, subV2(a, s.topics, r1.get(m) ?? [], 1)] as [MemberId, Subscription]),
        );
        verifyValidityAndBalanceOnce(next, a.assign(ppt, next), ppt);
      }),
    );
  });

  it('sticky, identical subscriptions: a member leaving moves only its partitions; one joining takes no more than its share', () => {
    fc.assert(
      fc.property(partitionsPerTopic, subscriptions, fc.nat(), (ppt, subs, pick) => {
        const topics = [...ppt.keys()];
        const a = new StickyAssignor();
        for (const s of subs.values()) s.topics = topics;
        const r1 = a.assign(ppt, subs);
        const members = [...subs.keys()];
        const total = [...r1.values()].flat().length;
        // one leaves
        const leaving = members[pick % members.length];
        const left = new Map(
          members.filter((m) => m !== leaving).map((m) => [m, subV2(a, topics, r1.get(m)!, 1)]),
        );
        if (left.size > 0) {
          const r2 = a.assign(ppt, left);
          for (const [m, ps] of r2) expect(ps.map(str)).toEqual(expect.arrayContaining(r1.get(m)!.map(str)));
        }
        // one joins
        const joined = new Map(members.map((m) => [m, subV2(a, topics, r1.get(m)!, 1)]));
        joined.set('newcomer', subV2(a, topics, [], 1));
        const r3 = a.assign(ppt, joined);
        expect(r3.get('newcomer')!.length).toBeLessThanOrEqual(Math.ceil(total / joined.size));
        let moved = 0;
        for (const m of members)
          moved += r1.get(m)!.filter((p) => !r3.get(m)!.some((q) => str(q) === str(p))).length;
        expect(moved).toBe(r3.get('newcomer')!.length);
      }),
    );
  });

  it('cooperative-sticky: never assigns a partition to a new owner in the round it is revoked', () => {
    // Owned partitions: any claims at all, with arbitrary generations (stale, conflicting).
    const claims = fc.array(fc.record({ topic: fc.constantFrom(...TOPICS), partition: fc.nat({ max: 8 }) }), {
      maxLength: 10,
    });
    fc.assert(
      fc.property(
        partitionsPerTopic,
        subscriptions,
        fc.array(fc.tuple(claims, fc.integer({ min: -1, max: 3 })), { minLength: 8, maxLength: 8 }),
        (ppt, subs, owned) => {
          const a = new CooperativeStickyAssignor();
          const withOwned = new Map(
            [...subs].map(
              ([m, s], i) => [m, subV2(a, s.topics, owned[i][0], owned[i][1])] as [MemberId, Subscription],
            ),
          );
          const assignment = a.assign(ppt, withOwned);
          checkValid(withOwned, assignment);
          // No partition goes to a new owner while another member may still hold it. (A member
          // that claims the partition itself is not a new owner: when two members claim one, which
          // is invalid input, Java's cooperative assignor may leave it with either claimant.)
          const holders = currentHolders(a, withOwned);
          for (const [m, ps] of assignment) {
            for (const p of ps) {
              if (withOwned.get(m)!.ownedPartitions!.some((q) => str(q) === str(p))) continue;
              const others = [...(holders.get(`${p.partition}:${p.topic}`) ?? [])];
              expect(others, `${str(p)} given to ${m} while held by ${others}`).toEqual([]);
            }
          }
          // No partition assigned twice.
          const all = [...assignment.values()].flat().map(str);
          expect(new Set(all).size).toBe(all.length);
        },
      ),
    );
  });

  it('cooperative-sticky: rebalances from a valid state never revoke and add a partition at once, and settle balanced', () => {
    fc.assert(
      fc.property(partitionsPerTopic, subscriptions, subscriptions, (ppt, subs1, subs2) => {
        const a = new CooperativeStickyAssignor();
        const r1 = a.assign(ppt, subs1);
        const next = new Map(
          [...subs2].map(([m, s]) => [m, subV2(a, s.topics, r1.get(m) ?? [], 1)] as [MemberId, Subscription]),
        );
        const r2 = a.assign(ppt, next);
        verifyCooperativeValidity(next, r2);
        // follow-up rebalances (at most 4, as Java's test allows) end valid and balanced
        verifyValidityAndBalance(a, next, r2, ppt, 2);
      }),
    );
  });
});
