/**
 * `new Kafka(...)` and `Kafka.fromProperties(...)`: Kafka's property names from a `.properties`
 * file (with an interceptor loaded by module path, relative to the file, and Java's serializer
 * class names), typed producers, and clear errors for unknown or ill-typed keys.
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { ConfigError, jsonSerializer, Kafka } from 'tskafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTopicWithKcat } from './interop/kcat.js';

const fixtures = path.dirname(
  fileURLToPath(new URL('./fixtures/properties/count-interceptor.js', import.meta.url)),
);

let broker: RunningBroker;
beforeAll(async () => {
  broker = await startBroker({ config: { 'num.partitions': 1 } });
});
afterAll(async () => {
  await broker?.close();
});

describe('Kafka configuration', () => {
  it('a producer from a .properties file with Java names, an interceptor by module path and Java serializers', async () => {
    // The properties file and the interceptor module it names sit together in a fresh directory.
    const dir = await mkdtemp(path.join(tmpdir(), 'tskafka-props-'));
    copyFileSync(path.join(fixtures, 'count-interceptor.js'), path.join(dir, 'count-interceptor.js'));
    const file = path.join(dir, 'producer.properties');
    writeFileSync(
      file,
      [
        '# written as for the Java client',
        `bootstrap.servers=${broker.bootstrapServers.join(',')}`,
        'acks=all',
        'linger.ms=10',
        'key.serializer=org.apache.kafka.common.serialization.StringSerializer',
        'value.serializer=org.apache.kafka.common.serialization.StringSerializer',
        'interceptor.classes=./count-interceptor.js#CountInterceptor',
        '# a consumer key in the same file is left to the consumer',
        'group.id=ignored-by-the-producer',
        '# a Java-only setting is accepted and has no effect',
        'send.buffer.bytes=131072',
      ].join('\n'),
    );
    const interceptorUrl = pathToFileURL(path.join(dir, 'count-interceptor.js')).href;
    const { CountInterceptor } = (await import(interceptorUrl)) as {
      CountInterceptor: { sent: number; acknowledged: number };
    };
    const producer = Kafka.fromProperties(file).producer();
    expect(producer.config.lingerMs).toBe(10);
    expect(producer.config.acks).toBe('all');
    await producer.connect();
    const meta = await producer.send({ topic: 'from-properties', key: 'k', value: 'v' });
    await producer.close();
    expect(meta.offset).toBe(0);
    expect(CountInterceptor.sent).toBe(1);
    expect(CountInterceptor.acknowledged).toBe(1);
    const [record] = await readTopicWithKcat(broker.bootstrapServers.join(','), 'from-properties');
    expect(record).toMatchObject({ key: 'k', value: 'v', headers: 'counted=yes' });
  });

  it('camelCase options override the properties', () => {
    const kafka = Kafka.fromProperties({
      'bootstrap.servers': 'localhost:9092',
      'linger.ms': '50',
      acks: '1',
    });
    const producer = kafka.producer({ lingerMs: 1, acks: 'all', idempotent: true });
    expect(producer.config.lingerMs).toBe(1);
    expect(producer.config.acks).toBe('all');
  });

  it('an unknown key is an error that names it and suggests the nearest valid one', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tskafka-props-'));
    const file = path.join(dir, 'bad.properties');
    writeFileSync(file, 'bootstrap.servers=localhost:9092\nlinger.sm=5\n');
    const error = (() => {
      try {
        Kafka.fromProperties(file).producer();
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toMatch(/linger\.sm/);
    expect(String(error)).toMatch(/linger\.ms/);
  });

  it('an ill-typed value is an error naming the key', () => {
    const kafka = new Kafka({ bootstrapServers: ['localhost:9092'] });
    expect(() => kafka.producer({ batchSize: -5 })).toThrow(/batchSize/);
    expect(() =>
      Kafka.fromProperties({ 'bootstrap.servers': 'localhost:9092', 'linger.ms': 'soon' }).producer(),
    ).toThrow(/linger\.ms/);
  });

  it('a typed producer takes only what its serializers accept', async () => {
    interface Order {
      id: number;
      total: number;
    }
    const kafka = new Kafka({ bootstrapServers: broker.bootstrapServers, clientId: 'typed' });
    const producer = kafka.producer({ valueSerializer: jsonSerializer<Order>(), keySerializer: 'string' });
    await producer.connect();
    const meta = await producer.send({ topic: 'typed', key: 'o1', value: { id: 1, total: 3 } });
    // @ts-expect-error: a string is not an Order
    const wrong = () => producer.send({ topic: 'typed', value: 'not an order' });
    expect(typeof wrong).toBe('function');
    await producer.close();
    expect(meta.offset).toBe(0);
    const [record] = await readTopicWithKcat(broker.bootstrapServers.join(','), 'typed');
    expect(JSON.parse(record.value)).toEqual({ id: 1, total: 3 });
  });
});
