/**
 * Partitioners: which partition a record that names none goes to.
 *
 * @module
 */

import { ConfigError } from '@tskafka/transport';
import { nearest } from '@tskafka/transport/internals';
import { murmur2Partitioner } from './default.js';
import { hotData } from './hot-data.js';
import { roundRobin } from './round-robin.js';
import { sticky } from './sticky.js';
import type { Partitioner, RandomInt } from './types.js';

export { type Murmur2PartitionerOptions, murmur2Partitioner } from './default.js';
export { type HotDataOptions, hotData, isHotDataKey } from './hot-data.js';
export {
  MURMUR2_SEED,
  murmur2,
  murmur2Bytes,
  murmur2String,
  partitionForKey,
  toPositive,
} from './murmur2.js';
export { roundRobin } from './round-robin.js';
export { type StickyOptions, StickyPartitionCache, sticky } from './sticky.js';
export { defaultRandomInt, type Partitioner, type PartitionerCluster, type RandomInt } from './types.js';

/** The names of the built-in partitioners, as the `partitioner` option takes them. */
export type PartitionerName = 'murmur2' | 'sticky' | 'roundRobin' | 'hotData';

/** The built-in partitioners by name. */
export const PARTITIONER_NAMES: readonly PartitionerName[] = ['murmur2', 'sticky', 'roundRobin', 'hotData'];

/** Options of {@link partitionerFor} that the built-ins take. */
export interface PartitionerForOptions {
  /** `partitioner.ignore.keys`, for `murmur2`: place keyed records as keyless ones. */
  ignoreKeys?: boolean;
  /** Source of sticky choices (tests). */
  random?: RandomInt;
}

/**
 * The partitioner for the producer's `partitioner` option: a fresh built-in for a name
 * (`'murmur2'`, the default; `'sticky'`; `'roundRobin'`; `'hotData'` with its default rule, keys
 * containing `"hot_data"` to the last partition), or the given instance as is.
 *
 * @throws ConfigError for an unknown name, suggesting the nearest built-in.
 */
export function partitionerFor<K = unknown, V = unknown>(
  partitioner: PartitionerName | Partitioner<K, V> | undefined,
  options: PartitionerForOptions = {},
): Partitioner<K, V> {
  if (partitioner === undefined) return murmur2Partitioner(options);
  if (typeof partitioner === 'object' && partitioner !== null) {
    if (typeof partitioner.partition !== 'function') {
      throw new ConfigError(
        'partitioner',
        'expected a partitioner name or an object with a partition() method',
      );
    }
    return partitioner;
  }
  switch (partitioner) {
    case 'murmur2':
      return murmur2Partitioner(options);
    case 'sticky':
      return sticky(options);
    case 'roundRobin':
      return roundRobin();
    case 'hotData':
      return hotData<K, V>({ random: options.random });
    default: {
      const name = String(partitioner);
      throw new ConfigError(
        'partitioner',
        `unknown partitioner "${name}"; built in: ${PARTITIONER_NAMES.join(', ')}`,
        nearest(name, PARTITIONER_NAMES),
      );
    }
  }
}
