/**
 * The public face: what `import * as t from 'tskafka'` (and each package's main entry) hands an
 * application, and what it must not. The machinery (the RecordAccumulator, the sender, connections,
 * the wire codecs) lives behind `@tskafka/<pkg>/internals`, where we are free to change it; a name
 * that leaks into a main entry is one users start to depend on.
 */
import * as admin from '@tskafka/admin';
import * as adminInternals from '@tskafka/admin/internals';
import * as broker from '@tskafka/broker';
import * as consumer from '@tskafka/consumer';
import * as consumerInternals from '@tskafka/consumer/internals';
import * as producer from '@tskafka/producer';
import * as producerInternals from '@tskafka/producer/internals';
import * as protocol from '@tskafka/protocol';
import * as protocolInternals from '@tskafka/protocol/internals';
import * as transport from '@tskafka/transport';
import * as transportInternals from '@tskafka/transport/internals';
import type {
  ConsumerInterceptor,
  ConsumerPartitionAssignor,
  ConsumerRebalanceListener,
  ConsumerRecord,
  KafkaConfig,
  Partitioner,
  ProducerInterceptor,
  ProducerRecord,
  RecordMetadata,
  TopicPartition,
} from 'tskafka';
import * as t from 'tskafka';
import { describe, expect, expectTypeOf, it } from 'vitest';

const keys = (module: object): string[] => Object.keys(module);

/** Machinery per package: in `@tskafka/<pkg>/internals`, in neither `@tskafka/<pkg>` nor `tskafka`. */
const MACHINERY = {
  producer: [
    'Sender',
    'SenderLoop',
    'RecordAccumulator',
    'BufferPool',
    'ProducerBatch',
    'ProducerIo',
    'PartitionQueue',
    'IdempotenceManager',
    'TransactionManager',
    'ProducerInterceptors',
    'encodeProduceRequestParts',
  ],
  consumer: [
    'GroupMembership',
    'SubscriptionState',
    'ConsumerInterceptors',
    'AbstractStickyAssignor',
    'encodeSubscription',
    'decodeAssignment',
    'assignorFor',
    'performAssignment',
  ],
  transport: [
    'Connection',
    'ConnectionPool',
    'Cluster',
    'MetadataCache',
    'ApiVersionTable',
    'ScramClient',
    'loadConfig',
    'producerSchema',
    'consumerSchema',
    'resolveClusterOptions',
    'retry',
  ],
  protocol: [
    'Reader',
    'Writer',
    'FrameReader',
    'FrameDecoder',
    'encodeRequest',
    'decodeResponse',
    'Api',
    'ProduceRequest',
    'FetchResponse',
    'RecordBatchBuilder',
    'encodeRecordBatch',
    'decodeRecordBatch',
    'decodeRecordBatches',
    'readRecordBatchHeader',
    'crc32c',
    'compress',
    'decompress',
  ],
  admin: ['decodeMemberAssignment'],
} as const;

const MAIN = { producer, consumer, transport, protocol, admin } as const;
const INTERNALS = {
  producer: producerInternals,
  consumer: consumerInternals,
  transport: transportInternals,
  protocol: protocolInternals,
  admin: adminInternals,
} as const;

describe("import * as t from 'tskafka'", () => {
  it('holds none of the machinery', () => {
    const leaked = Object.values(MACHINERY)
      .flat()
      .filter((name) => name in t);
    expect(leaked).toEqual([]);
  });

  it('holds what an application uses', () => {
    const needed = [
      // the client
      'Kafka',
      'Producer',
      'Consumer',
      'Admin',
      'silentLogger',
      'stderrLogger',
      'parseProperties',
      // serialization
      'stringSerializer',
      'jsonSerializer',
      'bufferSerializer',
      'stringDeserializer',
      'jsonDeserializer',
      'bufferDeserializer',
      // partitioners
      'murmur2',
      'partitionForKey',
      'roundRobin',
      'sticky',
      'hotData',
      // assignors
      'range',
      'roundRobinAssignor',
      'stickyAssignor',
      'cooperativeSticky',
      'RangeAssignor',
      'RoundRobinAssignor',
      'StickyAssignor',
      'CooperativeStickyAssignor',
      'RebalanceProtocol',
      // states users compare against
      'ProducerState',
      'TransactionState',
      'MemberState',
      // errors
      'ErrorCode',
      'KafkaError',
      'RetriableKafkaError',
      'NotLeaderOrFollowerError',
      'UnknownTopicOrPartitionError',
      'TopicAlreadyExistsError',
      'ProducerError',
      'DeliveryTimeoutError',
      'BufferExhaustedError',
      'RecordTooLargeError',
      'ConsumerError',
      'CommitFailedError',
      'RecordFetchError',
      'TransportError',
      'ConnectionError',
      'KafkaTimeoutError',
      'UnsupportedApiVersionError',
      'SerializationError',
      'ConfigError',
      // the wire-level vocabulary
      'ApiKey',
      'CompressionType',
    ];
    expect(needed.filter((name) => !(name in t))).toEqual([]);
    expect(typeof t.Kafka.fromProperties).toBe('function');
    expect(new t.NotLeaderOrFollowerError()).toBeInstanceOf(t.KafkaError);
    expect(t.ErrorCode.NOT_LEADER_OR_FOLLOWER).toBe(6);
  });

  it('keeps the partitioners and the assignors apart: roundRobin and sticky partition, the *Assignor ones assign', () => {
    expect(t.roundRobin).toBe(producer.roundRobin);
    expect(t.sticky).toBe(producer.sticky);
    expect(t.roundRobinAssignor).toBe(consumer.roundRobin);
    expect(t.stickyAssignor).toBe(consumer.sticky);
    expect(t.roundRobinAssignor.name).toBe('roundrobin');
  });

  it('re-exports only the public names of the packages, as the same objects', () => {
    const own = new Set(['Kafka']);
    const renamed: Record<string, unknown> = {
      roundRobinAssignor: consumer.roundRobin,
      stickyAssignor: consumer.sticky,
    };
    const origin = (name: string): unknown => {
      if (name in renamed) return renamed[name];
      for (const module of Object.values(MAIN)) {
        if (name in module) return (module as Record<string, unknown>)[name];
      }
      return undefined;
    };
    const strays = keys(t).filter((name) => !own.has(name) && origin(name) === undefined);
    expect(strays).toEqual([]);
    const different = keys(t).filter(
      (name) => !own.has(name) && origin(name) !== (t as Record<string, unknown>)[name],
    );
    expect(different).toEqual([]);
  });

  it('names the types an application writes', () => {
    const tp: TopicPartition = { topic: 'orders', partition: 0 };
    expectTypeOf(tp).toEqualTypeOf<transport.TopicPartition>();
    expectTypeOf<consumer.TopicPartition>().toEqualTypeOf<transport.TopicPartition>();
    expectTypeOf<admin.AdminTopicPartition>().toEqualTypeOf<transport.TopicPartition>();
    expectTypeOf<KafkaConfig>().toHaveProperty('bootstrapServers');
    expectTypeOf<ProducerRecord<string, string>>().toHaveProperty('topic');
    expectTypeOf<RecordMetadata>().toHaveProperty('offset');
    expectTypeOf<ConsumerRecord<string, string>>().toHaveProperty('value');
    expectTypeOf<Partitioner>().toHaveProperty('partition');
    expectTypeOf<ConsumerPartitionAssignor>().toHaveProperty('assign');
    expectTypeOf<ProducerInterceptor>().toHaveProperty('onSend');
    expectTypeOf<ConsumerInterceptor>().toHaveProperty('onConsume');
    expectTypeOf<ConsumerRebalanceListener>().toHaveProperty('onPartitionsAssigned');
  });
});

describe("each package's main entry and its ./internals", () => {
  for (const [pkg, names] of Object.entries(MACHINERY) as [keyof typeof MACHINERY, readonly string[]][]) {
    it(`@tskafka/${pkg} leaves its machinery to @tskafka/${pkg}/internals`, () => {
      expect(names.filter((name) => name in MAIN[pkg])).toEqual([]);
      expect(names.filter((name) => !(name in INTERNALS[pkg]))).toEqual([]);
    });
  }

  it('each main entry holds the classes its README and examples use', () => {
    expect(typeof producer.Producer).toBe('function');
    expect(typeof consumer.Consumer).toBe('function');
    expect(typeof admin.Admin).toBe('function');
    expect(typeof broker.startBroker).toBe('function');
    expect(typeof broker.startCluster).toBe('function');
    expect(protocol.ApiKey.Produce).toBe(0);
    expect(protocol.CompressionType.Lz4).toBe(3);
    expect(typeof transport.stringSerializer.serialize).toBe('function');
  });

  it('an internals entry is a superset of its main entry, so a tool needs one import', () => {
    for (const [pkg, main] of Object.entries(MAIN) as [keyof typeof MAIN, object][]) {
      const missing = keys(main).filter((name) => !(name in INTERNALS[pkg]));
      expect(missing, pkg).toEqual([]);
    }
  });
});
