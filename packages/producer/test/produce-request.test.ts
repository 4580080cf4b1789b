import { Api, encodeRecordBatch, encodeRequest } from '@tskafka/protocol/internals';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeProduceRequestParts } from '../src/produce-request.js';
import type { ProduceRequestData } from '../src/sender.js';

const batch = (n: number) =>
  encodeRecordBatch({
    records: Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
    timestamp: 1,
  });

describe('Produce requests written without the codec', () => {
  it('match encodeRequest byte for byte at every version, and send the batches themselves', () => {
    const arbRequest = fc.record({
      transactionalId: fc.option(fc.string({ maxLength: 20 }), { nil: null }),
      acks: fc.constantFrom(-1, 0, 1),
      timeoutMs: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      topicData: fc.array(
        fc.record({
          name: fc.string({ minLength: 1, maxLength: 30 }),
          partitionData: fc.array(
            fc.record({
              index: fc.integer({ min: 0, max: 1000 }),
              records: fc.integer({ min: 1, max: 5 }).map(batch),
            }),
            { maxLength: 4 },
          ),
        }),
        { maxLength: 4 },
      ),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 11 }),
        fc.option(fc.string({ maxLength: 20 }), { nil: null }),
        arbRequest,
        (version, clientId, req) => {
          const r = {
            ...req,
            transactionalId: version < 3 ? null : req.transactionalId,
          } as ProduceRequestData;
          const parts = encodeProduceRequestParts(version, clientId, r);
          expect(Buffer.concat(parts)).toEqual(encodeRequest(Api.Produce, version, 0, clientId, r));
          if (version >= 3) {
            // Zero copy: each batch is one of the parts, the very same buffer.
            for (const t of r.topicData) for (const p of t.partitionData) expect(parts).toContain(p.records);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
