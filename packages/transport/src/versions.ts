/**
 * API version negotiation: what a broker's ApiVersions response lists, intersected with what
 * this client's schemas cover. The version used for each API is the highest both sides support,
 * computed once per connection into a flat table so the hot path reads one array slot.
 *
 * @module
 */
import { type ApiDef, apiByKey, decodeResponse } from '@tskafka/protocol/internals';
import { UnsupportedApiVersionError } from './errors.js';

const UNSUPPORTED_VERSION = 35;
const API_VERSIONS_KEY = 18;

/** One API as a broker lists it in its ApiVersions response. */
export interface BrokerApiVersion {
  /** The API key. */
  readonly apiKey: number;
  /** Lowest version the broker supports. */
  readonly minVersion: number;
  /** Highest version the broker supports. */
  readonly maxVersion: number;
}

/** The ApiVersions request version to retry with after an UNSUPPORTED_VERSION answer (KIP-511). */
export function apiVersionsRetryVersion(
  brokerApis: readonly BrokerApiVersion[],
  sent: number,
  ourMin: number,
): number | null {
  const entry = brokerApis.find((a) => a.apiKey === 18);
  // A broker that lists no ApiVersions range understands at least v0 (Java falls back to v0).
  const theirMax = entry === undefined ? 0 : entry.maxVersion;
  const next = Math.min(theirMax, sent - 1);
  return next >= ourMin ? next : null;
}

/**
 * The broker's supported versions per API, and the version this client uses for each: the
 * highest in both ranges.
 */
export class ApiVersionTable {
  /** What the broker listed, by API key. */
  readonly brokerApis: ReadonlyMap<number, BrokerApiVersion>;
  /** Negotiated version by API key; -1 where there is none. */
  private readonly negotiated: Int16Array;
  private readonly describe: string;

  /** Negotiates every API this client has a schema for; `broker` names the broker in errors. */
  constructor(apis: readonly BrokerApiVersion[], broker = '') {
    const map = new Map<number, BrokerApiVersion>();
    let maxKey = 0;
    for (const a of apis) {
      map.set(a.apiKey, { apiKey: a.apiKey, minVersion: a.minVersion, maxVersion: a.maxVersion });
      if (a.apiKey > maxKey) maxKey = a.apiKey;
    }
    this.brokerApis = map;
    this.describe = broker;
    this.negotiated = new Int16Array(maxKey + 1).fill(-1);
    for (const a of map.values()) {
      const def = a.apiKey >= 0 ? apiByKey(a.apiKey) : undefined;
      if (def === undefined) continue;
      const max = Math.min(def.maxVersion, a.maxVersion);
      this.negotiated[a.apiKey] = max >= Math.max(def.minVersion, a.minVersion) ? max : -1;
    }
  }

  /** The broker's range for `api`, or undefined if it does not list it. */
  brokerRange(api: ApiDef | number): BrokerApiVersion | undefined {
    return this.brokerApis.get(typeof api === 'number' ? api : api.key);
  }

  /** Whether some version of `api` is usable with this broker. */
  supports(api: ApiDef): boolean {
    return api.key < this.negotiated.length && this.negotiated[api.key] >= 0;
  }

  /**
   * The version to use for `api`: the highest that both sides support, at most `maxVersion` and
   * at least `minVersion` when given. Throws {@link UnsupportedApiVersionError} naming the API
   * and both ranges when there is none.
   */
  versionFor(api: ApiDef, maxVersion?: number, minVersion?: number): number {
    const v = api.key < this.negotiated.length ? this.negotiated[api.key] : -1;
    if (v >= 0 && maxVersion === undefined && minVersion === undefined) return v;
    return this.slowVersionFor(api, maxVersion, minVersion);
  }

  private slowVersionFor(api: ApiDef, maxVersion?: number, minVersion?: number): number {
    const clientMin = Math.max(api.minVersion, minVersion ?? 0);
    const clientMax = Math.min(api.maxVersion, maxVersion ?? api.maxVersion);
    const broker = this.brokerApis.get(api.key);
    if (broker !== undefined) {
      const v = Math.min(clientMax, broker.maxVersion);
      if (v >= Math.max(clientMin, broker.minVersion)) return v;
    }
    throw new UnsupportedApiVersionError(
      api.name,
      api.key,
      { min: clientMin, max: clientMax },
      broker === undefined ? null : { min: broker.minVersion, max: broker.maxVersion },
      this.describe === '' ? {} : { broker: this.describe },
    );
  }
}

/**
 * Decodes a response body. A broker that cannot parse our ApiVersions version answers
 * UNSUPPORTED_VERSION in a v0 body (KIP-511), though some keep the version asked for: as Java's
 * `ApiVersionsResponse.parse`, one encoding is tried, then the other. An UNSUPPORTED_VERSION
 * answer that fits neither (librdkafka 2.0's mock cluster miscounts its array) is taken as
 * listing nothing, which makes the client retry with v0, as Java does without a listed range.
 */
export function decodeResponseBody(api: ApiDef, version: number, frame: Buffer): unknown {
  if (api.key === API_VERSIONS_KEY && version > 0) {
    const unsupported = frame.length >= 6 && frame.readInt16BE(4) === UNSUPPORTED_VERSION;
    try {
      return decodeResponse(api, unsupported ? 0 : version, frame).body;
    } catch (e) {
      try {
        return decodeResponse(api, unsupported ? version : 0, frame).body;
      } catch {
        if (unsupported) return { errorCode: UNSUPPORTED_VERSION, apiKeys: [] };
        throw e;
      }
    }
  }
  return decodeResponse(api, version, frame).body;
}
