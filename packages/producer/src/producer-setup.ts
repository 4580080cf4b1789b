/**
 * How a producer's parts are built from its loaded config, once, off the send path: the
 * transport `Cluster`, the RecordAccumulator, the transaction manager, the sender and its I/O,
 * the partitioners' view of the cluster, and the plugins (serializers, partitioner,
 * interceptors) once their module paths are imported.
 *
 * @module
 */

import { CompressionType } from '@tskafka/protocol';
import type { Logger, SaslOptions, Serializer, SslOption, TimerClock } from '@tskafka/transport';
import {
  Cluster,
  clusterOptionsFromConfig,
  type ProducerConfig,
  type RequestObserver,
  type ResolvedProducerConfig,
  serializerFor,
} from '@tskafka/transport/internals';
import { RecordAccumulator } from './accumulator.js';
import { IdempotenceManager } from './idempotence.js';
import { type ProducerInterceptor, ProducerInterceptors } from './interceptors.js';
import { type PartitionerName, partitionerFor } from './partitioner/index.js';
import type { Partitioner, PartitionerCluster } from './partitioner/types.js';
import { type FailedSendsListener, failedSendsMessage } from './producer-batch.js';
import { ProducerIo } from './producer-io.js';
import { ProducerMetrics } from './producer-metrics.js';
import { Sender } from './sender.js';
import { TransactionManager } from './transactions.js';

const CODECS: Record<string, CompressionType> = {
  none: CompressionType.None,
  gzip: CompressionType.Gzip,
  snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4,
  zstd: CompressionType.Zstd,
};

/** The transport's objects that are not properties. */
export interface ProducerTransportOptions {
  sasl: SaslOptions | undefined;
  ssl: SslOption | undefined;
  logger: Logger;
  /** The producer's time and timers. */
  clock: TimerClock;
  /** Sees each request's response or timeout. */
  requestObserver?: RequestObserver;
}

/** What the parts call back into the producer for. */
export interface ProducerHooks {
  /** Wakes the sender loop (if running). */
  wakeup(): void;
  /** Whether sends still wait for their topic's metadata (EndTxn waits for them). */
  hasPendingAppends(): boolean;
  /** The transaction state changed (whether `send` is open may have). */
  onTransactionStateChange(): void;
}

/** The parts of a producer, sharing one accumulator. */
export interface ProducerParts {
  readonly metrics: ProducerMetrics;
  readonly cluster: Cluster;
  readonly accumulator: RecordAccumulator;
  readonly transactions: TransactionManager | null;
  readonly io: ProducerIo;
  readonly sender: Sender;
  readonly partitionerCluster: PartitionerCluster;
  /** Logs failed sends at warn (their promises are rejected marked handled: nobody else may hear). */
  readonly onFailedSends: FailedSendsListener;
}

/** Builds the parts of a producer from its loaded config. */
export function buildProducerParts(
  c: ProducerConfig,
  transport: ProducerTransportOptions,
  hooks: ProducerHooks,
): ProducerParts {
  const { clock, ...objects } = transport;
  const acks = c.acks === 'all' ? -1 : (c.acks as 0 | 1);
  const transactional = c.transactionalId !== undefined;
  const idempotence = c.idempotent ? new IdempotenceManager({ transactional }) : null;
  const level =
    c.compression === 'gzip' && c.compressionGzipLevel !== -1
      ? c.compressionGzipLevel
      : c.compression === 'zstd'
        ? c.compressionZstdLevel
        : undefined;
  const logger = objects.logger;
  const onFailedSends: FailedSendsListener = (topic, partition, error, count) =>
    logger.warn(failedSendsMessage(topic, partition, error, count), { topic, partition, error });
  const accumulator = new RecordAccumulator({
    batchSize: c.batchSize,
    lingerMs: c.lingerMs,
    bufferMemory: c.bufferMemory,
    maxBlockMs: c.maxBlockMs,
    maxRequestSize: c.maxRequestSize,
    deliveryTimeoutMs: c.deliveryTimeoutMs,
    compression: CODECS[c.compression],
    compressionLevel: level,
    maxInFlightRequestsPerConnection: c.maxInFlightRequestsPerConnection,
    idempotence,
    transactional: c.transactionalId !== undefined,
    clock,
    onFailedSends,
  });
  const metrics = new ProducerMetrics(c.clientId ?? 'tskafka-producer', accumulator.pool, () => clock.now());
  const cluster = new Cluster({
    ...clusterOptionsFromConfig(c, objects, 'tskafka-producer'),
    networkMetrics: metrics.network,
  });
  const transactions =
    c.transactionalId === undefined || idempotence === null
      ? null
      : new TransactionManager({
          transactionalId: c.transactionalId,
          transactionTimeoutMs: c.transactionTimeoutMs,
          retryBackoffMs: c.retryBackoffMs,
          accumulator,
          idempotence,
          clock,
        });
  if (transactions !== null) {
    transactions.hasPendingAppends = () => hooks.hasPendingAppends();
    transactions.onStateChange = () => hooks.onTransactionStateChange();
  }
  const io = new ProducerIo(cluster, {
    maxInFlight: c.maxInFlightRequestsPerConnection,
    transactionalId: c.transactionalId ?? null,
    transactionTimeoutMs: c.transactionTimeoutMs,
    wakeup: () => hooks.wakeup(),
  });
  const sender = new Sender(accumulator, io.metadata, io, {
    acks,
    requestTimeoutMs: c.requestTimeoutMs,
    maxRequestSize: c.maxRequestSize,
    retries: c.retries,
    retryBackoffMs: c.retryBackoffMs,
    retryBackoffMaxMs: c.retryBackoffMaxMs,
    transactionalId: c.transactionalId ?? null,
    transactions,
    metrics,
  });
  return {
    metrics,
    cluster,
    accumulator,
    transactions,
    io,
    sender,
    partitionerCluster: partitionerClusterOf(cluster),
    onFailedSends,
  };
}

// What partitioners see of the cluster; the available partitions of a topic are computed once
// per metadata version of the topic.
function partitionerClusterOf(cluster: Cluster): PartitionerCluster {
  const available = new Map<string, { version: unknown; partitions: readonly number[] }>();
  return {
    partitionCountFor: (topic) => cluster.partitionCountFor(topic) ?? 1,
    availablePartitionsFor: (topic) => {
      const t = cluster.metadata.topic(topic);
      if (t === undefined) return [];
      const cached = available.get(topic);
      if (cached !== undefined && cached.version === t) return cached.partitions;
      const partitions = t.partitions.filter((p) => p.leader >= 0).map((p) => p.partition);
      partitions.sort((a, b) => a - b);
      available.set(topic, { version: t, partitions });
      return partitions;
    },
  };
}

/** The producer's plugins, ready to use. */
export interface ProducerPlugins<K, V> {
  readonly keySerializer: Serializer<K>;
  readonly valueSerializer: Serializer<V>;
  readonly partitioner: Partitioner<K, V>;
  readonly interceptors: ProducerInterceptors<K, V>;
}

/** The plugins of a config whose module paths were imported (`resolveClasses`). */
export function loadPlugins<K, V>(plugins: ResolvedProducerConfig, logger: Logger): ProducerPlugins<K, V> {
  return {
    keySerializer: serializerFor(plugins.keySerializer as never) as Serializer<K>,
    valueSerializer: serializerFor(plugins.valueSerializer as never) as Serializer<V>,
    partitioner: partitionerFor<K, V>(plugins.partitioner as PartitionerName | Partitioner<K, V>, {
      ignoreKeys: plugins.partitionerIgnoreKeys,
    }),
    interceptors: new ProducerInterceptors<K, V>(
      plugins.interceptors as unknown as ProducerInterceptor<K, V>[],
      logger,
    ),
  };
}
