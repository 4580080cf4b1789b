/**
 * What the transactional APIs share: PRODUCER_FENCED (KIP-588) only exists from InitProducerId v4,
 * AddPartitionsToTxn v2, AddOffsetsToTxn v2 and EndTxn v2; older clients get INVALID_PRODUCER_EPOCH.
 */
import { ErrorCode } from '@tskafka/protocol';

/** `errorCode`, with PRODUCER_FENCED turned into INVALID_PRODUCER_EPOCH below `fencedSince`. */
export function fencedForVersion(errorCode: number, apiVersion: number, fencedSince: number): number {
  return errorCode === ErrorCode.PRODUCER_FENCED && apiVersion < fencedSince
    ? ErrorCode.INVALID_PRODUCER_EPOCH
    : errorCode;
}
