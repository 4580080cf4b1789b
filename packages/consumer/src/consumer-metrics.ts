/**
 * The consumer's metrics, with the names and meanings of Java's `consumer-fetch-manager-metrics`,
 * `consumer-coordinator-metrics` and `consumer-metrics` groups. Recorded per poll, per fetch and
 * per rebalance; the lag of each partition is read from the subscription when asked.
 */
import { ClientNetworkMetrics, type KafkaMetric, Metrics, type Sensor } from '@tskafka/transport/internals';
import type { FetchedRecord } from './fetcher.js';
import type { SubscriptionState } from './subscription-state.js';

const FETCH_KEY = 1;
const OFFSET_COMMIT_KEY = 8;
const FETCH_GROUP = 'consumer-fetch-manager-metrics';
const COORDINATOR_GROUP = 'consumer-coordinator-metrics';
const HOUR_MS = 3_600_000;

/** The sensors the consumer records into. */
export class ConsumerMetrics {
  /** The registry. */
  readonly registry: Metrics;
  /** What the consumer's connections record. */
  readonly network: ClientNetworkMetrics;
  private readonly records: Sensor;
  private readonly bytes: Sensor;
  private readonly lagMax: Sensor;
  private readonly rebalance: Sensor;
  private readonly pollGap: Sensor;
  private readonly rebalances: number[] = [];
  private lastPollMs = -1;
  private lastRebalanceMs = -1;
  private readonly now: () => number;

  /** Metrics of a consumer with `clientId` over its subscription. */
  constructor(clientId: string, subscriptions: SubscriptionState, now: () => number) {
    this.now = now;
    const registry = new Metrics({ now });
    this.registry = registry;
    const tags = { 'client-id': clientId };
    this.network = new ClientNetworkMetrics(registry, 'consumer', clientId);
    this.records = registry.sensor(FETCH_GROUP, tags, {
      'records-consumed-rate': ['rate', 'The average number of records consumed per second.'],
      'records-consumed-total': ['total', 'The total number of records consumed.'],
      'records-per-request-avg': ['avg', 'The average number of records in each request.'],
    });
    this.bytes = registry.sensor(FETCH_GROUP, tags, {
      'bytes-consumed-rate': ['rate', 'The average number of bytes consumed per second.'],
      'bytes-consumed-total': ['total', 'The total number of bytes consumed.'],
    });
    this.network.trackLatency(
      FETCH_KEY,
      registry.sensor(FETCH_GROUP, tags, {
        'fetch-latency-avg': ['avg', 'The average time taken for a fetch request.'],
        'fetch-latency-max': ['max', 'The max time taken for any fetch request.'],
        'fetch-rate': ['count-rate', 'The number of fetch requests per second.'],
        'fetch-total': ['count-total', 'The total number of fetch requests.'],
      }),
    );
    this.network.trackThrottle(
      FETCH_KEY,
      registry.sensor(FETCH_GROUP, tags, {
        'fetch-throttle-time-avg': ['avg', 'The average throttle time in ms.'],
        'fetch-throttle-time-max': ['max', 'The maximum throttle time in ms.'],
      }),
    );
    this.lagMax = registry.sensor(FETCH_GROUP, tags, {
      'records-lag-max': [
        'max',
        'The maximum lag in terms of number of records for any partition in this window.',
      ],
    });
    this.network.trackLatency(
      OFFSET_COMMIT_KEY,
      registry.sensor(COORDINATOR_GROUP, tags, {
        'commit-latency-avg': ['avg', 'The average time taken for a commit request.'],
        'commit-latency-max': ['max', 'The max time taken for a commit request.'],
        'commit-rate': ['count-rate', 'The number of commit calls per second.'],
        'commit-total': ['count-total', 'The total number of commit calls.'],
      }),
    );
    this.rebalance = registry.sensor(COORDINATOR_GROUP, tags, {
      'rebalance-latency-avg': [
        'avg',
        'The average time taken for a group to complete a successful rebalance, which may be composed of several failed re-trials until it succeeded.',
      ],
      'rebalance-latency-max': ['max', 'The max time taken for a group to complete a successful rebalance.'],
      'rebalance-latency-total': [
        'total',
        'The total number of milliseconds this consumer has spent in successful rebalances since creation.',
      ],
      'rebalance-total': [
        'count-total',
        'The total number of successful rebalance events, each event is composed of several failed re-trials until it succeeded.',
      ],
    });
    registry.gauge(
      'rebalance-rate-per-hour',
      COORDINATOR_GROUP,
      'The number of successful rebalance events per hour, each event is composed of several failed re-trials until it succeeded.',
      tags,
      () => {
        this.trimRebalances();
        return this.rebalances.length;
      },
    );
    registry.gauge(
      'last-rebalance-seconds-ago',
      COORDINATOR_GROUP,
      'The number of seconds since the last successful rebalance event.',
      tags,
      () => (this.lastRebalanceMs < 0 ? -1 : (this.now() - this.lastRebalanceMs) / 1000),
    );
    this.pollGap = registry.sensor('consumer-metrics', tags, {
      'time-between-poll-avg': ['avg', 'The average delay between invocations of poll() in milliseconds.'],
      'time-between-poll-max': ['max', 'The max delay between invocations of poll() in milliseconds.'],
    });
    registry.gauge(
      'last-poll-seconds-ago',
      'consumer-metrics',
      'The number of seconds since the last poll() invocation.',
      tags,
      () => (this.lastPollMs < 0 ? -1 : (this.now() - this.lastPollMs) / 1000),
    );
    // Per partition: the lag now (high watermark of the last fetch minus the position).
    registry.addDynamic(() => {
      const out: KafkaMetric[] = [];
      for (const s of subscriptions.states()) {
        if (s.position === null || s.highWatermark < 0) continue;
        out.push({
          name: 'records-lag',
          group: FETCH_GROUP,
          description: 'The latest lag of the partition',
          tags: { 'client-id': clientId, topic: s.topic, partition: String(s.partition) },
          value: Math.max(0, s.highWatermark - s.position),
        });
      }
      return out;
    });
    this.lagOf = () => {
      let max = -1;
      for (const s of subscriptions.states())
        if (s.position !== null && s.highWatermark >= 0) max = Math.max(max, s.highWatermark - s.position);
      return max;
    };
  }

  private readonly lagOf: () => number;

  /** `poll()` was called. */
  polled(): void {
    const now = this.now();
    if (this.lastPollMs >= 0) this.pollGap.record(now - this.lastPollMs);
    this.lastPollMs = now;
  }

  /** A poll hands out `fetched`. */
  consumed(fetched: readonly FetchedRecord[]): void {
    let bytes = 0;
    for (const r of fetched) bytes += (r.key?.length ?? 0) + (r.value?.length ?? 0);
    this.records.record(fetched.length);
    this.bytes.record(bytes);
    const lag = this.lagOf();
    if (lag >= 0) this.lagMax.record(lag);
  }

  /** A rebalance completed after `latencyMs`. */
  rebalanced(latencyMs: number): void {
    this.rebalance.record(latencyMs);
    this.lastRebalanceMs = this.now();
    this.rebalances.push(this.lastRebalanceMs);
    this.trimRebalances();
  }

  private trimRebalances(): void {
    const cutoff = this.now() - HOUR_MS;
    while ((this.rebalances[0] ?? cutoff) < cutoff) this.rebalances.shift();
  }

  /** Every metric's value now. */
  snapshot(): KafkaMetric[] {
    return this.registry.snapshot();
  }
}
