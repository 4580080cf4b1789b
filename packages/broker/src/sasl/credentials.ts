/**
 * SCRAM credentials as Kafka keeps them (UserScramCredentialRecord in the cluster metadata): per
 * user AND per mechanism, so a user may have one password for SCRAM-SHA-256 and another for
 * SCRAM-SHA-512, each stored as salt, iterations, StoredKey and ServerKey, never the password.
 */
import { ErrorCode, KafkaClientError } from '@tskafka/protocol';
import {
  SCRAM_MECHANISMS,
  type ScramCredential,
  type ScramMechanism,
  scramCredentialFromSaltedPassword,
} from './scram.js';

/** Kafka's ScramMechanism ids on the wire (DescribeUserScramCredentials, AlterUserScramCredentials). */
export const SCRAM_MECHANISM_IDS: Readonly<Record<ScramMechanism, number>> = {
  'SCRAM-SHA-256': 1,
  'SCRAM-SHA-512': 2,
};

/** The mechanism of a wire id, or undefined for an unknown one. */
export function scramMechanismOfId(id: number): ScramMechanism | undefined {
  return (Object.keys(SCRAM_MECHANISM_IDS) as ScramMechanism[]).find((m) => SCRAM_MECHANISM_IDS[m] === id);
}

/** Kafka's upper bound on SCRAM iterations (ScramMechanism.maxIterations). */
export const MAX_SCRAM_ITERATIONS = 16384;

/** A refused credential change: the Kafka error code and message for its user. Not retriable. */
export class ScramCredentialError extends KafkaClientError {
  /** UNSUPPORTED_SASL_MECHANISM, UNACCEPTABLE_CREDENTIAL, RESOURCE_NOT_FOUND or DUPLICATE_RESOURCE. */
  readonly code: number;

  /** `code` is the Kafka error code. */
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

/** What the controller persists: per user, per mechanism, the stored credential in base64. */
export type ScramCredentialsSnapshot = Record<
  string,
  Partial<Record<ScramMechanism, { salt: string; iterations: number; storedKey: string; serverKey: string }>>
>;

/** Every user's SCRAM credentials, by mechanism. */
export class ScramCredentialStore {
  private readonly users = new Map<string, Map<ScramMechanism, ScramCredential>>();
  private readonly changed: () => void;

  /** `changed` is called after every change (the controller's event). */
  constructor(changed: () => void) {
    this.changed = changed;
  }

  /** The credential of `user` for `mechanism`, if any. */
  get(user: string, mechanism: ScramMechanism): ScramCredential | undefined {
    return this.users.get(user)?.get(mechanism);
  }

  /** Users with at least one credential, sorted. */
  userNames(): string[] {
    return [...this.users.keys()].sort();
  }

  /** The mechanisms and iterations of `user`'s credentials (empty for an unknown user). */
  describe(user: string): { mechanism: ScramMechanism; iterations: number }[] {
    return [...(this.users.get(user) ?? [])].map(([mechanism, c]) => ({
      mechanism,
      iterations: c.iterations,
    }));
  }

  /**
   * Stores a credential the client derived (AlterUserScramCredentials sends the salted
   * password, never the password). Checks the iterations against Kafka's bounds.
   */
  upsert(
    user: string,
    mechanism: ScramMechanism,
    salt: Buffer,
    iterations: number,
    saltedPassword: Buffer,
  ): void {
    const { minIterations, keyLength } = SCRAM_MECHANISMS[mechanism];
    if (iterations < minIterations) {
      throw new ScramCredentialError(
        ErrorCode.UNACCEPTABLE_CREDENTIAL,
        `Too few iterations: ${iterations} < ${minIterations}`,
      );
    }
    if (iterations > MAX_SCRAM_ITERATIONS) {
      throw new ScramCredentialError(
        ErrorCode.UNACCEPTABLE_CREDENTIAL,
        `Too many iterations: ${iterations} > ${MAX_SCRAM_ITERATIONS}`,
      );
    }
    if (user === '')
      throw new ScramCredentialError(ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Username must not be empty');
    if (saltedPassword.length !== keyLength || salt.length === 0) {
      throw new ScramCredentialError(
        ErrorCode.UNACCEPTABLE_CREDENTIAL,
        'Salt and salted password must not be empty',
      );
    }
    this.set(user, mechanism, scramCredentialFromSaltedPassword(mechanism, saltedPassword, salt, iterations));
    this.changed();
  }

  /** Stores a credential derived on the broker (the `users` given at start). No event. */
  seed(user: string, mechanism: ScramMechanism, credential: ScramCredential): void {
    this.set(user, mechanism, credential);
  }

  /** Removes `user`'s credential for `mechanism`; RESOURCE_NOT_FOUND when there is none. */
  delete(user: string, mechanism: ScramMechanism): void {
    const byMech = this.users.get(user);
    if (!byMech?.has(mechanism)) {
      throw new ScramCredentialError(
        ErrorCode.RESOURCE_NOT_FOUND,
        `Attempt to delete a user credential that does not exist`,
      );
    }
    byMech.delete(mechanism);
    if (byMech.size === 0) this.users.delete(user);
    this.changed();
  }

  /** Everything, for the metadata snapshot. */
  snapshot(): ScramCredentialsSnapshot {
    const out: ScramCredentialsSnapshot = {};
    for (const [user, byMech] of this.users) {
      out[user] = {};
      for (const [m, c] of byMech) {
        out[user][m] = {
          salt: c.salt.toString('base64'),
          iterations: c.iterations,
          storedKey: c.storedKey.toString('base64'),
          serverKey: c.serverKey.toString('base64'),
        };
      }
    }
    return out;
  }

  /** Restores a snapshot on restart (no event). */
  restore(snapshot: ScramCredentialsSnapshot): void {
    for (const [user, byMech] of Object.entries(snapshot)) {
      for (const [m, c] of Object.entries(byMech)) {
        if (!c) continue;
        this.set(user, m as ScramMechanism, {
          salt: Buffer.from(c.salt, 'base64'),
          iterations: c.iterations,
          storedKey: Buffer.from(c.storedKey, 'base64'),
          serverKey: Buffer.from(c.serverKey, 'base64'),
        });
      }
    }
  }

  private set(user: string, mechanism: ScramMechanism, credential: ScramCredential): void {
    let byMech = this.users.get(user);
    if (!byMech) {
      byMech = new Map();
      this.users.set(user, byMech);
    }
    byMech.set(mechanism, credential);
  }
}
