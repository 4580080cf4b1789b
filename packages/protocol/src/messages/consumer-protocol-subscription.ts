/**
 * ConsumerProtocolSubscription: a data schema (not an API message).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The ConsumerProtocolSubscription schema, every version. */
export const ConsumerProtocolSubscription = message(
  { name: 'ConsumerProtocolSubscription', type: 'data', validVersions: '0-3', flexibleVersions: 'none' },
  {
    topics: t.array('string'),
    userData: t.bytes({ nullableVersions: '0+', default: null }),
    ownedPartitions: t.array(
      struct('TopicPartition', {
        topic: t.string({ versions: '1+' }),
        partitions: t.array('int32', { versions: '1+' }),
      }),
      { versions: '1+', ignorable: true },
    ),
    generationId: t.int32({ versions: '2+', default: -1, ignorable: true }),
    rackId: t.string({ versions: '3+', nullableVersions: '3+', default: null, ignorable: true }),
  },
);
/** A decoded ConsumerProtocolSubscription. */
export type ConsumerProtocolSubscription = MessageValue<typeof ConsumerProtocolSubscription>;
