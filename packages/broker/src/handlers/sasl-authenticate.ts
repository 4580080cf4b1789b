/**
 * SaslAuthenticate (API key 36), versions 0-2: carries one SASL token of the exchange that
 * SaslHandshake v1 started, and the mechanism's answer back. A refusal is answered with
 * SASL_AUTHENTICATION_FAILED and Kafka's message, then the connection closes, as Kafka does.
 */
import { Api } from '@tskafka/protocol/internals';
import { defineHandler } from '../handler.js';
import { respondThenClose } from '../sasl.js';

/** The SaslAuthenticate handler. */
export const saslAuthenticateHandler = defineHandler({
  api: Api.SaslAuthenticate,
  minVersion: 0,
  maxVersion: 2,
  beforeAuthentication: true,
  handle(ctx, request) {
    const outcome = ctx.connection.sasl.authenticate(ctx.connection, request.authBytes);
    const body = {
      errorCode: outcome.errorCode,
      errorMessage: outcome.errorMessage,
      authBytes: outcome.authBytes,
      // v1+: 0 means the session never expires, so clients do not re-authenticate (KIP-368);
      // Kafka answers 0 unless connections.max.reauth.ms is set.
      sessionLifetimeMs: 0,
    };
    return outcome.closeReason === null
      ? body
      : respondThenClose(ctx, Api.SaslAuthenticate, body, outcome.closeReason);
  },
  errorResponse: (_request, errorCode) => ({
    errorCode,
    errorMessage: null,
    authBytes: Buffer.alloc(0),
    sessionLifetimeMs: 0,
  }),
});
