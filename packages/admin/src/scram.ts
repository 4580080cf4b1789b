/**
 * SCRAM credentials through the admin API (KIP-554): DescribeUserScramCredentials and
 * AlterUserScramCredentials. As Java's `KafkaAdminClient`, the client picks the salt and sends
 * `Hi(password, salt, iterations)` (PBKDF2), never the password itself.
 *
 * @module
 */
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { createKafkaError } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { type AdminContext, requestController, retryCall } from './requests.js';
import type {
  ScramMechanism,
  UserScramCredentialAlteration,
  UserScramCredentialsDescription,
} from './types.js';

/** Kafka's ScramMechanism ids on the wire. */
const MECHANISM_ID: Record<ScramMechanism, number> = { 'SCRAM-SHA-256': 1, 'SCRAM-SHA-512': 2 };
const MECHANISM_OF_ID: Record<number, ScramMechanism> = { 1: 'SCRAM-SHA-256', 2: 'SCRAM-SHA-512' };
const HASH: Record<ScramMechanism, { digest: 'sha256' | 'sha512'; length: number }> = {
  'SCRAM-SHA-256': { digest: 'sha256', length: 32 },
  'SCRAM-SHA-512': { digest: 'sha512', length: 64 },
};

/** Kafka's default (and minimum) SCRAM iterations, what `kafka-configs` uses unless told otherwise. */
export const DEFAULT_SCRAM_ITERATIONS = 4096;

/** See `Admin.describeUserScramCredentials`. */
export async function describeUserScramCredentials(
  ctx: AdminContext,
  users: readonly string[] | undefined,
): Promise<UserScramCredentialsDescription[]> {
  const res = await retryCall(ctx, () =>
    requestController(ctx.cluster, Api.DescribeUserScramCredentials, {
      users: users === undefined || users.length === 0 ? null : users.map((name) => ({ name })),
    }),
  );
  const apiName = 'DescribeUserScramCredentials';
  if (res.errorCode !== 0) throw createKafkaError(res.errorCode, { apiName, message: res.errorMessage });
  return res.results.map((r) => {
    if (r.errorCode !== 0) {
      throw createKafkaError(r.errorCode, { apiName, message: `user ${r.user}: ${r.errorMessage ?? ''}` });
    }
    return {
      user: r.user,
      credentialInfos: r.credentialInfos.map((c) => ({
        mechanism: MECHANISM_OF_ID[c.mechanism] ?? 'SCRAM-SHA-256',
        iterations: c.iterations,
      })),
    };
  });
}

/** See `Admin.alterUserScramCredentials`. */
export async function alterUserScramCredentials(
  ctx: AdminContext,
  alterations: readonly UserScramCredentialAlteration[],
): Promise<void> {
  const deletions: { name: string; mechanism: number }[] = [];
  const upsertions: {
    name: string;
    mechanism: number;
    iterations: number;
    salt: Buffer;
    saltedPassword: Buffer;
  }[] = [];
  for (const a of alterations) {
    if (a.type === 'delete') {
      deletions.push({ name: a.user, mechanism: MECHANISM_ID[a.mechanism] });
      continue;
    }
    const iterations = a.iterations ?? DEFAULT_SCRAM_ITERATIONS;
    // Java's ScramFormatter.secureRandomBytes: random printable bytes; any salt works for SCRAM.
    const salt = a.salt ? Buffer.from(a.salt) : Buffer.from(randomBytes(24).toString('base64'), 'utf8');
    const { digest, length } = HASH[a.mechanism];
    const saltedPassword = pbkdf2Sync(Buffer.from(a.password, 'utf8'), salt, iterations, length, digest);
    upsertions.push({ name: a.user, mechanism: MECHANISM_ID[a.mechanism], iterations, salt, saltedPassword });
  }
  // Not retried: an upsertion that reached the broker before a lost response would be applied twice,
  // which is harmless, but a deletion would then fail with RESOURCE_NOT_FOUND on the retry.
  const res = await requestController(ctx.cluster, Api.AlterUserScramCredentials, { deletions, upsertions });
  const failed = res.results.find((r) => r.errorCode !== 0);
  if (failed) {
    throw createKafkaError(failed.errorCode, {
      apiName: 'AlterUserScramCredentials',
      message: `user ${failed.user}: ${failed.errorMessage ?? ''}`,
    });
  }
}
