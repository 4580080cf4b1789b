/**
 * Framing: header versions, whole frames in and out, a stream split at every byte offset,
 * and oversized or negative size prefixes.
 */
import { describe, expect, it, vi } from 'vitest';
import { Api } from '../src/api.js';
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  encodeResponseParts,
  FrameDecoder,
  FrameSizeError,
  peekRequestHeader,
  requestHeaderVersion,
  responseHeaderVersion,
} from '../src/frame.js';

describe('header versions', () => {
  it('follows the flexible versions, with the ApiVersions response exception', () => {
    expect(requestHeaderVersion(Api.Produce, 8)).toBe(1);
    expect(requestHeaderVersion(Api.Produce, 9)).toBe(2);
    expect(responseHeaderVersion(Api.Produce, 9)).toBe(1);
    expect(requestHeaderVersion(Api.ApiVersions, 3)).toBe(2);
    expect(responseHeaderVersion(Api.ApiVersions, 3)).toBe(0);
    expect(responseHeaderVersion(Api.ApiVersions, 4)).toBe(0);
  });

  it('keeps ClientId a classic int16 string even in header v2', () => {
    const frame = encodeRequest(Api.ApiVersions, 3, 7, 'abc', {
      clientSoftwareName: 'x',
      clientSoftwareVersion: '1',
    });
    // size(4) apiKey(2) version(2) correlation(4) clientId: int16 length 3 + "abc", then tag section 0
    expect(frame.readInt16BE(12)).toBe(3);
    expect(frame.subarray(14, 17).toString()).toBe('abc');
    expect(frame[17]).toBe(0);
  });
});

describe('request and response frames', () => {
  const frames = [
    encodeRequest(Api.Metadata, 12, 1, 'client-1', {
      topics: [{ name: 'orders', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }],
      allowAutoTopicCreation: true,
      includeTopicAuthorizedOperations: false,
    }),
    encodeRequest(Api.Produce, 3, 2, null, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 30000,
      topicData: [{ name: 'orders', partitionData: [{ index: 0, records: Buffer.from('raw-batch') }] }],
    }),
    encodeRequest(Api.Heartbeat, 4, 3, 'c', {
      groupId: 'g',
      generationId: 5,
      memberId: 'm',
      groupInstanceId: null,
    }),
  ];

  it('decodes what it encodes, header included', () => {
    const decoded = decodeRequest(Api.Produce, frames[1].subarray(4));
    expect(decoded.header).toEqual({
      requestApiKey: 0,
      requestApiVersion: 3,
      correlationId: 2,
      clientId: null,
    });
    expect(decoded.body.topicData[0].partitionData[0].records?.toString()).toBe('raw-batch');
    expect(peekRequestHeader(frames[2].subarray(4))).toEqual({ apiKey: 12, apiVersion: 4, correlationId: 3 });
    const res = encodeResponse(Api.Heartbeat, 4, 3, { throttleTimeMs: 0, errorCode: 27 });
    expect(decodeResponse(Api.Heartbeat, 4, res.subarray(4))).toEqual({
      correlationId: 3,
      body: { throttleTimeMs: 0, errorCode: 27 },
    });
  });

  it('splits a stream into the same frames wherever the chunks break', () => {
    const stream = Buffer.concat(frames);
    const expected = frames.map((f) => f.subarray(4).toString('hex'));
    for (let a = 0; a <= stream.length; a++) {
      for (const b of [a, Math.min(stream.length, a + 1), Math.min(stream.length, a + 7), stream.length]) {
        const d = new FrameDecoder();
        const got: string[] = [];
        for (const chunk of [stream.subarray(0, a), stream.subarray(a, b), stream.subarray(b)]) {
          d.push(chunk, (f) => got.push(f.toString('hex')));
        }
        expect(got).toEqual(expected);
        expect(d.buffered).toBe(0);
      }
    }
  });

  it('rejects negative and oversized size prefixes without allocating them', () => {
    const d = new FrameDecoder(1024);
    const huge = Buffer.alloc(4);
    huge.writeInt32BE(0x7fffffff);
    expect(() => d.push(huge, () => {})).toThrow(FrameSizeError);
    const neg = Buffer.alloc(4);
    neg.writeInt32BE(-5);
    expect(() => new FrameDecoder().push(neg, () => {})).toThrow(/invalid frame size -5/);
    // A prefix split across chunks is checked as soon as its 4 bytes are in.
    const d2 = new FrameDecoder(1024);
    d2.push(huge.subarray(0, 2), () => {});
    expect(() => d2.push(huge.subarray(2), () => {})).toThrow(/exceeds the limit of 1024 bytes/);
  });

  it('checks a prefix against the limit before it allocates the frame', () => {
    const alloc = vi.spyOn(Buffer, 'allocUnsafe');
    const allocSlow = vi.spyOn(Buffer, 'allocUnsafeSlow');
    try {
      const huge = Buffer.alloc(6);
      huge.writeInt32BE(50 * 1024 * 1024);
      // The prefix whole in one chunk, with a body byte after it, and the prefix cut in two.
      expect(() => new FrameDecoder(1024).push(huge, () => {})).toThrow(FrameSizeError);
      const d = new FrameDecoder(1024);
      d.push(huge.subarray(0, 3), () => {});
      expect(() => d.push(huge.subarray(3), () => {})).toThrow(FrameSizeError);
      // (Joining the 4 bytes of a cut prefix may take a 4-byte buffer; nothing near the claim.)
      for (const spy of [alloc, allocSlow]) {
        for (const [size] of spy.mock.calls) expect(size).toBeLessThanOrEqual(4);
      }
    } finally {
      alloc.mockRestore();
      allocSlow.mockRestore();
    }
  });

  it('hands out several frames of one chunk as views of it', () => {
    const stream = Buffer.concat(frames);
    const got: Buffer[] = [];
    const d = new FrameDecoder();
    d.push(stream, (f) => got.push(f));
    expect(got.map((f) => f.toString('hex'))).toEqual(frames.map((f) => f.subarray(4).toString('hex')));
    for (const f of got) expect(f.buffer).toBe(stream.buffer);
    expect(d.buffered).toBe(0);
  });

  it('fills a frame that spans many chunks, whatever the chunk size', () => {
    const body = Buffer.alloc(70_000);
    for (let i = 0; i < body.length; i++) body[i] = (i * 31) & 0xff;
    const big = Buffer.concat([Buffer.alloc(4), body]);
    big.writeInt32BE(body.length);
    const stream = Buffer.concat([frames[0], big, frames[1], big, frames[2]]);
    const expected = [frames[0].subarray(4), body, frames[1].subarray(4), body, frames[2].subarray(4)].map(
      (f) => f.toString('hex'),
    );
    for (const step of [1, 2, 3, 5, 4096, 65_536, 70_003, 70_004, 70_005]) {
      const d = new FrameDecoder();
      const got: string[] = [];
      let handed = 0;
      let unaccounted = 0;
      for (let at = 0; at < stream.length; at += step) {
        d.push(stream.subarray(at, at + step), (f) => {
          got.push(f.toString('hex'));
          handed += 4 + f.length;
        });
        // Every byte fed is either handed out in a frame or still held.
        if (handed + d.buffered !== Math.min(stream.length, at + step)) unaccounted++;
      }
      expect(unaccounted).toBe(0);
      expect(got).toEqual(expected);
      expect(d.buffered).toBe(0);
    }
  });
});

describe('response frames in parts', () => {
  /** A Fetch v12 response body with one record set per partition, of the given sizes. */
  function fetchBody(sizes: number[]) {
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [
        {
          topic: 'parts',
          partitions: sizes.map((n, i) => ({
            partitionIndex: i,
            errorCode: 0,
            highWatermark: 100,
            lastStableOffset: 100,
            logStartOffset: 0,
            abortedTransactions: null,
            preferredReadReplica: -1,
            records: n < 0 ? null : Buffer.alloc(n, i + 1),
          })),
        },
      ],
    };
  }

  it('gives the bytes encodeResponse gives, with large record sets as parts of their own', () => {
    for (const version of [4, 11, 12]) {
      for (const sizes of [[10, 20], [40_000, -1, 16_384, 16_383, 0, 100_000], [70_000]]) {
        const body = fetchBody(sizes);
        const whole = encodeResponse(Api.Fetch, version, 9, body as never);
        const parts = encodeResponseParts(Api.Fetch, version, 9, body as never);
        expect(Buffer.concat(parts).equals(whole)).toBe(true);
        // Record sets of 16 KiB or more are the caller's buffers, not copies.
        const records: (Buffer | null)[] = body.responses[0].partitions.map((p) => p.records);
        const spliced = records.filter((r): r is Buffer => r !== null && r.length >= 16 * 1024);
        for (const r of spliced) expect(parts).toContain(r);
        expect(parts.filter((p) => records.includes(p))).toHaveLength(spliced.length);
        const copied = parts.filter((p) => !records.includes(p)).reduce((n, p) => n + p.length, 0);
        expect(copied).toBe(whole.length - spliced.reduce((n, r) => n + r.length, 0));
      }
    }
  });

  it('splices nothing with a threshold of 0, and decodes the same either way', () => {
    const body = fetchBody([50_000]);
    expect(encodeResponseParts(Api.Fetch, 12, 3, body as never, 0)).toHaveLength(1);
    const parts = encodeResponseParts(Api.Fetch, 12, 3, body as never);
    expect(parts.length).toBeGreaterThan(1);
    const decoded = decodeResponse(Api.Fetch, 12, Buffer.concat(parts).subarray(4));
    expect(
      decoded.body.responses[0].partitions[0].records?.equals(
        body.responses[0].partitions[0].records as Buffer,
      ),
    ).toBe(true);
  });
});
