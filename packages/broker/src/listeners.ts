/**
 * Listeners, as a Kafka broker has them: each its own port and security protocol
 * (`listeners=PLAINTEXT://:9092,SSL://:9093,SASL_SSL://:9094`), with `advertised.listeners`,
 * `listener.security.protocol.map`, `inter.broker.listener.name` and per-listener
 * `listener.name.<name>.ssl.*` overrides. This module turns the options and properties into one
 * resolved {@link ListenerSpec} per listener; `BrokerNode` opens them.
 */
import { readFileSync } from 'node:fs';
import type { SecureContextOptions } from 'node:tls';
import { type BrokerConfig, BrokerConfigError } from './config.js';
import { parseJaasServerConfig } from './sasl/jaas.js';

/** A listener's security protocol, as in Kafka's `listener.security.protocol.map`. */
export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
const PROTOCOLS: readonly SecurityProtocol[] = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];

/**
 * TLS material of an SSL or SASL_SSL listener, PEM text (Kafka's `ssl.keystore.key`,
 * `ssl.keystore.certificate.chain`, `ssl.truststore.certificates`, `ssl.client.auth`).
 */
export interface ListenerSslOptions {
  /** The private key, PEM. */
  key: string | Buffer;
  /** The certificate chain, PEM, the broker's own first. */
  cert: string | Buffer;
  /** CA certificates that client certificates (and, between brokers, broker certificates) are checked against, PEM. */
  ca?: string | Buffer;
  /** Passphrase of an encrypted `key` (Kafka's `ssl.key.password`). */
  passphrase?: string;
  /**
   * Mutual TLS (`ssl.client.auth`): `required` refuses clients without a certificate the `ca`
   * signed; `requested` asks for one and refuses only a bad one; `none` (default) asks for none.
   * A client certificate's subject, in RFC 2253 form, becomes the principal: `User:CN=...,O=...`.
   */
  clientAuth?: 'required' | 'requested' | 'none';
}

/** One listener of {@link StartBrokerOptions.listeners}. */
export interface ListenerOptions {
  /** The listener name, e.g. `PLAINTEXT`, `SSL`, `INTERNAL`. */
  name: string;
  /** The security protocol; default: the name when it is one, else `listener.security.protocol.map`'s entry. */
  securityProtocol?: SecurityProtocol;
  /** Host to bind (default: the broker's `host`, 127.0.0.1). */
  host?: string;
  /** Port to bind; 0 (default) picks a free one. */
  port?: number;
  /** Host clients are told in Metadata (default: the bound host; a wildcard bind advertises 127.0.0.1). */
  advertisedHost?: string;
  /** Port clients are told in Metadata (default: the bound port). */
  advertisedPort?: number;
  /** TLS material for SSL and SASL_SSL (default: the broker's `ssl` option, then its `ssl.*` properties). */
  ssl?: ListenerSslOptions;
  /** SASL mechanisms for SASL_PLAINTEXT and SASL_SSL (default: `sasl.enabled.mechanisms`, else PLAIN). */
  saslMechanisms?: string[];
}

/** A listener resolved: what to bind, what to advertise, and its security. */
export interface ListenerSpec {
  /** The listener name. */
  readonly name: string;
  /** Its security protocol. */
  readonly securityProtocol: SecurityProtocol;
  /** Host to bind. */
  readonly host: string;
  /** Port to bind (0: any). */
  readonly port: number;
  /** Advertised host. */
  readonly advertisedHost: string;
  /** Advertised port; 0 means the bound port. */
  readonly advertisedPort: number;
  /** TLS server options (SSL, SASL_SSL), else null. */
  readonly tls: (SecureContextOptions & { requestCert: boolean; rejectUnauthorized: boolean }) | null;
  /** `ssl.client.auth` of a TLS listener. */
  readonly clientAuth: 'required' | 'requested' | 'none';
  /** SASL mechanisms (SASL_PLAINTEXT, SASL_SSL), else empty. */
  readonly saslMechanisms: string[];
  /** SASL users: the broker's, plus this listener's JAAS `user_<name>` entries. */
  readonly saslUsers: Record<string, string>;
  /** The login this broker uses when it connects to this listener of another broker (JAAS `username`/`password`). */
  readonly interBrokerLogin: { username: string; password: string } | null;
}

/** What {@link resolveListeners} takes besides the configuration. */
export interface ResolveListenerOptions {
  /** Typed listeners, or Kafka's `listeners` string; over `config.listeners`. */
  listeners?: ListenerOptions[] | string;
  /** The broker's default host (bind and advertise). */
  host: string;
  /** The port of the single default listener, when there are no listeners. */
  port: number;
  /** Broker-wide TLS material (under a listener's own). */
  ssl?: ListenerSslOptions;
  /** Added to every non-zero port taken from a `listeners`/`advertised.listeners` string (broker i of a cluster). */
  portOffset?: number;
}

/** `NAME://host:port` entries, as Kafka writes `listeners` (IPv6 hosts in brackets). */
export function parseListenerList(
  text: string,
  property = 'listeners',
): { name: string; host: string; port: number }[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const m = /^([A-Za-z0-9_-]+):\/\/(\[[^\]]*\]|[^:/]*):(\d+)$/.exec(entry);
      if (!m) {
        throw new BrokerConfigError(
          `${property}: expected NAME://host:port (e.g. PLAINTEXT://:9092), got "${entry}"`,
        );
      }
      const port = Number(m[3]);
      if (port > 65535) throw new BrokerConfigError(`${property}: invalid port in "${entry}"`);
      return { name: m[1].toUpperCase(), host: m[2].replace(/^\[|\]$/g, ''), port };
    });
}

function parseProtocolMap(text: string): Map<string, SecurityProtocol> {
  const map = new Map<string, SecurityProtocol>();
  for (const pair of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [name, protocol] = pair.split(':').map((s) => s.trim().toUpperCase());
    if (!name || !PROTOCOLS.includes(protocol as SecurityProtocol)) {
      throw new BrokerConfigError(
        `listener.security.protocol.map: expected NAME:PROTOCOL with PROTOCOL one of ${PROTOCOLS.join(', ')}, got "${pair}"`,
      );
    }
    map.set(name, protocol as SecurityProtocol);
  }
  return map;
}

const isWildcard = (host: string) => host === '0.0.0.0' || host === '::';

/**
 * The broker's listeners. Without `listeners` (option or property) there is one, on `host:port`,
 * named PLAINTEXT, or SASL_PLAINTEXT when `sasl.enabled.mechanisms` is set (what a single-port
 * broker always was). Throws {@link BrokerConfigError} naming what is missing or wrong.
 */
export function resolveListeners(config: BrokerConfig, o: ResolveListenerOptions): ListenerSpec[] {
  const offset = o.portOffset ?? 0;
  const shift = (port: number) => (port === 0 ? 0 : port + offset);
  let entries: ListenerOptions[];
  if (Array.isArray(o.listeners)) {
    entries = o.listeners.map((l) => ({
      ...l,
      name: l.name.toUpperCase(),
      port: shift(l.port ?? 0),
      ...(l.advertisedPort === undefined ? {} : { advertisedPort: shift(l.advertisedPort) }),
    }));
  } else {
    const text = o.listeners ?? config.listeners;
    entries = text
      ? parseListenerList(text).map((l) => ({ name: l.name, host: l.host || undefined, port: shift(l.port) }))
      : [
          {
            name: config.saslEnabledMechanisms.length ? 'SASL_PLAINTEXT' : 'PLAINTEXT',
            host: o.host,
            port: o.port,
          },
        ];
  }
  if (entries.length === 0) throw new BrokerConfigError('listeners: at least one listener is needed');
  const advertised = new Map(
    parseListenerList(config.advertisedListeners, 'advertised.listeners').map((a) => [a.name, a]),
  );
  for (const name of advertised.keys()) {
    if (!entries.some((e) => e.name === name)) {
      throw new BrokerConfigError(`advertised.listeners: ${name} is not one of the listeners`);
    }
  }
  const protocolMap = parseProtocolMap(config.listenerSecurityProtocolMap);
  const seen = new Set<string>();
  const specs = entries.map((e): ListenerSpec => {
    if (seen.has(e.name)) throw new BrokerConfigError(`listeners: ${e.name} is listed twice`);
    seen.add(e.name);
    const securityProtocol = e.securityProtocol ?? protocolMap.get(e.name);
    if (!securityProtocol) {
      throw new BrokerConfigError(
        `listener ${e.name} has no security protocol: add ${e.name}:PLAINTEXT (or SSL, SASL_PLAINTEXT, SASL_SSL) to listener.security.protocol.map`,
      );
    }
    const host = e.host ?? o.host;
    const port = e.port ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new BrokerConfigError(`listener ${e.name}: invalid port ${port}`);
    }
    const adv = advertised.get(e.name);
    const advertisedHost =
      e.advertisedHost ??
      (adv?.host || (isWildcard(host) ? (isWildcard(o.host) ? '127.0.0.1' : o.host) : host));
    const advertisedPort = e.advertisedPort ?? (adv ? shift(adv.port) : 0);
    const overrides = config.listenerOverrides[e.name.toLowerCase()] ?? {};
    const tlsListener = securityProtocol === 'SSL' || securityProtocol === 'SASL_SSL';
    const saslListener = securityProtocol === 'SASL_PLAINTEXT' || securityProtocol === 'SASL_SSL';
    const ssl = tlsListener
      ? (e.ssl ?? sslFromProperties(config, overrides, e.name) ?? withClientAuth(o.ssl, overrides, config))
      : undefined;
    if (tlsListener && !ssl) {
      throw new BrokerConfigError(
        `listener ${e.name} (${securityProtocol}) needs a certificate and key: set ssl.keystore.location (a PEM file holding both), or ssl.keystore.certificate.chain and ssl.keystore.key`,
      );
    }
    const clientAuth = ssl?.clientAuth ?? 'none';
    if (ssl && clientAuth !== 'none' && !ssl.ca) {
      throw new BrokerConfigError(
        `listener ${e.name}: ssl.client.auth=${clientAuth} needs the CA certificates to check clients against (ssl.truststore.location or ssl.truststore.certificates)`,
      );
    }
    let saslMechanisms: string[] = [];
    const saslUsers = { ...config.saslUsers };
    let interBrokerLogin: ListenerSpec['interBrokerLogin'] = null;
    if (saslListener) {
      const override = overrides['sasl.enabled.mechanisms'];
      saslMechanisms =
        e.saslMechanisms ??
        (override !== undefined
          ? override
              .split(',')
              .map((m) => m.trim())
              .filter(Boolean)
          : config.saslEnabledMechanisms);
      // Kafka's default is GSSAPI, which needs Kerberos; PLAIN is what a test broker wants.
      if (saslMechanisms.length === 0) saslMechanisms = ['PLAIN'];
      for (const [key, value] of Object.entries(overrides)) {
        if (!key.endsWith('.sasl.jaas.config')) continue;
        const jaas = parseJaasServerConfig(value, `listener.name.${e.name.toLowerCase()}.${key}`);
        Object.assign(saslUsers, jaas.users);
        interBrokerLogin ??= jaas.login;
      }
    }
    return {
      name: e.name,
      securityProtocol,
      host,
      port,
      advertisedHost,
      advertisedPort,
      tls: ssl
        ? {
            key: ssl.key,
            cert: ssl.cert,
            ...(ssl.ca ? { ca: ssl.ca } : {}),
            ...(ssl.passphrase ? { passphrase: ssl.passphrase } : {}),
            requestCert: clientAuth !== 'none',
            // `requested` accepts a client without a certificate; Connection refuses a bad one.
            rejectUnauthorized: clientAuth === 'required',
          }
        : null,
      clientAuth,
      saslMechanisms,
      saslUsers,
      interBrokerLogin,
    };
  });
  const ports = specs.filter((s) => s.port !== 0).map((s) => s.port);
  const dup = ports.find((p, i) => ports.indexOf(p) !== i);
  if (dup !== undefined) throw new BrokerConfigError(`listeners: port ${dup} is used by two listeners`);
  return specs;
}

/** The listener brokers connect to each other on (Kafka's `inter.broker.listener.name`). */
export function interBrokerListener(config: BrokerConfig, specs: ListenerSpec[]): ListenerSpec {
  const name = config.interBrokerListenerName.toUpperCase();
  if (name) {
    const spec = specs.find((s) => s.name === name);
    if (!spec) {
      throw new BrokerConfigError(
        `inter.broker.listener.name: ${name} is not one of the listeners (${specs.map((s) => s.name).join(', ')})`,
      );
    }
    return spec;
  }
  // Kafka's default is security.inter.broker.protocol=PLAINTEXT; without such a listener, the first.
  return specs.find((s) => s.securityProtocol === 'PLAINTEXT') ?? specs[0];
}

/** The broker-wide typed TLS material, with `ssl.client.auth` from the listener's override or the property. */
function withClientAuth(
  ssl: ListenerSslOptions | undefined,
  overrides: Record<string, string>,
  config: BrokerConfig,
): ListenerSslOptions | undefined {
  if (!ssl) return undefined;
  const property =
    overrides['ssl.client.auth'] ?? (config.sslClientAuth === 'none' ? undefined : config.sslClientAuth);
  return property ? { ...ssl, clientAuth: property as ListenerSslOptions['clientAuth'] } : ssl;
}

/**
 * Brokers of a cluster connect to each other on the inter-broker listener: over TLS they check
 * each other's certificates, so they need a truststore; over SASL, a login.
 */
export function checkInterBrokerSecurity(config: BrokerConfig, specs: ListenerSpec[]): void {
  const inter = interBrokerListener(config, specs);
  if (inter.tls && !inter.tls.ca) {
    throw new BrokerConfigError(
      `inter-broker listener ${inter.name} uses TLS: brokers check each other's certificates against ssl.truststore.* (or the listener's ssl.ca), which is not set; set it, or name a PLAINTEXT listener in inter.broker.listener.name`,
    );
  }
  if (
    inter.saslMechanisms.length > 0 &&
    (!inter.interBrokerLogin || !inter.saslMechanisms.includes('PLAIN'))
  ) {
    throw new BrokerConfigError(
      `inter-broker listener ${inter.name} uses SASL: brokers log in to each other with PLAIN and the username/password of listener.name.${inter.name.toLowerCase()}.plain.sasl.jaas.config; set it, or name another listener in inter.broker.listener.name`,
    );
  }
}

/** TLS material from `ssl.*` properties, a listener's `listener.name.<name>.ssl.*` first; undefined when none is set. */
function sslFromProperties(
  config: BrokerConfig,
  overrides: Record<string, string>,
  listener: string,
): ListenerSslOptions | undefined {
  const prop = (name: string, base: string): string => overrides[name] ?? base;
  const read = (name: string, path: string): string => {
    try {
      return readFileSync(path, 'utf8');
    } catch (e) {
      throw new BrokerConfigError(`${name}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`);
    }
  };
  const keystore = prop('ssl.keystore.location', config.sslKeystoreLocation);
  const chain = prop('ssl.keystore.certificate.chain', config.sslKeystoreCertificateChain);
  const keyText = prop('ssl.keystore.key', config.sslKeystoreKey);
  const truststore = prop('ssl.truststore.location', config.sslTruststoreLocation);
  const trusted = prop('ssl.truststore.certificates', config.sslTruststoreCertificates);
  const passphrase = prop('ssl.key.password', config.sslKeyPassword);
  const clientAuth = prop('ssl.client.auth', config.sslClientAuth) as ListenerSslOptions['clientAuth'];
  let key = keyText;
  let cert = chain;
  if (keystore) {
    // A PEM keystore file holds the key and the chain; Node picks each out of the same text.
    const pem = read('ssl.keystore.location', keystore);
    key ||= pem;
    cert ||= pem;
  }
  if (!key && !cert) return undefined;
  if (!key || !cert) {
    throw new BrokerConfigError(
      `listener ${listener}: ssl.keystore.certificate.chain and ssl.keystore.key go together; one is missing`,
    );
  }
  const ca = trusted || (truststore ? read('ssl.truststore.location', truststore) : undefined);
  return {
    key,
    cert,
    ...(ca ? { ca } : {}),
    ...(passphrase ? { passphrase } : {}),
    clientAuth,
  };
}

/**
 * Kafka's principal for a TLS client certificate: `User:` and the subject distinguished name in
 * RFC 2253 form (Java's `X500Principal.getName()`): most specific part first, `CN=...,O=...,C=...`.
 * Node lists the subject's parts in certificate order, one per line, already escaped.
 */
export function certificatePrincipal(subject: string): string {
  return `User:${subject.split('\n').filter(Boolean).reverse().join(',')}`;
}
