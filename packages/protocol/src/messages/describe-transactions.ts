/**
 * DescribeTransactions (API key 65).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The DescribeTransactions request schema, every version. */
export const DescribeTransactionsRequest = message(
  {
    name: 'DescribeTransactionsRequest',
    type: 'request',
    apiKey: 65,
    validVersions: '0',
    flexibleVersions: '0+',
  },
  {
    /**
     * Array of transactionalIds to include in describe results. If empty, then no results will be
     * returned.
     */
    transactionalIds: t.array('string'),
  },
);
/** A decoded DescribeTransactionsRequest. */
export type DescribeTransactionsRequest = MessageValue<typeof DescribeTransactionsRequest>;

/** The DescribeTransactions response schema, every version. */
export const DescribeTransactionsResponse = message(
  {
    name: 'DescribeTransactionsResponse',
    type: 'response',
    apiKey: 65,
    validVersions: '0',
    flexibleVersions: '0+',
  },
  {
    /**
     * The duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32(),
    transactionStates: t.array(
      struct('TransactionState', {
        errorCode: t.int16(),
        transactionalId: t.string(),
        transactionState: t.string(),
        transactionTimeoutMs: t.int32(),
        transactionStartTimeMs: t.int64(),
        producerId: t.int64(),
        producerEpoch: t.int16(),
        /**
         * The set of partitions included in the current transaction (if active). When a transaction
         * is preparing to commit or abort, this will include only partitions which do not have
         * markers.
         */
        topics: t.array(
          struct('TopicData', {
            topic: t.string(),
            partitions: t.array('int32'),
          }),
        ),
      }),
    ),
  },
);
/** A decoded DescribeTransactionsResponse. */
export type DescribeTransactionsResponse = MessageValue<typeof DescribeTransactionsResponse>;
