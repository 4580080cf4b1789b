/**
 * ConsumerProtocolAssignment: a data schema (not an API message).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The ConsumerProtocolAssignment schema, every version. */
export const ConsumerProtocolAssignment = message(
  { name: 'ConsumerProtocolAssignment', type: 'data', validVersions: '0-3', flexibleVersions: 'none' },
  {
    assignedPartitions: t.array(
      struct('TopicPartition', {
        topic: t.string(),
        partitions: t.array('int32'),
      }),
    ),
    userData: t.bytes({ nullableVersions: '0+', default: null }),
  },
);
/** A decoded ConsumerProtocolAssignment. */
export type ConsumerProtocolAssignment = MessageValue<typeof ConsumerProtocolAssignment>;
