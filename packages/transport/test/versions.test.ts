import { ApiKey } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import { describe, expect, it } from 'vitest';
import { ApiVersionTable, apiVersionsRetryVersion, UnsupportedApiVersionError } from '../src/internals.js';

describe('ApiVersionTable', () => {
  const table = new ApiVersionTable(
    [
      { apiKey: ApiKey.Produce, minVersion: 3, maxVersion: 99 },
      { apiKey: ApiKey.Metadata, minVersion: 0, maxVersion: 7 },
      { apiKey: ApiKey.ListOffsets, minVersion: 0, maxVersion: 3 },
      { apiKey: ApiKey.Fetch, minVersion: 40, maxVersion: 50 },
      { apiKey: 1000, minVersion: 0, maxVersion: 1 },
    ],
    '7 (example:9092)',
  );

  it('uses the highest version both sides support', () => {
    expect(table.versionFor(Api.Produce)).toBe(Api.Produce.maxVersion);
    expect(table.versionFor(Api.Metadata)).toBe(7);
    expect(table.versionFor(Api.ListOffsets)).toBe(3);
    expect(table.supports(Api.Metadata)).toBe(true);
  });

  it('honours a caller cap and floor', () => {
    expect(table.versionFor(Api.Metadata, 4)).toBe(4);
    expect(table.versionFor(Api.Produce, undefined, 5)).toBe(Api.Produce.maxVersion);
    expect(() => table.versionFor(Api.Produce, 2)).toThrow(
      /this client supports v0-2, the broker supports v3-99/,
    );
    expect(() => table.versionFor(Api.ListOffsets, undefined, 4)).toThrow(UnsupportedApiVersionError);
  });

  it('names the API, both ranges and the broker when there is no common version', () => {
    expect(table.supports(Api.Fetch)).toBe(false);
    let caught: unknown;
    try {
      table.versionFor(Api.Fetch);
    } catch (e) {
      caught = e;
    }
    const e = caught as UnsupportedApiVersionError;
    expect(e).toBeInstanceOf(UnsupportedApiVersionError);
    expect(e.message).toBe(
      `no common version of Fetch (key 1): this client supports v0-${Api.Fetch.maxVersion}, ` +
        'the broker supports v40-50 [Fetch to broker 7 (example:9092)]',
    );
    expect([e.brokerMinVersion, e.brokerMaxVersion, e.clientMinVersion]).toEqual([40, 50, 0]);
    expect(() => table.versionFor(Api.JoinGroup)).toThrow(/the broker does not support it/);
  });

  it('picks the ApiVersions version to retry with after UNSUPPORTED_VERSION', () => {
    const listed = [{ apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 2 }];
    expect(apiVersionsRetryVersion(listed, 4, 0)).toBe(2);
    expect(apiVersionsRetryVersion(listed, 2, 0)).toBe(1);
    expect(apiVersionsRetryVersion([], 3, 0)).toBe(0);
    expect(apiVersionsRetryVersion([], 0, 0)).toBeNull();
  });
});
