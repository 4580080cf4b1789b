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
import type { SaslOptions } from '../options.js';
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
  if (mechanism !== 'PLAIN' && hash === undefined) {
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
        `SASL ${mechanism} authentication of user "${sasl.username}" failed: ${kafkaError.description}`,
        mechanism,
        { broker: t.broker, apiName: 'SaslAuthenticate', kafkaError },
      );
    }
    return res.authBytes;
  };
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
