/**
 * The records the transaction coordinator keeps in `__transaction_state`, in Apache Kafka's own
 * format (core/src/main/resources/common/message/TransactionLog{Key,Value}.json), so the log reads
 * the same as a Kafka broker's:
 *
 * - key version 0: `TransactionLogKey {transactionalId}`;
 * - value version 0 (written) or 1 (flexible, read): producer id and epoch, timeout, state, the
 *   partitions of the open transaction (null while Empty), last update and start timestamps.
 *
 * Every key and value starts with an int16 version. A null value is a tombstone: the transactional
 * id expired. Kafka keeps writing value version 0 until `transaction.version` 1 is enabled.
 */
import {
  decodeMessage,
  encodeMessage,
  type MessageValue,
  message,
  Reader,
  struct,
  t,
} from '@tskafka/protocol/internals';
import { TransactionState, type TxnTransitMetadata } from './metadata.js';

/** The internal topic holding transaction state. */
export const TRANSACTION_STATE_TOPIC_NAME = '__transaction_state';

/** `TransactionLogKey`. */
export const TransactionLogKey = message(
  { name: 'TransactionLogKey', type: 'data', validVersions: '0', flexibleVersions: 'none' },
  {
    /** The transactional id. */
    transactionalId: t.string(),
  },
);

/** `TransactionLogValue`. */
export const TransactionLogValue = message(
  { name: 'TransactionLogValue', type: 'data', validVersions: '0-1', flexibleVersions: '1+' },
  {
    /** Producer id in use by the transactional id. */
    producerId: t.int64(),
    /** Epoch associated with the producer id. */
    producerEpoch: t.int16(),
    /** Transaction timeout in milliseconds. */
    transactionTimeoutMs: t.int32(),
    /** The {@link TransactionState} id. */
    transactionStatus: t.int8(),
    /** Partitions of the transaction; null while Empty. */
    transactionPartitions: t.array(
      struct('PartitionsSchema', {
        /** The topic. */
        topic: t.string(),
        /** The partitions of that topic. */
        partitionIds: t.array('int32'),
      }),
      { nullableVersions: '0+' },
    ),
    /** When the transaction was last updated. */
    transactionLastUpdateTimestampMs: t.int64(),
    /** When the transaction started (its first partition was added), -1 when none is open. */
    transactionStartTimestampMs: t.int64(),
  },
);

/** The value version written (Kafka's default without `transaction.version` 1). */
export const TRANSACTION_LOG_VALUE_VERSION = 0;
/** The only key version. */
export const TRANSACTION_LOG_KEY_VERSION = 0;

/** A decoded transaction log value. */
export type TransactionLogValue = MessageValue<typeof TransactionLogValue>;

function versioned(version: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(2 + body.length);
  out.writeInt16BE(version, 0);
  body.copy(out, 2);
  return out;
}

/** The record key of a transactional id. */
export function transactionLogKey(transactionalId: string): Buffer {
  return versioned(
    TRANSACTION_LOG_KEY_VERSION,
    encodeMessage(TransactionLogKey, TRANSACTION_LOG_KEY_VERSION, { transactionalId }),
  );
}

/** The record value of a transaction state, as Kafka's `TransactionLog.valueToBytes`. */
export function transactionLogValue(m: TxnTransitMetadata, version = TRANSACTION_LOG_VALUE_VERSION): Buffer {
  if (m.txnState === TransactionState.Empty && m.topicPartitions.size > 0) {
    throw new Error(`an Empty transaction cannot have partitions: ${[...m.topicPartitions].join(', ')}`);
  }
  let partitions: { topic: string; partitionIds: number[] }[] | null = null;
  if (m.txnState !== TransactionState.Empty) {
    const byTopic = new Map<string, number[]>();
    for (const key of m.topicPartitions) {
      const { topic, partition } = parseTopicPartition(key);
      const ids = byTopic.get(topic);
      if (ids) ids.push(partition);
      else byTopic.set(topic, [partition]);
    }
    partitions = [...byTopic].map(([topic, partitionIds]) => ({ topic, partitionIds }));
  }
  return versioned(
    version,
    encodeMessage(TransactionLogValue, version, {
      producerId: m.producerId,
      producerEpoch: m.producerEpoch,
      transactionTimeoutMs: m.txnTimeoutMs,
      transactionStatus: m.txnState,
      transactionPartitions: partitions,
      transactionLastUpdateTimestampMs: m.txnLastUpdateTimestamp,
      transactionStartTimestampMs: m.txnStartTimestamp,
    }),
  );
}

/** Decodes a record key: the transactional id, or null for a key version this coordinator does not know. */
export function decodeTransactionLogKey(key: Buffer): string | null {
  const r = new Reader(key);
  const version = r.int16();
  if (version !== TRANSACTION_LOG_KEY_VERSION) return null;
  return decodeMessage(TransactionLogKey, version, r).transactionalId;
}

/** Decodes a record value of version 0 or 1 (a newer writer's extra tagged fields are skipped). */
export function decodeTransactionLogValue(value: Buffer): TransactionLogValue & { version: number } {
  const r = new Reader(value);
  const version = r.int16();
  if (version < 0 || version > 1) throw new Error(`unknown transaction log value version ${version}`);
  return { ...decodeMessage(TransactionLogValue, version, r, false), version };
}

/** `topic-partition` → its parts (topic names may themselves contain dashes). */
export function parseTopicPartition(key: string): { topic: string; partition: number } {
  const i = key.lastIndexOf('-');
  return { topic: key.slice(0, i), partition: Number(key.slice(i + 1)) };
}

/** The `topic-partition` key of a partition. */
export function topicPartitionKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}
