/**
 * Round trips over every supported version of every schema: any valid value encodes, decodes to
 * the same value (absent fields become their defaults), and re-encodes to the same bytes. Every
 * truncation of an encoding fails with a ProtocolDecodeError naming the message and version.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as messages from '../src/messages/index.js';
import { ProtocolDecodeError } from '../src/primitives/errors.js';
import { Reader } from '../src/primitives/reader.js';
import { codecFor, decodeMessage, encodeMessage } from '../src/schema/codec.js';
import type { MessageDef } from '../src/schema/dsl.js';
import { parseVersions } from '../src/schema/versions.js';
import { structArb } from './arbitrary.js';

const all = (Object.values(messages) as unknown[]).filter(
  (v): v is MessageDef => typeof v === 'object' && v !== null && (v as MessageDef).kind === 'struct',
);

describe('every schema round-trips at every version', () => {
  for (const m of all) {
    const { min, max } = parseVersions(m.validVersions);
    it(`${m.name} v${min}-v${max}`, () => {
      for (let v = min; v <= max; v++) {
        fc.assert(
          fc.property(structArb(m, v), (value) => {
            const bytes = encodeMessage(m, v, value as never);
            const decoded = decodeMessage(m, v, new Reader(bytes)) as Record<string, unknown>;
            // Every field on the wire comes back as given.
            expect(pick(decoded, value)).toEqual(value);
            // Decoding is deterministic: re-encoding gives the same bytes.
            expect(encodeMessage(m, v, decoded as never).equals(bytes)).toBe(true);
            // Any truncation is a typed error naming the message and version, never a crash.
            for (const cut of [0, bytes.length >> 1, bytes.length - 1]) {
              if (cut < 0 || cut >= bytes.length) continue;
              let err: unknown;
              try {
                decodeMessage(m, v, new Reader(bytes.subarray(0, cut)));
              } catch (e) {
                err = e;
              }
              expect(err).toBeInstanceOf(ProtocolDecodeError);
              expect((err as Error).message).toContain(`${m.name} v${v}`);
            }
          }),
          { numRuns: 12 },
        );
      }
    });
  }
});

/** `decoded` restricted to the keys of `given`, recursively through structs and arrays. */
function pick(decoded: unknown, given: unknown): unknown {
  if (Array.isArray(given)) return (decoded as unknown[]).map((d, i) => pick(d, given[i]));
  if (given && typeof given === 'object' && !(given instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(given))
      out[k] = pick((decoded as Record<string, unknown>)[k], (given as Record<string, unknown>)[k]);
    return out;
  }
  return decoded;
}

describe('codec details', () => {
  it('fills absent fields with their defaults and keeps declared order', () => {
    const bytes = encodeMessage(messages.ProduceResponse, 1, {
      responses: [{ name: 't', partitionResponses: [{ index: 0, errorCode: 0, baseOffset: 5 }] }],
    });
    const d = decodeMessage(messages.ProduceResponse, 1, new Reader(bytes));
    expect(d.responses[0].partitionResponses[0].logAppendTimeMs).toBe(-1);
    expect(d.responses[0].partitionResponses[0].errorMessage).toBe(null);
    expect(Object.keys(d)).toEqual(['responses', 'throttleTimeMs', 'nodeEndpoints']);
  });

  it('refuses a non-ignorable field with a non-default value in a version without it', () => {
    expect(() =>
      encodeMessage(messages.ProduceRequest, 2, {
        transactionalId: 'tx',
        acks: 1,
        timeoutMs: 100,
        topicData: [],
      }),
    ).toThrow(/ProduceRequest v2: transactionalId: field is not in version 2/);
  });

  it('writes tagged fields only when they differ from their default, and skips unknown tags', () => {
    const base = { responses: [], throttleTimeMs: 0 };
    const without = encodeMessage(messages.ProduceResponse, 10, base);
    const withTag = encodeMessage(messages.ProduceResponse, 10, {
      ...base,
      nodeEndpoints: [{ nodeId: 1, host: 'h', port: 9092, rack: null }],
    });
    expect(without.length).toBeLessThan(withTag.length);
    // An older reader of the same version that does not know the tag still decodes the rest.
    expect(decodeMessage(messages.ProduceResponse, 10, new Reader(withTag)).nodeEndpoints[0].port).toBe(9092);
  });

  it('names the field path when decoding fails deep inside', () => {
    const bytes = encodeMessage(messages.MetadataResponse, 1, {
      brokers: [{ nodeId: 1, host: 'localhost', port: 9092, rack: null }],
      controllerId: 1,
      topics: [],
    });
    // Claim a longer host name than the bytes hold.
    const bad = Buffer.from(bytes);
    bad.writeInt16BE(500, 8);
    expect(() => decodeMessage(messages.MetadataResponse, 1, new Reader(bad))).toThrow(
      /MetadataResponse v1: brokers\[0\]\.host: needs 500 bytes/,
    );
  });

  it('rejects unsupported versions with a clear error', () => {
    expect(() => codecFor(messages.ProduceRequest, 99)).toThrow(
      /ProduceRequest v99 is not supported \(supported: 0-11\)/,
    );
  });

  it('never allocates what a hostile array count claims', () => {
    const w = Buffer.alloc(8);
    w.writeInt32BE(0x7fffffff, 0); // topics: 2^31-1 elements in 4 bytes
    expect(() => decodeMessage(messages.MetadataRequest, 1, new Reader(w))).toThrow(ProtocolDecodeError);
  });
});
