/**
 * SASL OAUTHBEARER between the SDK (the transport's `mechanism: 'oauthbearer'` with a token
 * provider, as KafkaJS's `oauthBearerProvider`), KafkaJS 2.2.4 (a client we did not write) and
 * the reference broker, which validates tokens as Kafka's default unsecured JWS validator:
 * `alg: none`, the principal from `sub`, `exp` required and checked.
 */
import { Admin } from '@tskafka/admin';
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { silentLogger } from '@tskafka/transport';
import { Kafka, logLevel } from 'kafkajs';
import { Kafka as TsKafka } from 'tskafka';
import { Kafka as TsKafkaJs } from 'tskafka/kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';

/** An unsecured JWS (`header.claims.` with no signature), as librdkafka's unsecure.jwt makes one. */
function unsecuredJws(claims: Record<string, unknown>): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none' })}.${part(claims)}.`;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
let broker: RunningBroker;
let bootstrap: string;

beforeAll(async () => {
  broker = await startBroker({ config: { 'sasl.enabled.mechanisms': 'OAUTHBEARER' }, logLevel: 'error' });
  bootstrap = broker.bootstrapServers[0];
});

afterAll(async () => {
  await broker?.close();
});

it('authenticates the SDK with a token from its provider', async () => {
  const admin = new Admin({
    bootstrapServers: [bootstrap],
    sasl: {
      mechanism: 'oauthbearer',
      oauthBearerProvider: async () => ({ value: unsecuredJws({ sub: 'alice', exp: nowSeconds() + 60 }) }),
    },
  });
  try {
    await admin.createTopics([{ topic: 'oauth-sdk', numPartitions: 1, replicationFactor: 1 }]);
    expect(await admin.listTopics()).toContain('oauth-sdk');
  } finally {
    await admin.close();
  }
});

it('refuses an expired token with the broker JSON status in the error', async () => {
  const admin = new Admin({
    bootstrapServers: [bootstrap],
    defaultApiTimeoutMs: 2000,
    logger: silentLogger,
    sasl: {
      mechanism: 'OAUTHBEARER',
      oauthBearerProvider: () => ({ value: unsecuredJws({ sub: 'alice', exp: nowSeconds() - 10 }) }),
    },
  });
  try {
    await expect(admin.listTopics()).rejects.toThrow(/invalid_token/);
  } finally {
    await admin.close();
  }
});

it('authenticates KafkaJS with its oauthBearerProvider', async () => {
  const kafka = new Kafka({
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    sasl: {
      mechanism: 'oauthbearer',
      oauthBearerProvider: async () => ({
        value: unsecuredJws({ sub: 'bob', exp: nowSeconds() + 60, scope: 'kafka' }),
      }),
    },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic: 'oauth-kafkajs', numPartitions: 1 }] });
    expect(await admin.listTopics()).toContain('oauth-kafkajs');
  } finally {
    await admin.disconnect();
  }
});

it('authenticates tskafka/kafkajs with the same oauthBearerProvider', async () => {
  const kafka = new TsKafkaJs({
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    sasl: {
      mechanism: 'oauthbearer',
      oauthBearerProvider: async () => ({ value: unsecuredJws({ sub: 'carol', exp: nowSeconds() + 60 }) }),
    },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    expect(await admin.listTopics()).toContain('oauth-kafkajs');
  } finally {
    await admin.disconnect();
  }
});

it('authenticates from properties with the unsecured OAuthBearerLoginModule, as Java clients configure it', async () => {
  const admin = TsKafka.fromProperties({
    'bootstrap.servers': bootstrap,
    'security.protocol': 'SASL_PLAINTEXT',
    'sasl.mechanism': 'OAUTHBEARER',
    'sasl.jaas.config':
      'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="dave";',
  }).admin({ logger: silentLogger });
  try {
    expect(await admin.listTopics()).toContain('oauth-sdk');
  } finally {
    await admin.close();
  }
});
