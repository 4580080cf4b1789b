/**
 * OffsetFetch: a group's committed offsets, -1 where nothing was committed. v2+ may ask for all
 * of the group's partitions (null topics); v7 adds `requireStable` (pending transactional commits
 * answer UNSTABLE_OFFSET_COMMIT); v8+ fetch for several groups at once.
 */
import { AclOperation, ErrorCode, ResourceType } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { authorize, checkGroup, withAuthorization } from '../auth/request-auth.js';
import type { FetchedOffset } from '../group/offset-ops.js';
import { defineHandler, type RequestContext } from '../handler.js';

/** Groups fetched offsets by topic, in the order they come. */
function byTopic(offsets: FetchedOffset[]): { name: string; partitions: FetchedOffset[] }[] {
  const topics = new Map<string, FetchedOffset[]>();
  for (const o of offsets) {
    const list = topics.get(o.topic);
    if (list) list.push(o);
    else topics.set(o.topic, [o]);
  }
  return [...topics].map(([name, partitions]) => ({ name, partitions }));
}

function partitionsOf(topics: { name: string; partitionIndexes: number[] }[] | null) {
  return topics === null
    ? null
    : topics.flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition })));
}

/**
 * The offsets of topics the principal may describe: of all topics (`all`), the others are left
 * out; asked for by name, they answer TOPIC_AUTHORIZATION_FAILED.
 */
function describable(ctx: RequestContext, offsets: FetchedOffset[], all: boolean): FetchedOffset[] {
  const allowed = new Map<string, boolean>();
  const may = (topic: string) => {
    let a = allowed.get(topic);
    if (a === undefined) {
      a = authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, topic);
      allowed.set(topic, a);
    }
    return a;
  };
  if (all) return offsets.filter((o) => may(o.topic));
  return offsets.map((o) =>
    may(o.topic)
      ? o
      : { ...o, offset: -1, leaderEpoch: -1, metadata: '', errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED },
  );
}

/** OffsetFetch handler (v0-9). */
const offsetFetchApi = defineHandler({
  api: Api.OffsetFetch,
  minVersion: 0,
  maxVersion: 9,
  handle(ctx, req) {
    const v = ctx.apiVersion;
    const ops = ctx.node.groupCoordinator.offsets;
    const requireStable = v >= 7 && req.requireStable;
    if (v >= 8) {
      return {
        throttleTimeMs: 0,
        groups: req.groups.map((g) => {
          const denied = checkGroup(ctx, AclOperation.DESCRIBE, g.groupId);
          if (denied !== null) return { groupId: g.groupId, errorCode: denied, topics: [] };
          const r = ops.fetchOffsets(g.groupId, requireStable, partitionsOf(g.topics));
          return {
            groupId: g.groupId,
            errorCode: r.errorCode,
            topics: byTopic(describable(ctx, r.offsets, g.topics === null)).map((t) => ({
              name: t.name,
              partitions: t.partitions.map((o) => ({
                partitionIndex: o.partition,
                committedOffset: o.offset,
                committedLeaderEpoch: o.leaderEpoch,
                metadata: o.metadata,
                errorCode: o.errorCode,
              })),
            })),
          };
        }),
      };
    }
    const requested = partitionsOf(req.topics);
    const r = ops.fetchOffsets(req.groupId, requireStable, requested);
    // v0-1 have no top-level error: it goes to every requested partition instead.
    const offsets =
      r.errorCode !== 0 && v < 2
        ? (requested ?? []).map((tp) => ({
            ...tp,
            offset: -1,
            leaderEpoch: -1,
            metadata: '',
            errorCode: r.errorCode,
          }))
        : describable(ctx, r.offsets, requested === null);
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      topics: byTopic(offsets).map((t) => ({
        name: t.name,
        partitions: t.partitions.map((o) => ({
          partitionIndex: o.partition,
          committedOffset: o.offset,
          committedLeaderEpoch: o.leaderEpoch,
          metadata: o.metadata,
          errorCode: o.errorCode,
        })),
      })),
    };
  },
  errorResponse(req, errorCode, ctx) {
    if (ctx.apiVersion >= 8)
      return { groups: req.groups.map((g) => ({ groupId: g.groupId, topics: [], errorCode })) };
    const topics =
      ctx.apiVersion < 2
        ? (req.topics ?? []).map((t) => ({
            name: t.name,
            partitions: t.partitionIndexes.map((partitionIndex) => ({
              partitionIndex,
              committedOffset: -1,
              metadata: '',
              errorCode,
            })),
          }))
        : [];
    return { errorCode, topics };
  },
});

/**
 * The OffsetFetch handler: before v8 (one group), a principal without DESCRIBE on the group is
 * refused as a whole with GROUP_AUTHORIZATION_FAILED; from v8 each group is checked on its own.
 */
export const offsetFetchHandler = withAuthorization(offsetFetchApi, (ctx, req) =>
  ctx.apiVersion >= 8 ? null : checkGroup(ctx, AclOperation.DESCRIBE, req.groupId),
);
