/**
 * The producer's metrics, with the names and meanings of Java's `producer-metrics` group
 * (`SenderMetricsRegistry`, `BufferPool`, `RecordAccumulator`). Sensors are recorded per batch and
 * per request, never per record: the counts come from the batches themselves.
 */
import { ClientNetworkMetrics, type KafkaMetric, Metrics, type Sensor } from '@tskafka/transport/internals';
import type { BufferPool } from './buffer-pool.js';
import type { ProducerBatch } from './producer-batch.js';

const PRODUCE_KEY = 0;
const GROUP = 'producer-metrics';

/** The sensors the sender and the accumulator record into. */
export class ProducerMetrics {
  /** The registry (network metrics included). */
  readonly registry: Metrics;
  /** What the producer's connections record. */
  readonly network: ClientNetworkMetrics;
  private readonly sent: Sensor;
  private readonly errors: Sensor;
  private readonly retries: Sensor;
  private readonly batchSize: Sensor;
  private readonly compression: Sensor;
  private readonly recordsPerRequest: Sensor;

  /** Metrics of a producer with `clientId`, reading the buffer pool's memory when asked. */
  constructor(clientId: string, pool: BufferPool, now?: () => number) {
    const registry = new Metrics(now === undefined ? {} : { now });
    this.registry = registry;
    const tags = { 'client-id': clientId };
    this.network = new ClientNetworkMetrics(registry, 'producer', clientId);
    this.sent = registry.sensor(GROUP, tags, {
      'record-send-rate': ['rate', 'The average number of records sent per second.'],
      'record-send-total': ['total', 'The total number of records sent.'],
    });
    this.errors = registry.sensor(GROUP, tags, {
      'record-error-rate': ['rate', 'The average per-second number of record sends that resulted in errors.'],
      'record-error-total': ['total', 'The total number of record sends that resulted in errors.'],
    });
    this.retries = registry.sensor(GROUP, tags, {
      'record-retry-rate': ['rate', 'The average per-second number of retried record sends.'],
      'record-retry-total': ['total', 'The total number of retried record sends.'],
    });
    this.batchSize = registry.sensor(GROUP, tags, {
      'batch-size-avg': ['avg', 'The average number of bytes sent per partition per-request.'],
      'batch-size-max': ['max', 'The max number of bytes sent per partition per-request.'],
    });
    this.compression = registry.sensor(GROUP, tags, {
      'compression-rate-avg': [
        'avg',
        'The average compression rate of record batches, defined as the average ratio of the compressed batch size over the uncompressed size.',
      ],
    });
    this.recordsPerRequest = registry.sensor(GROUP, tags, {
      'records-per-request-avg': ['avg', 'The average number of records per request.'],
    });
    this.network.trackLatency(
      PRODUCE_KEY,
      registry.sensor(GROUP, tags, {
        'request-latency-avg': ['avg', 'The average request latency in ms.'],
        'request-latency-max': ['max', 'The maximum request latency in ms.'],
      }),
    );
    this.network.trackThrottle(
      PRODUCE_KEY,
      registry.sensor(GROUP, tags, {
        'produce-throttle-time-avg': ['avg', 'The average time in ms a request was throttled by a broker.'],
        'produce-throttle-time-max': ['max', 'The maximum time in ms a request was throttled by a broker.'],
      }),
    );
    registry.gauge(
      'buffer-total-bytes',
      GROUP,
      'The maximum amount of buffer memory the client can use.',
      tags,
      () => pool.totalMemory,
    );
    registry.gauge(
      'buffer-available-bytes',
      GROUP,
      'The total amount of buffer memory that is not being used (either unallocated or in the free list).',
      tags,
      () => pool.availableMemory,
    );
    registry.gauge(
      'waiting-threads',
      GROUP,
      'The number of sends blocked waiting for buffer memory to enqueue their records.',
      tags,
      () => pool.queued,
    );
    const waitTotal = registry.sensor(GROUP, tags, {
      'bufferpool-wait-time-ns-total': [
        'total',
        'The total time in nanoseconds an appender waits for space allocation.',
      ],
    });
    // Seconds waited per second: the fraction of time appenders wait.
    const waitRatio = registry.sensor(GROUP, tags, {
      'bufferpool-wait-ratio': ['rate', 'The fraction of time an appender waits for space allocation.'],
      // Kafka's older name of the same; kept as older dashboards name it.
      'bufferpool-wait-time': [
        'rate',
        "The fraction of time an appender waits for space allocation (Kafka's older name of bufferpool-wait-ratio).",
      ],
    });
    pool.onWaited = (ms) => {
      waitTotal.record(ms * 1e6);
      waitRatio.record(ms / 1000);
    };
  }

  /** A batch was acknowledged. */
  batchDone(b: ProducerBatch): void {
    this.sent.record(b.recordCount);
    this.batchSize.record(b.sizeInBytes);
    this.compression.record(b.compressionRatio);
  }

  /** A batch failed for good. */
  batchFailed(b: ProducerBatch): void {
    this.errors.record(b.recordCount);
  }

  /** A batch goes back to its queue to be sent again. */
  batchRetried(b: ProducerBatch): void {
    this.retries.record(b.recordCount);
  }

  /** A produce request was built of `batches`. */
  requestBuilt(batches: readonly ProducerBatch[]): void {
    let n = 0;
    for (const b of batches) n += b.recordCount;
    this.recordsPerRequest.record(n);
  }

  /** Every metric's value now. */
  snapshot(): KafkaMetric[] {
    return this.registry.snapshot();
  }
}
