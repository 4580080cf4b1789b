/**
 * SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677) on the server side, as Apache Kafka's
 * `ScramSaslServer` implements them: two round trips, credentials stored as salt, iterations,
 * StoredKey and ServerKey (never the password), failures that tell the client nothing about why.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { ErrorCode } from '@tskafka/protocol';
import {
  genericSaslFailureMessage,
  SaslAuthenticationError,
  type SaslServerSession,
  SaslServerState,
} from './session.js';

/** The SCRAM mechanisms the broker offers. */
export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

/** The hash behind each mechanism, its output size, and Kafka's minimum iteration count. */
export const SCRAM_MECHANISMS: Record<
  ScramMechanism,
  { hash: 'sha256' | 'sha512'; keyLength: number; minIterations: number }
> = {
  // Kafka's ScramMechanism enum: 4096 is the minimum for both (RFC 7677 recommends at least 4096).
  'SCRAM-SHA-256': { hash: 'sha256', keyLength: 32, minIterations: 4096 },
  'SCRAM-SHA-512': { hash: 'sha512', keyLength: 64, minIterations: 4096 },
};

/** Whether `name` is one of the SCRAM mechanisms. */
export function isScramMechanism(name: string): name is ScramMechanism {
  return name === 'SCRAM-SHA-256' || name === 'SCRAM-SHA-512';
}

/**
 * What the broker stores per user and mechanism (Kafka's `ScramCredential`, what
 * `kafka-configs --add-config 'SCRAM-SHA-256=[password=...]'` writes): enough to verify a client
 * proof and to prove the server knows the password, without the password itself.
 */
export interface ScramCredential {
  /** The random salt. */
  readonly salt: Buffer;
  /** PBKDF2 iterations. */
  readonly iterations: number;
  /** `H(HMAC(SaltedPassword, "Client Key"))`. */
  readonly storedKey: Buffer;
  /** `HMAC(SaltedPassword, "Server Key")`. */
  readonly serverKey: Buffer;
}

/** Derives the stored credential for `password` (RFC 5802 section 3). */
export function scramCredential(
  mechanism: ScramMechanism,
  password: string,
  salt: Buffer,
  iterations: number,
): ScramCredential {
  const { hash, keyLength } = SCRAM_MECHANISMS[mechanism];
  // Kafka does not SASLprep the password: it takes its UTF-8 bytes, and so do its clients.
  const saltedPassword = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, keyLength, hash);
  return scramCredentialFromSaltedPassword(mechanism, saltedPassword, salt, iterations);
}

/**
 * The stored credential from a salted password (`Hi(password, salt, i)`), which is what
 * AlterUserScramCredentials carries: the broker never sees the password itself.
 */
export function scramCredentialFromSaltedPassword(
  mechanism: ScramMechanism,
  saltedPassword: Buffer,
  salt: Buffer,
  iterations: number,
): ScramCredential {
  const { hash } = SCRAM_MECHANISMS[mechanism];
  const clientKey = hmac(hash, saltedPassword, 'Client Key');
  return {
    salt,
    iterations,
    storedKey: createHash(hash).update(clientKey).digest(),
    serverKey: hmac(hash, saltedPassword, 'Server Key'),
  };
}

/** A server nonce: printable, comma-free, unguessable. */
export function randomScramNonce(): string {
  return randomBytes(24).toString('base64');
}

/** How a {@link ScramSaslServer} finds users and makes nonces. */
export interface ScramServerOptions {
  /** The stored credential of `username` for this mechanism, or undefined for an unknown user. */
  credential(username: string): ScramCredential | undefined;
  /** The server's part of the nonce; random unless a test needs a known exchange. */
  serverNonce?: () => string;
}

// RFC 5802 grammar, as strict as Kafka's ScramMessages patterns. `printable` excludes ','.
const PRINTABLE = '[\\x21-\\x2b\\x2d-\\x7e]+';
const BASE64 = '[A-Za-z0-9+/]+={0,2}';
const EXTENSIONS = '((?:,[A-Za-z]+=[^,]*)*)';
/** gs2-header, then client-first-message-bare: `n=saslname,r=nonce[,extensions]`. */
const CLIENT_FIRST = new RegExp(`^(n|y),(?:a=([^,]*))?,(m=[^,]*,)?n=([^,]+),r=(${PRINTABLE})${EXTENSIONS}$`);
/** `c=cbind,r=nonce[,extensions],p=proof`. */
const CLIENT_FINAL = new RegExp(`^c=(${BASE64}),r=(${PRINTABLE})${EXTENSIONS},p=(${BASE64})$`);

/**
 * One SCRAM exchange: client-first → server-first, client-final → server-final. Every failure
 * moves to {@link SaslServerState.Failed}; a failed or finished exchange accepts nothing more.
 */
export class ScramSaslServer implements SaslServerSession {
  /** The mechanism of this exchange. */
  readonly mechanism: ScramMechanism;
  /** Where the exchange stands. */
  state: SaslServerState = SaslServerState.ReceiveClientFirstMessage;
  /** The authenticated user, once the client proof checked out. */
  authorizationId: string | null = null;
  private readonly options: ScramServerOptions;
  private username = '';
  private credential: ScramCredential | null = null;
  private gs2Header = '';
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';

  /** A fresh exchange for `mechanism`. */
  constructor(mechanism: ScramMechanism, options: ScramServerOptions) {
    this.mechanism = mechanism;
    this.options = options;
  }

  /** Consumes the client's next message and returns the server's; throws {@link SaslAuthenticationError}. */
  evaluate(token: Buffer): Buffer {
    try {
      switch (this.state) {
        case SaslServerState.ReceiveClientFirstMessage:
          return Buffer.from(this.receiveClientFirst(token.toString('utf8')), 'utf8');
        case SaslServerState.ReceiveClientFinalMessage:
          return Buffer.from(this.receiveClientFinal(token.toString('utf8')), 'utf8');
        default:
          throw new SaslAuthenticationError(
            ErrorCode.ILLEGAL_SASL_STATE,
            `Unexpected SASL request in state ${this.state}`,
          );
      }
    } catch (e) {
      // Like Kafka's clearCredentials(): a failed exchange keeps nothing a later token could use.
      this.state = SaslServerState.Failed;
      this.credential = null;
      throw e;
    }
  }

  private receiveClientFirst(message: string): string {
    const m = CLIENT_FIRST.exec(message);
    if (!m) throw this.invalid(`invalid SCRAM client-first message: ${JSON.stringify(message)}`);
    const [, cbindFlag, authzid, reserved, saslName, clientNonce, extensions] = m;
    // RFC 5802: a server that does not understand a mandatory extension (m=) must fail.
    if (reserved) throw this.invalid('SCRAM client-first message carries a mandatory extension (m=)');
    // Delegation tokens (KIP-48) authenticate with tokenauth=true; this broker issues none, so a
    // token id is never a user here. Refusing says so instead of failing on an unknown "user".
    if (parseExtensions(extensions).get('tokenauth') === 'true') {
      throw this.invalid('SCRAM delegation-token authentication (tokenauth=true) is not supported');
    }
    const username = unescapeSaslName(saslName);
    if (username === null) throw this.invalid(`invalid SCRAM username ${JSON.stringify(saslName)}`);
    const credential = this.options.credential(username);
    // Kafka fails at once for an unknown user, with the same message as for a wrong password.
    if (!credential) throw this.invalid(`unknown SCRAM user ${JSON.stringify(username)}`);
    if (authzid !== undefined && authzid !== '' && authzid !== username) {
      // Kafka reports this one to the client as it is (a SaslAuthenticationException).
      throw new SaslAuthenticationError(
        ErrorCode.SASL_AUTHENTICATION_FAILED,
        'Authentication failed: Client requested an authorization id that is different from username',
      );
    }
    const min = SCRAM_MECHANISMS[this.mechanism].minIterations;
    if (credential.iterations < min) {
      throw this.invalid(
        `iterations ${credential.iterations} is less than the minimum ${min} for ${this.mechanism}`,
      );
    }
    this.username = username;
    this.credential = credential;
    this.gs2Header = `${cbindFlag},${authzid !== undefined ? `a=${authzid}` : ''},`;
    this.clientFirstBare = message.slice(this.gs2Header.length);
    this.nonce = clientNonce + (this.options.serverNonce ?? randomScramNonce)();
    this.serverFirst = `r=${this.nonce},s=${credential.salt.toString('base64')},i=${credential.iterations}`;
    this.state = SaslServerState.ReceiveClientFinalMessage;
    return this.serverFirst;
  }

  private receiveClientFinal(message: string): string {
    const credential = this.credential as ScramCredential;
    const m = CLIENT_FINAL.exec(message);
    if (!m) throw this.invalid(`invalid SCRAM client-final message: ${JSON.stringify(message)}`);
    const [, channelBinding, nonce, , proofBase64] = m;
    // RFC 5802 wants the nonce repeated exactly; Kafka checks only that it ends with it, because
    // librdkafka (2.0.x at least) sends its own nonce in front of the combined one. The proof
    // still covers whatever the client sent, so this loosens nothing the proof relies on.
    if (!nonce.endsWith(this.nonce)) {
      throw this.invalid('invalid client nonce in the SCRAM client-final message');
    }
    // Without channel binding, c= must carry the gs2 header sent in client-first ("biws" for "n,,").
    if (channelBinding !== Buffer.from(this.gs2Header, 'utf8').toString('base64')) {
      throw this.invalid('SCRAM channel binding does not match the client-first gs2 header');
    }
    const { hash, keyLength } = SCRAM_MECHANISMS[this.mechanism];
    const proof = Buffer.from(proofBase64, 'base64');
    if (proof.length !== keyLength) throw this.invalid(`SCRAM client proof of ${proof.length} bytes`);
    const withoutProof = message.slice(0, message.lastIndexOf(',p='));
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    // ClientKey = ClientProof XOR HMAC(StoredKey, AuthMessage); the proof holds iff H(ClientKey) = StoredKey.
    const clientSignature = hmac(hash, credential.storedKey, authMessage);
    const clientKey = Buffer.alloc(keyLength);
    for (let i = 0; i < keyLength; i++) clientKey[i] = proof[i] ^ clientSignature[i];
    const computedStoredKey = createHash(hash).update(clientKey).digest();
    if (!timingSafeEqual(computedStoredKey, credential.storedKey)) {
      throw this.invalid(`invalid SCRAM client proof for user ${JSON.stringify(this.username)}`);
    }
    const serverSignature = hmac(hash, credential.serverKey, authMessage);
    this.credential = null;
    this.authorizationId = this.username;
    this.state = SaslServerState.Complete;
    return `v=${serverSignature.toString('base64')}`;
  }

  /**
   * A failure whose reason stays in the broker log: Kafka sends the client only the generic
   * message for a SCRAM `SaslException`, so that it cannot probe which users exist.
   */
  private invalid(reason: string): SaslAuthenticationError {
    return new SaslAuthenticationError(
      ErrorCode.SASL_AUTHENTICATION_FAILED,
      genericSaslFailureMessage(this.mechanism),
      reason,
    );
  }
}

function hmac(hash: string, key: Buffer, data: string): Buffer {
  return createHmac(hash, key).update(data, 'utf8').digest();
}

/** RFC 5802 saslname: ',' and '=' travel as "=2C" and "=3D"; any other '=' makes it malformed. */
function unescapeSaslName(saslName: string): string | null {
  // Kafka's ScramFormatter.username rejects the same names.
  if (!/^(?:[^=,\0]|=2C|=3D)+$/.test(saslName)) return null;
  return saslName.replaceAll('=2C', ',').replaceAll('=3D', '=');
}

function parseExtensions(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) map.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return map;
}
