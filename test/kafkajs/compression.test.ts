/**
 * KafkaJS's `CompressionCodecs` registry through `tskafka/kafkajs`: KafkaJS needs a codec
 * registered for Snappy, LZ4 and ZSTD; tskafka has them built in, accepts a registration, and
 * keeps using its own codecs (see the module's documentation).
 */
import { CompressionType, compress, decompress } from '@tskafka/protocol/internals';
import { describe, expect, it } from 'vitest';
import { both, describeError, type ScenarioContext } from './harness.js';

/** A KafkaJS codec over tskafka's own `type` codec that counts its calls. */
function countingCodec(type: CompressionType) {
  const calls = { compress: 0, decompress: 0 };
  const codec = {
    async compress(encoder: { buffer: Buffer }) {
      calls.compress++;
      return compress(type, encoder.buffer);
    },
    async decompress(buffer: Buffer) {
      calls.decompress++;
      return decompress(type, buffer);
    },
  };
  return { calls, codec };
}

async function sendAndRead({ kafka }: ScenarioContext, topic: string, compression: number) {
  const producer = kafka.producer();
  await producer.connect();
  const messages = [0, 1, 2].map((i) => ({ key: `k${i}`, value: `value ${i} `.repeat(40) }));
  try {
    await producer.send({ topic, messages, compression });
  } finally {
    await producer.disconnect();
  }
  const consumer = kafka.consumer({ groupId: `${topic}-reader` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const values: string[] = [];
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        values.push(String(message.value));
        if (values.length === messages.length) resolve();
      },
    });
  });
  await consumer.disconnect();
  return values.map((v) => v.slice(0, 8));
}

describe('tskafka/kafkajs CompressionCodecs, differential against kafkajs 2.2.4', () => {
  it('without a registered codec KafkaJS refuses Snappy; tskafka/kafkajs sends and reads it', async () => {
    const r = await both(async (ctx) =>
      sendAndRead(ctx, 'plain-snappy', ctx.lib.CompressionTypes.Snappy).catch((e: unknown) => ({
        ...describeError(e),
        message: (e as Error).message,
      })),
    );
    expect(r.kafkajs).toMatchObject({ name: 'KafkaJSNotImplemented' });
    expect(r.ours).toEqual(['value 0 ', 'value 1 ', 'value 2 ']);
  });

  it('a registered codec: both read back the same messages; KafkaJS calls it, tskafka keeps its own', async () => {
    const r = await both(async (ctx) => {
      const codecs = ctx.lib.CompressionCodecs as Record<number, () => unknown>;
      const { Snappy, ZSTD } = ctx.lib.CompressionTypes;
      const before = { snappy: codecs[Snappy], zstd: codecs[ZSTD] };
      const snappy = countingCodec(CompressionType.Snappy);
      const zstd = countingCodec(CompressionType.Zstd);
      codecs[Snappy] = () => snappy.codec;
      codecs[ZSTD] = () => zstd.codec;
      try {
        return {
          snappy: await sendAndRead(ctx, 'snappy', Snappy),
          zstd: await sendAndRead(ctx, 'zstd', ZSTD),
          calls: { snappy: snappy.calls, zstd: zstd.calls },
        };
      } finally {
        codecs[Snappy] = before.snappy;
        codecs[ZSTD] = before.zstd;
      }
    });
    expect(r.kafkajs.snappy).toEqual(['value 0 ', 'value 1 ', 'value 2 ']);
    expect(r.ours.snappy).toEqual(r.kafkajs.snappy);
    expect(r.ours.zstd).toEqual(r.kafkajs.zstd);
    expect(r.kafkajs.calls.snappy).toEqual({ compress: 1, decompress: 1 });
    expect(r.kafkajs.calls.zstd).toEqual({ compress: 1, decompress: 1 });
    // The documented difference: tskafka's built-in codecs write and read these batches.
    expect(r.ours.calls).toEqual({
      snappy: { compress: 0, decompress: 0 },
      zstd: { compress: 0, decompress: 0 },
    });
  });
});
