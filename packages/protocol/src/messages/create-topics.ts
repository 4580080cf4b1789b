/**
 * CreateTopics (API key 19).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The CreateTopics request schema, every version. */
export const CreateTopicsRequest = message(
  { name: 'CreateTopicsRequest', type: 'request', apiKey: 19, validVersions: '0-7', flexibleVersions: '5+' },
  {
    /** The topics to create. */
    topics: t.array(
      struct('CreatableTopic', {
        /** The topic name. */
        name: t.string(),
        /**
         * The number of partitions to create in the topic, or -1 if we are either specifying a
         * manual partition assignment or using the default partitions.
         */
        numPartitions: t.int32(),
        /**
         * The number of replicas to create for each partition in the topic, or -1 if we are either
         * specifying a manual partition assignment or using the default replication factor.
         */
        replicationFactor: t.int16(),
        /** The manual partition assignment, or the empty array if we are using automatic assignment. */
        assignments: t.array(
          struct('CreatableReplicaAssignment', {
            /** The partition index. */
            partitionIndex: t.int32(),
            /** The brokers to place the partition on. */
            brokerIds: t.array('int32'),
          }),
        ),
        /** The custom topic configurations to set. */
        configs: t.array(
          struct('CreatableTopicConfig', {
            /** The configuration name. */
            name: t.string(),
            /** The configuration value. */
            value: t.string({ nullableVersions: '0+' }),
          }),
        ),
      }),
    ),
    /** How long to wait in milliseconds before timing out the request. */
    timeoutMs: t.int32({ default: 60000 }),
    /** If true, check that the topics can be created as specified, but don't create anything. */
    validateOnly: t.bool({ versions: '1+', default: false }),
  },
);
/** A decoded CreateTopicsRequest. */
export type CreateTopicsRequest = MessageValue<typeof CreateTopicsRequest>;

/** The CreateTopics response schema, every version. */
export const CreateTopicsResponse = message(
  {
    name: 'CreateTopicsResponse',
    type: 'response',
    apiKey: 19,
    validVersions: '0-7',
    flexibleVersions: '5+',
  },
  {
    /**
     * The duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32({ versions: '2+', ignorable: true }),
    /** Results for each topic we tried to create. */
    topics: t.array(
      struct('CreatableTopicResult', {
        /** The topic name. */
        name: t.string(),
        /** The unique topic ID */
        topicId: t.uuid({ versions: '7+', ignorable: true }),
        /** The error code, or 0 if there was no error. */
        errorCode: t.int16(),
        /** The error message, or null if there was no error. */
        errorMessage: t.string({ versions: '1+', nullableVersions: '0+', ignorable: true }),
        /** Optional topic config error returned if configs are not returned in the response. */
        topicConfigErrorCode: t.int16({ versions: '5+', taggedVersions: '5+', tag: 0, ignorable: true }),
        /** Number of partitions of the topic. */
        numPartitions: t.int32({ versions: '5+', default: -1, ignorable: true }),
        /** Replication factor of the topic. */
        replicationFactor: t.int16({ versions: '5+', default: -1, ignorable: true }),
        /** Configuration of the topic. */
        configs: t.array(
          struct('CreatableTopicConfigs', {
            /** The configuration name. */
            name: t.string({ versions: '5+' }),
            /** The configuration value. */
            value: t.string({ versions: '5+', nullableVersions: '5+' }),
            /** True if the configuration is read-only. */
            readOnly: t.bool({ versions: '5+' }),
            /** The configuration source. */
            configSource: t.int8({ versions: '5+', default: -1, ignorable: true }),
            /** True if this configuration is sensitive. */
            isSensitive: t.bool({ versions: '5+' }),
          }),
          { versions: '5+', nullableVersions: '5+', ignorable: true },
        ),
      }),
    ),
  },
);
/** A decoded CreateTopicsResponse. */
export type CreateTopicsResponse = MessageValue<typeof CreateTopicsResponse>;
