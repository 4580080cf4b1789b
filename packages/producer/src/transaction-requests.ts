/**
 * The requests a transactional producer sends to its coordinators, as the
 * {@link TransactionManager} builds them and the I/O shell ({@link TransactionIo}, over the
 * transport in `producer-io.ts`) sends them: the transaction coordinator's FindCoordinator (key
 * type 1), InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn and EndTxn, and the group
 * coordinator's FindCoordinator (key type 0) and TxnOffsetCommit. Shapes are flat and
 * version-free; the shell picks the version and maps fields.
 *
 * Also here: what `sendOffsetsToTransaction` takes, in the shapes the consumer's `commitSync` does.
 *
 * @module
 */
import type { CoordinatorType } from '@tskafka/transport/internals';
import type { TopicPartition } from './producer-batch.js';

/** The coordinator a request goes to: of the transactional id, or of a consumer group. */
export interface TransactionCoordinatorKey {
  /** `transaction` (FindCoordinator key type 1) or `group` (key type 0). */
  readonly type: CoordinatorType;
  /** The transactional id or the group id. */
  readonly key: string;
}

/** One partition's result in a response that answers per partition. */
export interface TxnPartitionResult {
  /** The topic. */
  readonly topic: string;
  /** The partition. */
  readonly partition: number;
  /** 0 or the error code. */
  readonly errorCode: number;
}

/** One partition's offset in a TxnOffsetCommit request. */
export interface TxnOffsetCommitPartition {
  /** The partition. */
  readonly partition: number;
  /** The next offset to read. */
  readonly offset: number;
  /** The leader epoch of the last consumed record, or -1. */
  readonly leaderEpoch: number;
  /** Free text stored with the offset. */
  readonly metadata: string;
}

/** Each request the transaction manager sends, with its response (fields the manager reads). */
export interface TransactionApis {
  /** Finds the coordinator of `coordinator` afresh (the shell forgets a cached one first). */
  FindCoordinator: {
    request: Record<string, never>;
    response: { readonly errorCode: number; readonly errorMessage?: string | null };
  };
  /** A producer id and epoch for the transactional id; with the current ones to bump the epoch (KIP-360). */
  InitProducerId: {
    request: {
      readonly transactionalId: string;
      readonly transactionTimeoutMs: number;
      readonly producerId: number;
      readonly producerEpoch: number;
    };
    response: { readonly errorCode: number; readonly producerId: number; readonly producerEpoch: number };
  };
  /** Adds partitions to the transaction before their first batch is written. */
  AddPartitionsToTxn: {
    request: {
      readonly transactionalId: string;
      readonly producerId: number;
      readonly producerEpoch: number;
      readonly topics: readonly { readonly name: string; readonly partitions: readonly number[] }[];
    };
    response: { readonly results: readonly TxnPartitionResult[] };
  };
  /** Adds the consumer group's offsets partition to the transaction. */
  AddOffsetsToTxn: {
    request: {
      readonly transactionalId: string;
      readonly producerId: number;
      readonly producerEpoch: number;
      readonly groupId: string;
    };
    response: { readonly errorCode: number };
  };
  /** Writes the offsets, to the group coordinator, as part of the transaction. */
  TxnOffsetCommit: {
    request: {
      readonly transactionalId: string;
      readonly groupId: string;
      readonly producerId: number;
      readonly producerEpoch: number;
      readonly generationId: number;
      readonly memberId: string;
      readonly groupInstanceId: string | null;
      readonly topics: readonly {
        readonly name: string;
        readonly partitions: readonly TxnOffsetCommitPartition[];
      }[];
    };
    response: { readonly results: readonly TxnPartitionResult[] };
  };
  /** Commits or aborts the transaction. */
  EndTxn: {
    request: {
      readonly transactionalId: string;
      readonly producerId: number;
      readonly producerEpoch: number;
      readonly committed: boolean;
    };
    response: { readonly errorCode: number };
  };
}

/** The name of a request in {@link TransactionApis}. */
export type TransactionApi = keyof TransactionApis;

/** A request of the transaction manager: which API, to which coordinator, with what body. */
export interface TransactionRequest<A extends TransactionApi = TransactionApi> {
  /** The API. */
  readonly api: A;
  /** The coordinator it goes to (for FindCoordinator: the one to find). */
  readonly coordinator: TransactionCoordinatorKey;
  /** The body. */
  readonly body: TransactionApis[A]['request'];
}

/** Any {@link TransactionRequest}, discriminated by `api` (for a `switch` in the shell). */
export type AnyTransactionRequest = { [A in TransactionApi]: TransactionRequest<A> }[TransactionApi];

/** The response of a {@link TransactionRequest} of API `A`. */
export type TransactionResponse<A extends TransactionApi = TransactionApi> = TransactionApis[A]['response'];

/** How the sender loop sends the transaction manager's requests. */
export interface TransactionIo {
  /**
   * Sends `request` to its coordinator (finding it first if the transport does not know it) and
   * resolves with the response; error codes are data. Rejects on a lost connection or timeout
   * (the manager looks the coordinator up again and retries) or with a transport error.
   */
  sendTransactional<A extends TransactionApi>(
    request: TransactionRequest<A>,
  ): Promise<TransactionResponse<A>>;
}

/** An offset to commit with a transaction: the next offset to read, as in the consumer's `commitSync`. */
export interface TransactionOffsetAndMetadata {
  /** The next offset to read: the offset of the last processed record plus one. */
  readonly offset: number;
  /** Free text stored with the offset; default empty. */
  readonly metadata?: string;
  /** The leader epoch of the last processed record, if known. */
  readonly leaderEpoch?: number;
}

/** One offset in the array form of {@link TransactionOffsets}. */
export interface TransactionOffset extends TopicPartition, TransactionOffsetAndMetadata {}

/**
 * What `sendOffsetsToTransaction` takes: the shapes the consumer's `commitSync(offsets)` takes, a
 * map by partition or an array.
 */
export type TransactionOffsets =
  | ReadonlyMap<TopicPartition, TransactionOffsetAndMetadata>
  | readonly TransactionOffset[];

/** The offsets grouped by topic for TxnOffsetCommit; throws a RangeError for an invalid one. */
export function offsetsByTopic(offsets: TransactionOffsets): Map<string, TxnOffsetCommitPartition[]> {
  const out = new Map<string, TxnOffsetCommitPartition[]>();
  const add = (tp: TopicPartition, o: TransactionOffsetAndMetadata): void => {
    if (!Number.isSafeInteger(o.offset) || o.offset < 0) {
      throw new RangeError(
        `offset ${o.offset} for ${tp.topic}-${tp.partition} is not a non-negative integer`,
      );
    }
    let list = out.get(tp.topic);
    if (list === undefined) {
      list = [];
      out.set(tp.topic, list);
    }
    list.push({
      partition: tp.partition,
      offset: o.offset,
      leaderEpoch: o.leaderEpoch ?? -1,
      metadata: o.metadata ?? '',
    });
  };
  if (Array.isArray(offsets)) for (const o of offsets as readonly TransactionOffset[]) add(o, o);
  else for (const [tp, o] of offsets as ReadonlyMap<TopicPartition, TransactionOffsetAndMetadata>) add(tp, o);
  return out;
}
