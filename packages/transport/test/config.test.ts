/**
 * Configuration loading: the producer schema's Kafka 4.x defaults, Kafka names and camelCase
 * options, errors that name the key and the nearest valid one, Java's checks across keys,
 * `sasl.jaas.config`, TLS files, and class-typed keys resolved by dynamic import.
 *
 * Defaults are Apache Kafka's `ProducerConfig` (clients/src/main/java/org/apache/kafka/clients/
 * producer/ProducerConfig.java, apache/kafka at 0106e705): `linger.ms` 5 since Kafka 4.0
 * (KIP-1030), `buffer.memory` 32 MiB, `max.block.ms` 60000, `retries`
 * Integer.MAX_VALUE, `delivery.timeout.ms` 120000, `enable.idempotence` true, ... except
 * `batch.size`: 256 KiB by measurement (Java's is 16384; see the key's doc).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  ConfigError,
  commonClientKeys,
  defineSchema,
  editDistance,
  formatProperties,
  loadConfig,
  ModuleRef,
  nearest,
  type ProducerConfig,
  parseJaasConfig,
  producerSchema,
  resolveClasses,
  saslFromConfig,
  stringKey,
  tlsFromConfig,
} from '../src/config/index.js';
import { jsonSerializer, stringSerializer } from '../src/serde.js';

const BOOT = { 'bootstrap.servers': 'localhost:9092' };
const dir = mkdtempSync(path.join(tmpdir(), 'tskafka-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('producer defaults', () => {
  it('are Kafka 4.x ProducerConfig defaults, except a measured batch.size', () => {
    const c = loadConfig(producerSchema, BOOT);
    expect(c).toMatchObject({
      bootstrapServers: ['localhost:9092'],
      acks: 'all',
      lingerMs: 5,
      batchSize: 262_144,
      bufferMemory: 33_554_432,
      maxBlockMs: 60_000,
      compression: 'none',
      compressionGzipLevel: -1,
      compressionLz4Level: 9,
      compressionZstdLevel: 3,
      maxRequestSize: 1_048_576,
      maxInFlightRequestsPerConnection: 5,
      retries: 2_147_483_647,
      deliveryTimeoutMs: 120_000,
      idempotent: true,
      transactionTimeoutMs: 60_000,
      partitioner: 'murmur2',
      partitionerIgnoreKeys: false,
      interceptors: [],
      requestTimeoutMs: 30_000,
      connectionsMaxIdleMs: 540_000,
      reconnectBackoffMs: 50,
      reconnectBackoffMaxMs: 1_000,
      retryBackoffMs: 100,
      metadataMaxAgeMs: 300_000,
      securityProtocol: 'PLAINTEXT',
    });
    expect(c.transactionalId).toBeUndefined();
    expect(c.keySerializer).toBeUndefined();
    expect(c.clientId).toBeUndefined();
  });

  it('types follow the schema', () => {
    expectTypeOf<ProducerConfig['lingerMs']>().toEqualTypeOf<number>();
    expectTypeOf<ProducerConfig['acks']>().toEqualTypeOf<'all' | 0 | 1>();
    expectTypeOf<ProducerConfig['compression']>().toEqualTypeOf<
      'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'
    >();
    expectTypeOf<ProducerConfig['transactionalId']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<ProducerConfig['bootstrapServers']>().toEqualTypeOf<string[]>();
    expectTypeOf<ProducerConfig['idempotent']>().toEqualTypeOf<boolean>();
  });
});

describe('inputs', () => {
  it('takes Kafka names with string values, as a properties file gives them', () => {
    const c = loadConfig(producerSchema, {
      'bootstrap.servers': 'a:9092, b:9093',
      'linger.ms': '20',
      'enable.idempotence': 'FALSE',
      'compression.type': 'zstd',
      acks: '1',
      'client.id': 'orders',
      'security.protocol': 'ssl',
    });
    expect(c.bootstrapServers).toEqual(['a:9092', 'b:9093']);
    expect(c.lingerMs).toBe(20);
    expect(c.idempotent).toBe(false);
    expect(c.compression).toBe('zstd');
    expect(c.acks).toBe(1);
    expect(c.clientId).toBe('orders');
    expect(c.securityProtocol).toBe('SSL');
  });

  it('takes client.dns.lookup with its two values and refuses others', () => {
    expect(loadConfig(producerSchema, BOOT).clientDnsLookup).toBe('use_all_dns_ips');
    const c = loadConfig(producerSchema, {
      ...BOOT,
      'client.dns.lookup': 'resolve_canonical_bootstrap_servers_only',
    });
    expect(c.clientDnsLookup).toBe('resolve_canonical_bootstrap_servers_only');
    expect(() => loadConfig(producerSchema, { ...BOOT, 'client.dns.lookup': 'default' })).toThrow(
      /client.dns.lookup/,
    );
  });

  it('takes typed camelCase options, and both styles mixed', () => {
    const c = loadConfig(producerSchema, {
      bootstrapServers: ['localhost:9092'],
      lingerMs: 0,
      acks: 0,
      idempotent: false,
      compression: 'lz4',
      'batch.size': 65_536,
    });
    expect(c).toMatchObject({
      lingerMs: 0,
      acks: 0,
      idempotent: false,
      compression: 'lz4',
      batchSize: 65_536,
    });
  });

  it('maps acks -1 to all, in text or as a number', () => {
    expect(loadConfig(producerSchema, { ...BOOT, acks: '-1' }).acks).toBe('all');
    expect(loadConfig(producerSchema, { ...BOOT, acks: -1 }).acks).toBe('all');
  });

  it('accepts aliases: librdkafka names and camelCase synonyms', () => {
    const c = loadConfig(producerSchema, {
      'metadata.broker.list': 'k:1',
      'queue.buffering.max.ms': '7',
      enableIdempotence: false,
      compressionType: 'gzip',
    });
    expect(c).toMatchObject({
      bootstrapServers: ['k:1'],
      lingerMs: 7,
      idempotent: false,
      compression: 'gzip',
    });
  });

  it('accepts and ignores JVM-only Java settings', () => {
    const c = loadConfig(producerSchema, {
      ...BOOT,
      'send.buffer.bytes': '131072',
      'partitioner.adaptive.partitioning.enable': 'true',
      'metrics.num.samples': 2,
    });
    expect(c.lingerMs).toBe(5);
  });

  it('reads a .properties file, naming file and line in errors', () => {
    const file = path.join(dir, 'producer.properties');
    writeFileSync(file, '# a producer\nbootstrap.servers=localhost:9092\nlinger.ms = 10\nacks: all\n');
    expect(loadConfig(producerSchema, file)).toMatchObject({ lingerMs: 10, acks: 'all' });
    const bad = path.join(dir, 'bad.properties');
    writeFileSync(bad, 'bootstrap.servers=localhost:9092\n\nlinger.ms=soon\n');
    const e = errorOf(() => loadConfig(producerSchema, bad));
    expect(e.key).toBe('linger.ms');
    expect(e.source).toBe(`${bad}:3`);
    expect(e.message).toContain(`${bad}:3: linger.ms: expected a long (got "soon")`);
    expect(() => loadConfig(producerSchema, path.join(dir, 'missing.properties'))).toThrow(/cannot read/);
  });

  it('round trips through formatProperties', () => {
    const file = path.join(dir, 'round.properties');
    writeFileSync(
      file,
      formatProperties({
        'bootstrap.servers': 'h:1',
        'sasl.jaas.config':
          'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p=#!";',
        'security.protocol': 'SASL_SSL',
      }),
    );
    const c = loadConfig(producerSchema, file);
    expect(c.saslJaasConfig?.options).toEqual({ username: 'u', password: 'p=#!' });
  });
});

describe('errors name the key and the nearest valid one', () => {
  it('for unknown Kafka names', () => {
    const e = errorOf(() => loadConfig(producerSchema, { ...BOOT, 'linger.msx': '5' }));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.key).toBe('linger.msx');
    expect(e.suggestion).toBe('linger.ms');
    expect(e.message).toBe('linger.msx: unknown configuration key (did you mean "linger.ms"?)');
    expect(errorOf(() => loadConfig(producerSchema, { 'bootstrap.server': 'a:1' })).suggestion).toBe(
      'bootstrap.servers',
    );
    expect(errorOf(() => loadConfig(producerSchema, { ...BOOT, 'ligner.ms': 1 })).suggestion).toBe(
      'linger.ms',
    );
    expect(
      errorOf(() => loadConfig(producerSchema, { ...BOOT, 'max.in.flight.request.per.connection': 1 }))
        .suggestion,
    ).toBe('max.in.flight.requests.per.connection');
  });

  it('for unknown camelCase names, suggesting camelCase', () => {
    const input = { bootstrapServers: 'a:1', lingerMS: 5 } as unknown as Record<string, number>;
    expect(errorOf(() => loadConfig(producerSchema, input)).suggestion).toBe('lingerMs');
    const far = errorOf(() => loadConfig(producerSchema, { ...BOOT, 'completely.different': 1 }));
    expect(far.suggestion).toBeUndefined();
  });

  it('for ill-typed values, in the name the user wrote', () => {
    expect(errorOf(() => loadConfig(producerSchema, { ...BOOT, 'batch.size': 'big' })).message).toBe(
      'batch.size: expected an int (got "big")',
    );
    expect(
      errorOf(() => loadConfig(producerSchema, { bootstrapServers: 'a:1', batchSize: 2 ** 31 })).key,
    ).toBe('batchSize');
    expect(errorOf(() => loadConfig(producerSchema, { ...BOOT, 'linger.ms': '1.5' })).detail).toMatch(
      /expected a long/,
    );
    expect(errorOf(() => loadConfig(producerSchema, { ...BOOT, 'linger.ms': -1 })).detail).toMatch(
      /at least 0/,
    );
    expect(
      errorOf(() => loadConfig(producerSchema, { ...BOOT, 'enable.idempotence': 'yes' })).detail,
    ).toMatch(/true or false/);
    expect(errorOf(() => loadConfig(producerSchema, { ...BOOT, 'compression.gzip.level': 0 })).detail).toBe(
      'must be at least 1 (or -1) (got 0)',
    );
    expect(loadConfig(producerSchema, { ...BOOT, 'compression.gzip.level': -1 }).compressionGzipLevel).toBe(
      -1,
    );
  });

  it('for a value outside an enumeration, with the nearest value', () => {
    const e = errorOf(() => loadConfig(producerSchema, { ...BOOT, 'compression.type': 'lz5' }));
    expect(e.detail).toBe('expected one of none, gzip, snappy, lz4, zstd (got "lz5")');
    expect(e.suggestion).toBe('lz4');
    expect(errorOf(() => loadConfig(producerSchema, { ...BOOT, acks: 2 })).detail).toMatch(
      /one of all, 0, 1/,
    );
    expect(
      errorOf(() => loadConfig(producerSchema, { ...BOOT, 'security.protocol': 'SASL_PLAIN' })).suggestion,
    ).toBe('SASL_PLAINTEXT');
  });

  it('for a bad bootstrap address, a missing required key, a key given twice', () => {
    expect(errorOf(() => loadConfig(producerSchema, { 'bootstrap.servers': 'localhost' })).detail).toMatch(
      /host:port/,
    );
    expect(errorOf(() => loadConfig(producerSchema, { 'bootstrap.servers': 'a:1,,b:2' })).detail).toMatch(
      /empty list item/,
    );
    const missing = errorOf(() => loadConfig(producerSchema, {}));
    expect(missing.key).toBe('bootstrap.servers');
    expect(missing.detail).toMatch(/missing required/);
    expect(errorOf(() => loadConfig(producerSchema, { ...BOOT, 'linger.ms': 1, lingerMs: 2 })).detail).toBe(
      'given twice (also as "linger.ms")',
    );
  });

  it('never echoes a secret value', () => {
    const e = errorOf(() =>
      loadConfig(producerSchema, {
        ...BOOT,
        'sasl.jaas.config': 'PlainLoginModule required password="hunter2"',
      }),
    );
    expect(e.key).toBe('sasl.jaas.config');
    expect(e.message).not.toContain('hunter2');
  });
});

describe("Java's checks across producer keys", () => {
  it('turn idempotence off when other settings conflict and it was not set, with a warning', () => {
    const warnings: string[] = [];
    const c = loadConfig(producerSchema, { ...BOOT, acks: '1' }, { warn: (m) => warnings.push(m) });
    expect(c.idempotent).toBe(false);
    expect(warnings).toEqual(['idempotence disabled: acks must be all']);
    expect(loadConfig(producerSchema, { ...BOOT, retries: 0 }).idempotent).toBe(false);
    expect(
      loadConfig(producerSchema, { ...BOOT, 'max.in.flight.requests.per.connection': 6 }).idempotent,
    ).toBe(false);
  });

  it('reject the conflicts when enable.idempotence=true was set explicitly', () => {
    const e = errorOf(() => loadConfig(producerSchema, { ...BOOT, acks: 1, 'enable.idempotence': true }));
    expect(e.key).toBe('enable.idempotence');
    expect(e.detail).toMatch(/acks must be all/);
  });

  it('require idempotence for transactions', () => {
    expect(loadConfig(producerSchema, { ...BOOT, 'transactional.id': 'tx' }).transactionalId).toBe('tx');
    expect(
      errorOf(() =>
        loadConfig(producerSchema, { ...BOOT, 'transactional.id': 'tx', 'enable.idempotence': false }),
      ).key,
    ).toBe('transactional.id');
    expect(
      errorOf(() => loadConfig(producerSchema, { ...BOOT, 'transactional.id': 'tx', acks: 1 })).detail,
    ).toMatch(/turned off/);
    expect(errorOf(() => loadConfig(producerSchema, { ...BOOT, 'transactional.id': '' })).detail).toMatch(
      /empty/,
    );
  });

  it('raise delivery.timeout.ms to linger.ms + request.timeout.ms, unless it was set', () => {
    const warnings: string[] = [];
    const c = loadConfig(
      producerSchema,
      { ...BOOT, 'linger.ms': 100_000 },
      { warn: (m) => warnings.push(m) },
    );
    expect(c.deliveryTimeoutMs).toBe(130_000);
    expect(warnings[0]).toMatch(/raised/);
    expect(errorOf(() => loadConfig(producerSchema, { ...BOOT, 'delivery.timeout.ms': 1000 })).detail).toBe(
      'must be at least linger.ms + request.timeout.ms = 30005',
    );
  });
});

describe('SASL and TLS', () => {
  const plain =
    'org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="alice-secret";';
  const scram =
    'org.apache.kafka.common.security.scram.ScramLoginModule required\n  username=\'bob\' /* the user */ password="b\\"ob" // trailing\n;';

  it('parses PLAIN and SCRAM sasl.jaas.config lines', () => {
    expect(parseJaasConfig(plain)).toEqual({
      loginModule: 'org.apache.kafka.common.security.plain.PlainLoginModule',
      controlFlag: 'required',
      options: { username: 'alice', password: 'alice-secret' },
    });
    expect(parseJaasConfig(scram).options).toEqual({ username: 'bob', password: 'b"ob' });
    expect(parseJaasConfig('m.Module optional tokenauth=true;').options).toEqual({ tokenauth: 'true' });
  });

  it('rejects malformed JAAS lines', () => {
    expect(() => parseJaasConfig('m.Module required username="a"')).toThrow(/";"/);
    expect(() => parseJaasConfig('m.Module needed;')).toThrow(/control flag/);
    expect(() => parseJaasConfig('m.Module required a="1"; n.Module required;')).toThrow(/2 login modules/);
    expect(() => parseJaasConfig('m.Module required a="1;')).toThrow(/unterminated/);
    expect(() => parseJaasConfig('m.Module required a b;')).toThrow(/"=" after a/);
  });

  it('gives credentials from sasl.jaas.config or sasl.username/password, only with a SASL protocol', () => {
    const c = loadConfig(producerSchema, {
      ...BOOT,
      'security.protocol': 'SASL_SSL',
      'sasl.jaas.config': plain,
    });
    expect(saslFromConfig(c)).toEqual({ mechanism: 'PLAIN', username: 'alice', password: 'alice-secret' });
    const s = loadConfig(producerSchema, {
      ...BOOT,
      'security.protocol': 'SASL_PLAINTEXT',
      'sasl.mechanism': 'SCRAM-SHA-512',
      'sasl.jaas.config': scram,
    });
    expect(saslFromConfig(s)).toEqual({ mechanism: 'SCRAM-SHA-512', username: 'bob', password: 'b"ob' });
    const r = loadConfig(producerSchema, {
      ...BOOT,
      'security.protocol': 'sasl_plaintext',
      'sasl.mechanisms': 'scram-sha-256',
      'sasl.username': 'carol',
      'sasl.password': 'pw',
    });
    expect(saslFromConfig(r)).toEqual({ mechanism: 'SCRAM-SHA-256', username: 'carol', password: 'pw' });
    expect(
      saslFromConfig(loadConfig(producerSchema, { ...BOOT, 'sasl.jaas.config': plain })),
    ).toBeUndefined();
  });

  it('rejects SASL without credentials, or with a login module that does not fit the mechanism', () => {
    expect(
      errorOf(() => loadConfig(producerSchema, { ...BOOT, 'security.protocol': 'SASL_SSL' })).detail,
    ).toMatch(/needs a user name and password/);
    const e = errorOf(() =>
      loadConfig(producerSchema, {
        ...BOOT,
        'security.protocol': 'SASL_SSL',
        'sasl.mechanism': 'SCRAM-SHA-256',
        'sasl.jaas.config': plain,
      }),
    );
    expect(e.detail).toMatch(/does not fit sasl.mechanism=SCRAM-SHA-256/);
    expect(e.message).not.toContain('alice-secret');
    expect(errorOf(() => loadConfig(producerSchema, { ...BOOT, 'sasl.mechanism': 'GSSAPI' })).key).toBe(
      'sasl.mechanism',
    );
  });

  it('gives TLS options from librdkafka-style file locations', () => {
    const files: Record<string, string> = { '/ca.pem': 'CA', '/cert.pem': 'CERT', '/key.pem': 'KEY' };
    const read = (p: string) => {
      const f = files[p];
      if (f === undefined) throw new Error('ENOENT');
      return f;
    };
    expect(tlsFromConfig(loadConfig(producerSchema, BOOT), read)).toBeUndefined();
    expect(tlsFromConfig(loadConfig(producerSchema, { ...BOOT, 'security.protocol': 'SSL' }), read)).toBe(
      true,
    );
    const c = loadConfig(producerSchema, {
      ...BOOT,
      'security.protocol': 'SSL',
      'ssl.ca.location': '/ca.pem',
      'ssl.certificate.location': '/cert.pem',
      'ssl.key.location': '/key.pem',
      'ssl.key.password': 'pass',
      'ssl.endpoint.identification.algorithm': '',
      'enable.ssl.certificate.verification': 'false',
    });
    const tls = tlsFromConfig(c, read);
    expect(tls).toMatchObject({
      ca: 'CA',
      cert: 'CERT',
      key: 'KEY',
      passphrase: 'pass',
      rejectUnauthorized: false,
    });
    expect(typeof (tls as { checkServerIdentity?: unknown }).checkServerIdentity).toBe('function');
    const missing = loadConfig(producerSchema, {
      ...BOOT,
      'security.protocol': 'SSL',
      'ssl.ca.location': '/nope',
    });
    expect(errorOf(() => tlsFromConfig(missing, read)).key).toBe('ssl.ca.location');
  });
});

describe('class-typed keys', () => {
  it('map built-in names, other spellings and Java class names to the built-ins', () => {
    const c = loadConfig(producerSchema, {
      ...BOOT,
      'partitioner.class': 'org.apache.kafka.clients.producer.RoundRobinPartitioner',
      'key.serializer': 'org.apache.kafka.common.serialization.StringSerializer',
      'value.serializer': 'org.apache.kafka.common.serialization.ByteArraySerializer',
    });
    expect(c).toMatchObject({
      partitioner: 'roundRobin',
      keySerializer: 'string',
      valueSerializer: 'buffer',
    });
    expect(loadConfig(producerSchema, { ...BOOT, 'partitioner.class': 'RoundRobin' }).partitioner).toBe(
      'roundRobin',
    );
    expect(loadConfig(producerSchema, { ...BOOT, partitioner: 'murmur2_random' }).partitioner).toBe(
      'murmur2',
    );
    expect(loadConfig(producerSchema, { ...BOOT, 'value.serializer': 'json' }).valueSerializer).toBe('json');
  });

  it('reject a Java class that cannot be loaded, suggesting a built-in', () => {
    const e = errorOf(() =>
      loadConfig(producerSchema, {
        ...BOOT,
        'key.serializer': 'org.apache.kafka.common.serialization.LongSerializer',
      }),
    );
    expect(e.key).toBe('key.serializer');
    expect(e.detail).toMatch(/Java class .*LongSerializer cannot be loaded here/);
  });

  it('take objects as they are, and check their shape', () => {
    const partitioner = { partition: () => 0 };
    const interceptor = { onSend: <T>(r: T) => r };
    const json = jsonSerializer<{ id: number }>();
    const c = loadConfig(producerSchema, {
      ...BOOT,
      partitioner,
      interceptors: [interceptor],
      keySerializer: stringSerializer,
      valueSerializer: json,
    });
    expect(c.partitioner).toBe(partitioner);
    expect(c.interceptors).toEqual([interceptor]);
    expect(c.keySerializer).toBe(stringSerializer);
    expect(c.valueSerializer).toBe(json);
    const bad = { bootstrapServers: 'a:1', partitioner: { choose: () => 0 } } as unknown as Record<
      string,
      string
    >;
    expect(errorOf(() => loadConfig(producerSchema, bad)).detail).toMatch(/expected a partitioner/);
  });

  it('turn module paths into ModuleRefs relative to the properties file, then import them', async () => {
    const plugins = path.join(dir, 'plugins');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(plugins, { recursive: true });
    writeFileSync(
      path.join(plugins, 'partitioner.mjs'),
      'export default class Last { partition(t, k, kb, v, cluster) { return cluster.partitionCountFor(t) - 1; } }\n',
    );
    writeFileSync(
      path.join(plugins, 'interceptors.mjs'),
      [
        'export class Stamp { onSend(r) { return { ...r, headers: { stamp: "1" } }; } }',
        'export function counting() { let n = 0; return { onAcknowledgement() { n++; }, count: () => n }; }',
        'export const notOne = { hello: 1 };',
      ].join('\n'),
    );
    writeFileSync(
      path.join(plugins, 'serializer.mjs'),
      'export const upper = { serialize: (t, d) => d.toUpperCase() };\n',
    );
    const file = path.join(dir, 'classes.properties');
    writeFileSync(
      file,
      [
        'bootstrap.servers=localhost:9092',
        'partitioner.class=./plugins/partitioner.mjs',
        'interceptor.classes=./plugins/interceptors.mjs#Stamp, ./plugins/interceptors.mjs#counting',
        `value.serializer=${path.join(plugins, 'serializer.mjs')}`,
      ].join('\n'),
    );
    const c = loadConfig(producerSchema, file);
    expect(c.partitioner).toBeInstanceOf(ModuleRef);
    expect(String(c.partitioner)).toBe('./plugins/partitioner.mjs');
    expect((c.partitioner as ModuleRef).baseDir).toBe(dir);

    const r = await resolveClasses(producerSchema, c);
    const cluster = { partitionCountFor: () => 4, availablePartitionsFor: () => [0, 1, 2, 3] };
    expect(
      (r.partitioner as { partition: (...a: unknown[]) => number }).partition('t', null, null, null, cluster),
    ).toBe(3);
    expect(r.interceptors).toHaveLength(2);
    const [stamp, counting] = r.interceptors as { onSend?: (r: object) => object; count?: () => number }[];
    expect(stamp.onSend?.({ topic: 't' })).toEqual({ topic: 't', headers: { stamp: '1' } });
    expect(counting.count?.()).toBe(0);
    expect(r.valueSerializer).toMatchObject({ serialize: expect.any(Function) });
    expect(r.keySerializer).toBeUndefined();

    const wrong = loadConfig(
      producerSchema,
      { ...BOOT, 'interceptor.classes': './plugins/interceptors.mjs#notOne' },
      { baseDir: dir },
    );
    await expect(resolveClasses(producerSchema, wrong)).rejects.toThrow(
      /does not give a producer interceptor/,
    );
    const typo = loadConfig(
      producerSchema,
      { ...BOOT, 'interceptor.classes': './plugins/interceptors.mjs#Stamq' },
      { baseDir: dir },
    );
    await expect(resolveClasses(producerSchema, typo)).rejects.toThrow(
      /no export "Stamq" \(did you mean "Stamp"\?\)/,
    );
    const gone = loadConfig(producerSchema, { ...BOOT, 'partitioner.class': './nope.mjs' }, { baseDir: dir });
    await expect(resolveClasses(producerSchema, gone)).rejects.toThrow(
      /partitioner.class: cannot import \.\/nope\.mjs/,
    );
  });
});

describe('schemas are plain objects', () => {
  it('a client schema extends the common keys (as the consumer schema will)', () => {
    const consumerLike = defineSchema({
      ...commonClientKeys,
      groupId: stringKey('group.id', { doc: 'The consumer group.' }),
    });
    const c = loadConfig(consumerLike, { ...BOOT, 'group.id': 'billing' });
    expect(c.groupId).toBe('billing');
    expect(c.requestTimeoutMs).toBe(30_000);
    expectTypeOf(c.groupId).toEqualTypeOf<string | undefined>();
    expect(errorOf(() => loadConfig(consumerLike, { ...BOOT, 'group.idd': 'x' })).suggestion).toBe(
      'group.id',
    );
  });
});

describe('nearest', () => {
  it('uses Damerau distance: a transposition is one edit', () => {
    expect(editDistance('linger', 'ligner')).toBe(1);
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('ca', 'abc')).toBe(3); // optimal string alignment, not unrestricted Damerau
  });

  it('suggests only what is close enough, ignoring case', () => {
    expect(nearest('BATCH.SIZE', ['batch.size', 'buffer.memory'])).toBe('batch.size');
    expect(nearest('zzzzzz', ['batch.size'])).toBeUndefined();
    expect(nearest('x', [])).toBeUndefined();
  });
});
