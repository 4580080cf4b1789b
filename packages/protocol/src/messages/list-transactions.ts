/**
 * ListTransactions (API key 66).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The ListTransactions request schema, every version. */
export const ListTransactionsRequest = message(
  {
    name: 'ListTransactionsRequest',
    type: 'request',
    apiKey: 66,
    validVersions: '0-1',
    flexibleVersions: '0+',
  },
  {
    /**
     * The transaction states to filter by: if empty, all transactions are returned; if non-empty,
     * then only transactions matching one of the filtered states will be returned
     */
    stateFilters: t.array('string'),
    /**
     * The producerIds to filter by: if empty, all transactions will be returned; if non-empty, only
     * transactions which match one of the filtered producerIds will be returned
     */
    producerIdFilters: t.array('int64'),
    /**
     * Duration (in millis) to filter by: if < 0, all transactions will be returned; otherwise, only
     * transactions running longer than this duration will be returned
     */
    durationFilter: t.int64({ versions: '1+', default: -1 }),
  },
);
/** A decoded ListTransactionsRequest. */
export type ListTransactionsRequest = MessageValue<typeof ListTransactionsRequest>;

/** The ListTransactions response schema, every version. */
export const ListTransactionsResponse = message(
  {
    name: 'ListTransactionsResponse',
    type: 'response',
    apiKey: 66,
    validVersions: '0-1',
    flexibleVersions: '0+',
  },
  {
    /**
     * The duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32(),
    errorCode: t.int16(),
    /**
     * Set of state filters provided in the request which were unknown to the transaction
     * coordinator
     */
    unknownStateFilters: t.array('string'),
    transactionStates: t.array(
      struct('TransactionState', {
        transactionalId: t.string(),
        producerId: t.int64(),
        /** The current transaction state of the producer */
        transactionState: t.string(),
      }),
    ),
  },
);
/** A decoded ListTransactionsResponse. */
export type ListTransactionsResponse = MessageValue<typeof ListTransactionsResponse>;
