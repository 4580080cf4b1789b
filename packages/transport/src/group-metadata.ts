/**
 * The consumer-group state a transactional producer sends with its offsets, shared here because
 * the consumer produces it (`consumer.groupMetadata()`) and the producer takes it
 * (`producer.sendOffsetsToTransaction(offsets, groupMetadata)`) and neither imports the other.
 *
 * @module
 */

/** The group state a transactional producer sends with `sendOffsetsToTransaction`. */
export interface ConsumerGroupMetadata {
  /** The group id. */
  groupId: string;
  /** The generation, or -1 outside a group. */
  generationId: number;
  /** The member id, or empty outside a group. */
  memberId: string;
  /** The static member id, or null. */
  groupInstanceId: string | null;
}
