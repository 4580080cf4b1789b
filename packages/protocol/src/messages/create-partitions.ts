/**
 * CreatePartitions (API key 37).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The CreatePartitions request schema, every version. */
export const CreatePartitionsRequest = message(
  {
    name: 'CreatePartitionsRequest',
    type: 'request',
    apiKey: 37,
    validVersions: '0-3',
    flexibleVersions: '2+',
  },
  {
    /** Each topic that we want to create new partitions inside. */
    topics: t.array(
      struct('CreatePartitionsTopic', {
        /** The topic name. */
        name: t.string(),
        /** The new partition count. */
        count: t.int32(),
        /** The new partition assignments. */
        assignments: t.array(
          struct('CreatePartitionsAssignment', {
            /** The assigned broker IDs. */
            brokerIds: t.array('int32'),
          }),
          { nullableVersions: '0+' },
        ),
      }),
    ),
    /** The time in ms to wait for the partitions to be created. */
    timeoutMs: t.int32(),
    /** If true, then validate the request, but don't actually increase the number of partitions. */
    validateOnly: t.bool(),
  },
);
/** A decoded CreatePartitionsRequest. */
export type CreatePartitionsRequest = MessageValue<typeof CreatePartitionsRequest>;

/** The CreatePartitions response schema, every version. */
export const CreatePartitionsResponse = message(
  {
    name: 'CreatePartitionsResponse',
    type: 'response',
    apiKey: 37,
    validVersions: '0-3',
    flexibleVersions: '2+',
  },
  {
    /**
     * The duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32(),
    /** The partition creation results for each topic. */
    results: t.array(
      struct('CreatePartitionsTopicResult', {
        /** The topic name. */
        name: t.string(),
        /** The result error, or zero if there was no error. */
        errorCode: t.int16(),
        /** The result message, or null if there was no error. */
        errorMessage: t.string({ nullableVersions: '0+', default: null }),
      }),
    ),
  },
);
/** A decoded CreatePartitionsResponse. */
export type CreatePartitionsResponse = MessageValue<typeof CreatePartitionsResponse>;
