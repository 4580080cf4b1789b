/**
 * Test harness for the group coordinator: a coordinator on a one-broker cluster metadata, an
 * in-memory `__consumer_offsets` and a manual clock. No sockets, no sleeping.
 */
import { ConsumerProtocolSubscription, encodeMessage } from '@tskafka/protocol/internals';
import { ManualClock } from '../src/clock.js';
import { type BrokerProperties, parseBrokerConfig } from '../src/config.js';
import { GroupCoordinator } from '../src/group/coordinator.js';
import type { JoinGroupParams } from '../src/group/member.js';
import type { CoordinatorHost } from '../src/group/metadata-manager.js';
import { GROUP_METADATA_TOPIC_NAME, InMemoryGroupStore } from '../src/group/store.js';
import { ClusterMetadata } from '../src/metadata.js';

/** A coordinator with everything it talks to. */
export interface Harness {
  coordinator: GroupCoordinator;
  store: InMemoryGroupStore;
  clock: ManualClock;
  metadata: ClusterMetadata;
  host: CoordinatorHost & { host: string; port: number };
  logs: string[];
  /** A second coordinator on the same store and metadata: a broker restart. */
  restart(): Promise<GroupCoordinator>;
}

/**
 * Builds and starts a coordinator; topics `t1`, `t2` exist, and `__consumer_offsets` (4
 * partitions) unless `offsetsTopic` is false.
 */
export async function harness(props: BrokerProperties = {}, offsetsTopic = true): Promise<Harness> {
  const config = parseBrokerConfig({
    'group.initial.rebalance.delay.ms': 0,
    'offsets.topic.num.partitions': 4,
    ...props,
  });
  const metadata = new ClusterMetadata(config);
  metadata.registerBroker({ nodeId: 1, host: '127.0.0.1', port: 9092, rack: null });
  metadata.createTopic('t1', { numPartitions: 3, replicationFactor: 1 });
  metadata.createTopic('t2', { numPartitions: 2, replicationFactor: 1 });
  const store = new InMemoryGroupStore();
  const clock = new ManualClock();
  const logs: string[] = [];
  const host = {
    nodeId: 1,
    host: '127.0.0.1',
    port: 9092,
    config,
    metadata,
    // Never used: the in-memory store stands in for the replica manager.
    replicaManager: {
      appendInternal: () => {
        throw new Error('not used');
      },
      readInternal: () => {},
      awaitHighWatermark: () => Promise.reject(new Error('not used')),
    },
    log: (level: string, message: string) => {
      logs.push(`${level}: ${message}`);
    },
  };
  const coordinator = new GroupCoordinator(host, { store, clock });
  if (offsetsTopic) coordinator.groupManager.ensureOffsetsTopic();
  await coordinator.start();
  const h: Harness = {
    coordinator,
    store,
    clock,
    metadata,
    host,
    logs,
    async restart() {
      h.coordinator.stop();
      const next = new GroupCoordinator(host, { store, clock });
      await next.start();
      h.coordinator = next;
      return next;
    },
  };
  return h;
}

/** A ConsumerProtocolSubscription as a consumer sends it in JoinGroup (version prefix included). */
export function subscription(topics: string[], version = 1): Buffer {
  const body = encodeMessage(ConsumerProtocolSubscription, version, {
    topics,
    userData: null,
    ownedPartitions: [],
  });
  const out = Buffer.alloc(2 + body.length);
  out.writeInt16BE(version, 0);
  body.copy(out, 2);
  return out;
}

/** JoinGroup parameters of a consumer; `protocols` default to `range` over `t1`. */
export function join(groupId: string, p: Partial<JoinGroupParams> = {}): JoinGroupParams {
  return {
    groupId,
    memberId: '',
    groupInstanceId: null,
    requireKnownMemberId: false,
    supportSkippingAssignment: false,
    clientId: 'client',
    clientHost: '/127.0.0.1',
    rebalanceTimeoutMs: 30_000,
    sessionTimeoutMs: 10_000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription(['t1']) }],
    reason: null,
    ...p,
  };
}

/** Whether a promise has settled, after letting pending callbacks run. */
export async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await new Promise((r) => setImmediate(r));
  return done;
}

/** The offsets partition the records of `groupId` go to, and the records there. */
export function recordsOf(h: Harness, groupId: string) {
  const p = h.coordinator.groupManager.partitionFor(groupId);
  return (h.store.partitions.get(p) ?? []).map((r) => ({ ...r, partition: p }));
}

export { GROUP_METADATA_TOPIC_NAME };
