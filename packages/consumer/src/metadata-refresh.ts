/**
 * The consumer's best-effort metadata refreshes, for subscribe, assign and the leader's
 * assignment: a failure does not fail the call (Java's consumer only requests an update there),
 * but it is logged with its cause rather than dropped.
 *
 * @module
 */
import { ClientClosedError, type Logger } from '@tskafka/transport';
import type { Cluster } from '@tskafka/transport/internals';

/**
 * Refreshes the metadata of `topics`. A failure is logged at warn with the error as `error` (at
 * debug when the cluster was closed meanwhile, which is the consumer's own doing) and resolves:
 * the caller goes on with the metadata it has, and later refreshes (every `metadata.max.age.ms`,
 * or on a stale-metadata error) try again.
 *
 * @param why - what the refresh was for, e.g. `subscribe`, for the log line.
 */
export async function refreshMetadataOrWarn(
  cluster: Pick<Cluster, 'refreshMetadata'>,
  logger: Logger,
  topics: readonly string[],
  why: string,
): Promise<void> {
  try {
    await cluster.refreshMetadata(topics);
  } catch (error) {
    const log = error instanceof ClientClosedError ? logger.debug : logger.warn;
    log.call(logger, `metadata refresh for ${why} failed; going on with the metadata at hand`, {
      topics,
      error,
    });
  }
}
