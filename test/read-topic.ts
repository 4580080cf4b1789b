/**
 * Reading a whole topic with our consumer at an isolation level, for the cross-package tests:
 * from the beginning of every partition to the end offsets the consumer itself reports (the high
 * watermark, or the last stable offset under read_committed).
 */
import type { Kafka, TopicPartition } from 'tskafka';

/** Partitions 0..n-1 of `topic`. */
export function partitionsOf(topic: string, n: number): TopicPartition[] {
  return Array.from({ length: n }, (_, partition) => ({ topic, partition }));
}

/** Every value of `topic` (with `partitions` partitions) a consumer at `isolationLevel` reads, in poll order. */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  partitions: number,
  isolationLevel: 'read_committed' | 'read_uncommitted',
): Promise<string[]> {
  const consumer = kafka.consumer<Buffer | null, string | null>({
    isolationLevel,
    valueDeserializer: 'string',
  });
  await consumer.connect();
  try {
    const tps = partitionsOf(topic, partitions);
    await consumer.assign(tps);
    consumer.seekToBeginning();
    const end = await consumer.endOffsets(tps);
    const values: string[] = [];
    for (let i = 0; i < 200; i++) {
      let done = true;
      for (const tp of tps) if ((await consumer.position(tp)) < (end.get(tp) ?? 0)) done = false;
      if (done) return values;
      for (const r of await consumer.poll(100)) values.push(r.value ?? '');
    }
    throw new Error(`did not reach the end of ${topic}: read ${values.join(',')}`);
  } finally {
    await consumer.close();
  }
}

/** The end offsets of `topic`'s partitions as a consumer at `isolationLevel` sees them. */
export async function endOffsetsOf(
  kafka: Kafka,
  topic: string,
  partitions: number,
  isolationLevel: 'read_committed' | 'read_uncommitted',
): Promise<number[]> {
  const consumer = kafka.consumer({ isolationLevel });
  await consumer.connect();
  try {
    const tps = partitionsOf(topic, partitions);
    const end = await consumer.endOffsets(tps);
    return tps.map((tp) => end.get(tp) ?? -1);
  } finally {
    await consumer.close();
  }
}
