/**
 * Framing: header versions, whole frames in and out, a stream split at every byte offset,
 * and oversized or negative size prefixes.
 */
import { describe, expect, it } from 'vitest';
import { Api } from '../src/api.js';
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
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
});
