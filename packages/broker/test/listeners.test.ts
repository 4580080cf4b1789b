/**
 * Resolving a broker's listeners from options and Kafka's properties: `listeners`,
 * `advertised.listeners`, `listener.security.protocol.map`, `inter.broker.listener.name`,
 * `listener.name.<name>.*` overrides, and the broker's JAAS users. No sockets: the resolved specs.
 */
import { describe, expect, it } from 'vitest';
import { BrokerConfigError, parseBrokerConfig } from '../src/config.js';
import {
  checkInterBrokerSecurity,
  interBrokerListener,
  parseListenerList,
  resolveListeners,
} from '../src/listeners.js';
import { parseJaasServerConfig } from '../src/sasl/jaas.js';

// Not PEM: nothing here opens a TLS server, so the material is only carried through.
const SSL = { key: 'KEY', cert: 'CERT', ca: 'CA' };
const resolve = (
  props: Record<string, string | number> = {},
  extra: Partial<Parameters<typeof resolveListeners>[1]> = {},
) => resolveListeners(parseBrokerConfig(props), { host: '127.0.0.1', port: 0, ...extra });

describe('listeners', () => {
  it('parses Kafka listener strings, IPv6 in brackets included', () => {
    expect(parseListenerList('PLAINTEXT://:9092, ssl://localhost:9093,EXTERNAL://[::1]:9094')).toEqual([
      { name: 'PLAINTEXT', host: '', port: 9092 },
      { name: 'SSL', host: 'localhost', port: 9093 },
      { name: 'EXTERNAL', host: '::1', port: 9094 },
    ]);
    expect(() => parseListenerList('PLAINTEXT:9092')).toThrow(/expected NAME:\/\/host:port/);
  });

  it('without listeners: one on host:port, PLAINTEXT, or SASL_PLAINTEXT when SASL is enabled (as before)', () => {
    expect(resolve({}, { port: 9092 }).map((l) => [l.name, l.securityProtocol, l.host, l.port])).toEqual([
      ['PLAINTEXT', 'PLAINTEXT', '127.0.0.1', 9092],
    ]);
    const [sasl] = resolve({ 'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256' });
    expect([sasl.name, sasl.securityProtocol, sasl.saslMechanisms]).toEqual([
      'SASL_PLAINTEXT',
      'SASL_PLAINTEXT',
      ['PLAIN', 'SCRAM-SHA-256'],
    ]);
  });

  it('maps names to protocols through listener.security.protocol.map, and says what is missing', () => {
    const specs = resolve(
      {
        listeners: 'INTERNAL://:0,EXTERNAL://0.0.0.0:0',
        'listener.security.protocol.map': 'INTERNAL:PLAINTEXT,EXTERNAL:SASL_SSL',
        'advertised.listeners': 'EXTERNAL://kafka.example.com:9094',
      },
      { ssl: SSL },
    );
    expect(
      specs.map((l) => [l.name, l.securityProtocol, l.host, l.advertisedHost, l.advertisedPort]),
    ).toEqual([
      ['INTERNAL', 'PLAINTEXT', '127.0.0.1', '127.0.0.1', 0],
      ['EXTERNAL', 'SASL_SSL', '0.0.0.0', 'kafka.example.com', 9094],
    ]);
    expect(() => resolve({ listeners: 'CLIENT://:0' })).toThrow(
      /listener CLIENT has no security protocol: add CLIENT:PLAINTEXT .* to listener.security.protocol.map/,
    );
    expect(() => resolve({ listeners: 'SSL://:0' })).toThrow(/SSL \(SSL\) needs a certificate and key/);
    expect(() => resolve({ listeners: 'PLAINTEXT://:9092,SSL://:9092' }, { ssl: SSL })).toThrow(
      /port 9092 is used by two listeners/,
    );
    expect(() => resolve({ listeners: 'PLAINTEXT://:0', 'advertised.listeners': 'SSL://h:1' })).toThrow(
      /advertised.listeners: SSL is not one of the listeners/,
    );
  });

  it('offsets the ports of broker i of a cluster by i', () => {
    const specs = resolve({ listeners: 'PLAINTEXT://:9092,SSL://:9192' }, { ssl: SSL, portOffset: 2 });
    expect(specs.map((l) => l.port)).toEqual([9094, 9194]);
  });

  it('applies listener.name.<name>.* overrides to that listener only', () => {
    const specs = resolve(
      {
        listeners: 'SSL://:0,CLIENTS://:0',
        'listener.security.protocol.map': 'SSL:SSL,CLIENTS:SASL_SSL',
        'listener.name.ssl.ssl.client.auth': 'required',
        'listener.name.clients.sasl.enabled.mechanisms': 'SCRAM-SHA-512',
        'listener.name.clients.scram-sha-512.sasl.jaas.config':
          'org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="b-secret" user_carol="carol-secret";',
      },
      { ssl: SSL },
    );
    expect(specs.map((l) => [l.name, l.clientAuth, l.tls?.requestCert, l.tls?.rejectUnauthorized])).toEqual([
      ['SSL', 'required', true, true],
      ['CLIENTS', 'none', false, false],
    ]);
    expect(specs[1].saslMechanisms).toEqual(['SCRAM-SHA-512']);
    expect(specs[1].saslUsers).toEqual({ carol: 'carol-secret' });
    expect(specs[1].interBrokerLogin).toEqual({ username: 'broker', password: 'b-secret' });
    expect(() => parseBrokerConfig({ 'listener.name.ssl.num.partitions': 3 })).toThrow(
      /a listener may override ssl\.\*, sasl\.enabled\.mechanisms and <mechanism>\.sasl\.jaas\.config/,
    );
    expect(() => parseBrokerConfig({ 'listener.name.ssl.ssl.client.auth': 'always' })).toThrow(
      /expected required, requested or none/,
    );
  });

  it('requires a truststore for mutual TLS, and only PEM stores', () => {
    expect(() =>
      resolve({ listeners: 'SSL://:0', 'ssl.client.auth': 'required' }, { ssl: { key: 'K', cert: 'C' } }),
    ).toThrow(/ssl.client.auth=required needs the CA certificates/);
    expect(() => parseBrokerConfig({ 'ssl.keystore.type': 'JKS' })).toThrow(/only PEM is supported/);
  });

  it('inter.broker.listener.name: as named, else the PLAINTEXT listener, else the first', () => {
    const config = parseBrokerConfig({ listeners: 'SSL://:0,PLAINTEXT://:0' });
    const specs = resolveListeners(config, { host: '127.0.0.1', port: 0, ssl: SSL });
    expect(interBrokerListener(config, specs).name).toBe('PLAINTEXT');
    const named = parseBrokerConfig({
      listeners: 'SSL://:0,PLAINTEXT://:0',
      'inter.broker.listener.name': 'SSL',
    });
    expect(interBrokerListener(named, specs).name).toBe('SSL');
    const wrong = parseBrokerConfig({ 'inter.broker.listener.name': 'REPLICATION' });
    expect(() => interBrokerListener(wrong, specs)).toThrow(
      /REPLICATION is not one of the listeners \(SSL, PLAINTEXT\)/,
    );
  });
  it('a cluster whose brokers meet over TLS needs a truststore, and over SASL a login', () => {
    const tlsConfig = parseBrokerConfig({ listeners: 'SSL://:0' });
    const noCa = resolveListeners(tlsConfig, { host: '127.0.0.1', port: 0, ssl: { key: 'K', cert: 'C' } });
    expect(() => checkInterBrokerSecurity(tlsConfig, noCa)).toThrow(
      /inter-broker listener SSL uses TLS: .*ssl.truststore/,
    );
    const saslConfig = parseBrokerConfig({ listeners: 'SASL_PLAINTEXT://:0' });
    const noLogin = resolveListeners(saslConfig, { host: '127.0.0.1', port: 0 });
    expect(() => checkInterBrokerSecurity(saslConfig, noLogin)).toThrow(
      /listener.name.sasl_plaintext.plain.sasl.jaas.config/,
    );
  });
});

describe('JAAS for the broker', () => {
  it("reads a KafkaServer section's users and login, skipping other sections and comments", () => {
    const text = `
      // the client side, not ours
      KafkaClient { org.apache.kafka.common.security.plain.PlainLoginModule required username="x" password="y"; };
      KafkaServer {
        /* users */ org.apache.kafka.common.security.plain.PlainLoginModule required
          username="admin" password="admin-secret"
          user_admin="admin-secret"
          user_alice="al\\"ice";
      };`;
    expect(parseJaasServerConfig(text)).toEqual({
      users: { admin: 'admin-secret', alice: 'al"ice' },
      login: { username: 'admin', password: 'admin-secret' },
    });
  });

  it('never echoes a value in its errors (they are passwords)', () => {
    const errors = [
      'KafkaServer { PlainLoginModule required user_alice="s3cr3t" };',
      'PlainLoginModule required user_alice "s3cr3t";',
      'KafkaClient { PlainLoginModule required user_alice="s3cr3t"; };',
    ].map((t) => {
      try {
        parseJaasServerConfig(t);
        return null;
      } catch (e) {
        return e;
      }
    });
    for (const e of errors) {
      expect(e).toBeInstanceOf(BrokerConfigError);
      expect((e as Error).message).not.toContain('s3cr3t');
    }
  });
});
