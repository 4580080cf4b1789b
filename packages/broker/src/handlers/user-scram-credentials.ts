/**
 * DescribeUserScramCredentials and AlterUserScramCredentials (KIP-554): the SCRAM credentials of
 * the cluster, per user and mechanism. The client sends salted passwords, never passwords; the
 * broker answers with mechanisms and iteration counts, never salts or keys.
 */
import { ErrorCode } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { defineHandler } from '../handler.js';
import { SCRAM_MECHANISM_IDS, ScramCredentialError, scramMechanismOfId } from '../sasl/credentials.js';

/** DescribeUserScramCredentials handler. */
export const describeUserScramCredentialsHandler = defineHandler({
  api: Api.DescribeUserScramCredentials,
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, req) {
    const store = ctx.node.metadata.scramCredentials;
    const asked = req.users?.map((u) => u.name) ?? [];
    const names = asked.length > 0 ? asked : store.userNames();
    const results = [...new Set(names)].map((user) => {
      if (asked.filter((n) => n === user).length > 1) {
        return {
          user,
          errorCode: ErrorCode.DUPLICATE_RESOURCE,
          errorMessage: 'Cannot describe SCRAM credentials for the same user twice in a single request',
          credentialInfos: [],
        };
      }
      const infos = store.describe(user);
      if (infos.length === 0) {
        return {
          user,
          errorCode: ErrorCode.RESOURCE_NOT_FOUND,
          errorMessage: 'Attempt to describe a user credential that does not exist',
          credentialInfos: [],
        };
      }
      return {
        user,
        errorCode: 0,
        errorMessage: null,
        credentialInfos: infos.map((i) => ({
          mechanism: SCRAM_MECHANISM_IDS[i.mechanism],
          iterations: i.iterations,
        })),
      };
    });
    return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, results };
  },
  errorResponse(_req, errorCode) {
    return { throttleTimeMs: 0, errorCode, errorMessage: null, results: [] };
  },
});

/** AlterUserScramCredentials handler: each user's changes apply together or not at all. */
export const alterUserScramCredentialsHandler = defineHandler({
  api: Api.AlterUserScramCredentials,
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, req) {
    const store = ctx.node.metadata.scramCredentials;
    const users = [...new Set([...req.deletions, ...req.upsertions].map((c) => c.name))];
    const results = users.map((user) => {
      const deletions = req.deletions.filter((d) => d.name === user);
      const upsertions = req.upsertions.filter((u) => u.name === user);
      const mechanisms = [...deletions, ...upsertions].map((c) => c.mechanism);
      try {
        if (new Set(mechanisms).size !== mechanisms.length) {
          throw new ScramCredentialError(
            ErrorCode.DUPLICATE_RESOURCE,
            'A user credential cannot be altered twice in the same request',
          );
        }
        const mechanismOf = (id: number) => {
          const m = scramMechanismOfId(id);
          if (!m)
            throw new ScramCredentialError(ErrorCode.UNSUPPORTED_SASL_MECHANISM, 'Unknown SCRAM mechanism');
          return m;
        };
        // Check every deletion before applying any change, so the user's changes stay together.
        for (const d of deletions) {
          if (!store.get(user, mechanismOf(d.mechanism))) {
            throw new ScramCredentialError(
              ErrorCode.RESOURCE_NOT_FOUND,
              'Attempt to delete a user credential that does not exist',
            );
          }
        }
        for (const u of upsertions) mechanismOf(u.mechanism);
        for (const u of upsertions)
          store.upsert(user, mechanismOf(u.mechanism), u.salt, u.iterations, u.saltedPassword);
        for (const d of deletions) store.delete(user, mechanismOf(d.mechanism));
        return { user, errorCode: 0, errorMessage: null };
      } catch (e) {
        if (!(e instanceof ScramCredentialError)) throw e;
        return { user, errorCode: e.code, errorMessage: e.message };
      }
    });
    return { throttleTimeMs: 0, results };
  },
  errorResponse(req, errorCode) {
    const users = [...new Set([...req.deletions, ...req.upsertions].map((c) => c.name))];
    return { throttleTimeMs: 0, results: users.map((user) => ({ user, errorCode, errorMessage: null })) };
  },
});
