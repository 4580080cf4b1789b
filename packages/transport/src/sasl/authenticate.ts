/**
 * The client side of Kafka's SASL exchange over a fresh connection (after ApiVersions): one
 * SaslHandshake (v1+) naming the mechanism, then SaslAuthenticate requests carrying the
 * mechanism's tokens, as Java's `SaslClientAuthenticator` does.
 *
 * @module
 */

import { createKafkaError } from '@tskafka/protocol';
import { Api, type ApiDef, type MessageInput, type MessageValue } from '@tskafka/protocol/internals';
import { SaslAuthenticationError } from '../errors.js';
import type { OAuthBearerSaslOptions, OAuthBearerToken, SaslOptions } from '../options.js';
import { plainAuthBytes } from './plain.js';
import { ScramClient, type ScramHash } from './scram.js';

/** What the SASL exchange needs from a connection: a request with the negotiated version. */
export interface SaslTransport {
  /** The broker, for error messages. */
  readonly broker: string;
  /** Sends a request during connection setup (at least `minVersion`) and resolves with its response. */
  setupRequest<A extends ApiDef>(
    api: A,
    body: MessageInput<A['request']>,
    minVersion: number,
  ): Promise<MessageValue<A['response']>>;
}

const SCRAM_HASH: Record<string, ScramHash> = { 'SCRAM-SHA-256': 'sha256', 'SCRAM-SHA-512': 'sha512' };

/** Runs the whole exchange; throws {@link SaslAuthenticationError} when the broker refuses. */
export async function authenticateSasl(t: SaslTransport, sasl: SaslOptions): Promise<void> {
  const mechanism = sasl.mechanism.toUpperCase();
  const hash = SCRAM_HASH[mechanism];
  const who = 'username' in sasl ? `user "${sasl.username}"` : 'the token';
  if (mechanism !== 'PLAIN' && mechanism !== 'OAUTHBEARER' && hash === undefined) {
    throw new SaslAuthenticationError(`unsupported SASL mechanism "${sasl.mechanism}"`, mechanism, {
      broker: t.broker,
    });
  }
  const handshake = await t.setupRequest(Api.SaslHandshake, { mechanism }, 1);
  if (handshake.errorCode !== 0) {
    const kafkaError = createKafkaError(handshake.errorCode, { broker: t.broker, apiName: 'SaslHandshake' });
    const offered = handshake.mechanisms.length === 0 ? 'none' : handshake.mechanisms.join(', ');
    throw new SaslAuthenticationError(
      `the broker does not enable SASL mechanism ${mechanism} (it offers: ${offered})`,
      mechanism,
      { broker: t.broker, apiName: 'SaslHandshake', kafkaError },
    );
  }
  const exchange = async (authBytes: Buffer): Promise<Buffer> => {
    const res = await t.setupRequest(Api.SaslAuthenticate, { authBytes }, 0);
    if (res.errorCode !== 0) {
      const kafkaError = createKafkaError(res.errorCode, {
        broker: t.broker,
        apiName: 'SaslAuthenticate',
        message: res.errorMessage,
      });
      throw new SaslAuthenticationError(
        `SASL ${mechanism} authentication of ${who} failed: ${kafkaError.description}`,
        mechanism,
        { broker: t.broker, apiName: 'SaslAuthenticate', kafkaError },
      );
    }
    return res.authBytes;
  };
  if (!('username' in sasl)) {
    await authenticateOAuthBearer(t, sasl, mechanism, exchange);
    return;
  }
  if (hash === undefined) {
    await exchange(plainAuthBytes(sasl.username, sasl.password));
    return;
  }
  const scram = new ScramClient({ hash, username: sasl.username, password: sasl.password });
  // The SCRAM client's own failures (bad server signature, ...) gain the broker here.
  const local = <T>(step: () => T): T => {
    try {
      return step();
    } catch (e) {
      if (!(e instanceof SaslAuthenticationError)) throw e;
      throw new SaslAuthenticationError(e.message, mechanism, {
        broker: t.broker,
        apiName: 'SaslAuthenticate',
      });
    }
  };
  const serverFirst = await exchange(local(() => scram.firstMessage()));
  const serverFinal = await exchange(local(() => scram.finalMessage(serverFirst)));
  local(() => scram.verifyServerFinal(serverFinal));
}

/**
 * OAUTHBEARER (RFC 7628) as Java's `OAuthBearerSaslClient`: the client-first message
 * `n,,\x01auth=Bearer <token>\x01[key=value\x01]*\x01`; a broker that refuses the token
 * answers with a JSON error (`{"status":"invalid_token"}`), to which the client replies with a
 * lone `\x01`, and the broker then fails the exchange with an error the caller sees.
 */
async function authenticateOAuthBearer(
  t: SaslTransport,
  sasl: OAuthBearerSaslOptions,
  mechanism: string,
  exchange: (authBytes: Buffer) => Promise<Buffer>,
): Promise<void> {
  let token: OAuthBearerToken;
  try {
    token = await sasl.oauthBearerProvider();
  } catch (e) {
    throw new SaslAuthenticationError(
      `the OAUTHBEARER token provider failed: ${(e as Error).message}`,
      mechanism,
      {
        broker: t.broker,
        cause: e,
      },
    );
  }
  if (typeof token?.value !== 'string' || token.value === '') {
    throw new SaslAuthenticationError('the OAUTHBEARER token provider returned no token value', mechanism, {
      broker: t.broker,
    });
  }
  const extensions = Object.entries(token.extensions ?? {})
    .map(([k, v]) => `${k}=${v}\x01`)
    .join('');
  const challenge = await exchange(
    Buffer.from(`n,,\x01auth=Bearer ${token.value}\x01${extensions}\x01`, 'utf8'),
  );
  if (challenge.length === 0) return;
  // The broker refused the token and said why in JSON; acknowledging it makes it fail the exchange.
  await exchange(Buffer.from([0x01]));
  throw new SaslAuthenticationError(
    `SASL OAUTHBEARER authentication failed: ${challenge.toString('utf8')}`,
    mechanism,
    { broker: t.broker, apiName: 'SaslAuthenticate' },
  );
}
