import { describe, expect, it } from 'vitest';
import { main } from './main.js';

describe('examples/properties-file', () => {
  it('configures both clients from their .properties files and reads back what was sent', async () => {
    const lines: string[] = [];
    const result = await main((line) => lines.push(line));
    expect(result.producerConfig).toEqual({
      clientId: 'orders-producer',
      acks: 'all',
      lingerMs: 10,
      compression: 'lz4',
      idempotent: true,
    });
    expect(result.consumerConfig).toEqual({
      groupId: 'orders-readers',
      autoOffsetReset: 'earliest',
      enableAutoCommit: false,
      maxPollRecords: 100,
    });
    // StringDeserializer from the file: keys and values arrive as strings.
    expect(result.read).toEqual(['order-1=10 EUR', 'order-2=20 EUR', 'order-3=30 EUR']);
    expect(lines[0]).toMatch(/^producer from producer\.properties: client\.id=orders-producer/);
  });
});
