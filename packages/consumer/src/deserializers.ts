/**
 * Turning fetched bytes into the application's records (Java's `Deserializers`): the key and
 * value deserializers, applied to each record `poll` returns.
 *
 * @module
 */
import type { Deserializer } from '@tskafka/transport';
import { deserializerFor } from '@tskafka/transport/internals';
import type { FetchedRecord } from './fetcher.js';
import type { ConsumerRecord } from './types.js';

/** A consumer's key and value deserializers; without any, keys and values stay `Buffer`s. */
export class Deserializers<K, V> {
  /** The pair; each defaults to handing out the bytes as they are. */
  constructor(
    readonly keyDeserializer: Deserializer<K> = deserializerFor(undefined) as Deserializer<K>,
    readonly valueDeserializer: Deserializer<V> = deserializerFor(undefined) as Deserializer<V>,
  ) {}

  /** The records for `fetched`, keys and values deserialized, in the same order. */
  records(fetched: readonly FetchedRecord[]): ConsumerRecord<K, V>[] {
    const out: ConsumerRecord<K, V>[] = new Array(fetched.length);
    for (let i = 0; i < fetched.length; i++) {
      const f = fetched[i];
      const topic = f.state.topic;
      out[i] = {
        topic,
        partition: f.state.partition,
        offset: f.offset,
        timestamp: f.timestamp,
        key: this.keyDeserializer.deserialize(topic, f.key, f.headers),
        value: this.valueDeserializer.deserialize(topic, f.value, f.headers),
        headers: f.headers,
        leaderEpoch: f.leaderEpoch,
      };
    }
    return out;
  }
}
