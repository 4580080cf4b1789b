/**
 * DescribeLogDirs (API key 35).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The DescribeLogDirs request schema, every version. */
export const DescribeLogDirsRequest = message(
  {
    name: 'DescribeLogDirsRequest',
    type: 'request',
    apiKey: 35,
    validVersions: '0-4',
    flexibleVersions: '2+',
  },
  {
    /** Each topic that we want to describe log directories for, or null for all topics. */
    topics: t.array(
      struct('DescribableLogDirTopic', {
        /** The topic name. */
        topic: t.string(),
        /** The partition indexes. */
        partitions: t.array('int32'),
      }),
      { nullableVersions: '0+' },
    ),
  },
);
/** A decoded DescribeLogDirsRequest. */
export type DescribeLogDirsRequest = MessageValue<typeof DescribeLogDirsRequest>;

/** The DescribeLogDirs response schema, every version. */
export const DescribeLogDirsResponse = message(
  {
    name: 'DescribeLogDirsResponse',
    type: 'response',
    apiKey: 35,
    validVersions: '0-4',
    flexibleVersions: '2+',
  },
  {
    /**
     * The duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32(),
    /** The error code, or 0 if there was no error. */
    errorCode: t.int16({ versions: '3+', ignorable: true }),
    /** The log directories. */
    results: t.array(
      struct('DescribeLogDirsResult', {
        /** The error code, or 0 if there was no error. */
        errorCode: t.int16(),
        /** The absolute log directory path. */
        logDir: t.string(),
        /** Each topic. */
        topics: t.array(
          struct('DescribeLogDirsTopic', {
            /** The topic name. */
            name: t.string(),
            /** Each partition. */
            partitions: t.array(
              struct('DescribeLogDirsPartition', {
                /** The partition index. */
                partitionIndex: t.int32(),
                /** The size of the log segments in this partition in bytes. */
                partitionSize: t.int64(),
                /** The lag of the log's end offset behind the partition's high watermark. */
                offsetLag: t.int64(),
                /** True if this log is created by AlterReplicaLogDirsRequest and will replace the current log. */
                isFutureKey: t.bool(),
              }),
            ),
          }),
        ),
        /** The total size in bytes of the volume the log directory is in. */
        totalBytes: t.int64({ versions: '4+', ignorable: true, default: -1 }),
        /** The usable size in bytes of the volume the log directory is in. */
        usableBytes: t.int64({ versions: '4+', ignorable: true, default: -1 }),
      }),
    ),
  },
);
/** A decoded DescribeLogDirsResponse. */
export type DescribeLogDirsResponse = MessageValue<typeof DescribeLogDirsResponse>;
