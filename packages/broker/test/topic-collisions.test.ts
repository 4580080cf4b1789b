/**
 * Topic name collisions on the controller, by Kafka's rule: '.' and '_' are the same in metric
 * names, so `a.b` and `a_b` cannot both exist. The check is one lookup in an index kept with the
 * topics (created, deleted, restored), not a scan of every topic: creating a topic among
 * thousands does no work per existing topic, so creating many does not block the event loop for
 * a time that grows with the square of their number.
 */
import { ErrorCode } from '@tskafka/protocol';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../src/api-error.js';
import { parseBrokerConfig } from '../src/config.js';
import { ClusterMetadata } from '../src/metadata.js';

function controller(): ClusterMetadata {
  const md = new ClusterMetadata(parseBrokerConfig());
  md.registerBroker({ nodeId: 1, host: 'localhost', port: 9001, rack: null });
  return md;
}

const ONE = { numPartitions: 1, replicationFactor: 1 };

function codeOf(fn: () => unknown): number | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (e instanceof ApiError) return e.code;
    throw e;
  }
}

describe('topic name collisions', () => {
  it("refuse a name equal to an existing one but for '.' and '_', either way", () => {
    const md = controller();
    md.createTopic('orders.eu', ONE);
    expect(codeOf(() => md.createTopic('orders_eu', ONE))).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    md.createTopic('pay_ments', ONE);
    expect(codeOf(() => md.createTopic('pay.ments', ONE))).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(codeOf(() => md.createTopic('orders.eu', ONE))).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);
    expect(codeOf(() => md.createTopic('orders.us', ONE))).toBeNull();
  });

  it('free the name again once the colliding topic is deleted, and hold for restored topics', () => {
    const md = controller();
    const t = md.createTopic('a.b', ONE);
    md.deleteTopic('a.b');
    expect(codeOf(() => md.createTopic('a_b', ONE))).toBeNull();
    const restored = controller();
    restored.restoreTopic(t);
    expect(codeOf(() => restored.createTopic('a_b', ONE))).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
  });

  it('are found without going through the existing topics', () => {
    const md = controller();
    for (let i = 0; i < 2000; i++) md.createTopic(`topic-${i}`, ONE);
    const walks = [
      vi.spyOn(md.topics, 'keys'),
      vi.spyOn(md.topics, 'values'),
      vi.spyOn(md.topics, 'entries'),
      vi.spyOn(md.topics, 'forEach'),
      vi.spyOn(md.topics, Symbol.iterator),
    ];
    md.createTopic('one.more', ONE);
    expect(codeOf(() => md.createTopic('one_more', ONE))).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    for (const w of walks) expect(w).not.toHaveBeenCalled();
  });
});
