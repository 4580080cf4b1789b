/**
 * Test harness for the transaction coordinator: a coordinator on node 1 of a two-broker cluster
 * metadata, an in-memory `__transaction_state`, a manual clock and a fake marker channel that
 * records every WriteTxnMarkers and answers as the test says. No sockets, no sleeping.
 */
import { ErrorCode } from '@tskafka/protocol';
import { ManualClock } from '../src/clock.js';
import { type BrokerProperties, parseBrokerConfig } from '../src/config.js';
import { ClusterMetadata } from '../src/metadata.js';
import type { TxnMarkerRequest, TxnMarkerResult } from '../src/replica-manager.js';
import { TransactionCoordinator } from '../src/txn/coordinator.js';
import type { TxnMarkerChannel } from '../src/txn/marker-channel.js';
import { InMemoryTransactionStore } from '../src/txn/store.js';

/** A WriteTxnMarkers the coordinator sent. */
export interface SentMarkers {
  nodeId: number;
  request: TxnMarkerRequest;
}

/** Records sends; answers with `answer` (every partition NONE by default). */
export class FakeMarkerChannel implements TxnMarkerChannel {
  readonly sent: SentMarkers[] = [];
  /** Per-partition error code, or 'unreachable' to reject the whole request. */
  answer: (nodeId: number, topic: string, partition: number) => number | 'unreachable' = () => ErrorCode.NONE;
  /** While set, responses wait until {@link FakeMarkerChannel.release} is called. */
  hold = false;
  private held: (() => void)[] = [];

  send(nodeId: number, request: TxnMarkerRequest): Promise<TxnMarkerResult[]> {
    this.sent.push({ nodeId, request: structuredClone(request) });
    const respond = (): TxnMarkerResult[] => {
      const out: TxnMarkerResult[] = [];
      for (const p of request.partitions) {
        const code = this.answer(nodeId, p.topic, p.partition);
        if (code === 'unreachable') throw new Error(`broker ${nodeId} unreachable`);
        out.push({ ...p, errorCode: code });
      }
      return out;
    };
    if (!this.hold) return Promise.resolve().then(respond);
    return new Promise((resolve, reject) => {
      this.held.push(() => {
        try {
          resolve(respond());
        } catch (e) {
          reject(e);
        }
      });
    });
  }

  /** Answers every held request. */
  release(): void {
    this.hold = false;
    const held = this.held;
    this.held = [];
    for (const h of held) h();
  }

  close(): void {}
}

/** A coordinator with everything it talks to. */
export interface TxnHarness {
  coordinator: TransactionCoordinator;
  store: InMemoryTransactionStore;
  clock: ManualClock;
  channel: FakeMarkerChannel;
  metadata: ClusterMetadata;
  logs: string[];
  /** A new coordinator on the same store, metadata and channel: a broker restart. */
  restart(): TransactionCoordinator;
  /** Lets pending promise callbacks (marker responses) run. */
  settle(): Promise<void>;
}

/**
 * Topics: `__transaction_state` (4 partitions, all led by node 1), `t1` with partition 0 on node 1
 * and partitions 1, 2 on node 2.
 */
export function txnHarness(props: BrokerProperties = {}): TxnHarness {
  const config = parseBrokerConfig({
    'transaction.state.log.num.partitions': 4,
    'transaction.abort.timed.out.transaction.cleanup.interval.ms': 1000,
    ...props,
  });
  const metadata = new ClusterMetadata(config);
  metadata.registerBroker({ nodeId: 1, host: '127.0.0.1', port: 9092, rack: null });
  const store = new InMemoryTransactionStore();
  const clock = new ManualClock();
  const channel = new FakeMarkerChannel();
  const logs: string[] = [];
  const host = {
    nodeId: 1,
    config,
    metadata,
    // Never used: the in-memory store and the fake channel stand in for the replica manager.
    replicaManager: {
      appendInternal: () => {
        throw new Error('not used');
      },
      readInternal: () => {},
      writeTxnMarkers: () => Promise.reject(new Error('not used')),
      awaitHighWatermark: () => Promise.reject(new Error('not used')),
    },
    log: (level: string, message: string) => {
      logs.push(`${level}: ${message}`);
    },
  };
  const make = () => new TransactionCoordinator(host, { store, clock, markerChannel: channel });
  const coordinator = make();
  coordinator.stateManager.ensureTransactionTopic();
  metadata.registerBroker({ nodeId: 2, host: '127.0.0.1', port: 9093, rack: null });
  metadata.createTopic('t1', { numPartitions: 3, replicationFactor: 1, assignments: [[1], [2], [2]] });
  coordinator.start();
  const h: TxnHarness = {
    coordinator,
    store,
    clock,
    channel,
    metadata,
    logs,
    restart() {
      h.coordinator.stop();
      const next = make();
      next.start();
      h.coordinator = next;
      return next;
    },
    async settle() {
      for (let i = 0; i < 10; i++) await new Promise<void>((r) => setImmediate(r));
    },
  };
  return h;
}
