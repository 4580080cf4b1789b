/**
 * Version ranges as the Kafka message definitions write them: `"3+"`, `"0-2"`, `"5"`, `"none"`.
 */

/** An inclusive version range; `none` is `{ min: 0, max: -1 }`. */
export interface VersionRange {
  /** Lowest version in the range. */
  readonly min: number;
  /** Highest version in the range (`Infinity` for an open range such as `"3+"`). */
  readonly max: number;
}

const NONE: VersionRange = { min: 0, max: -1 };
const cache = new Map<string, VersionRange>();

/** Parses a version range string. Throws on anything that is not one. */
export function parseVersions(spec: string): VersionRange {
  let r = cache.get(spec);
  if (r) return r;
  if (spec === 'none') r = NONE;
  else {
    const m = /^(\d+)(?:(\+)|-(\d+))?$/.exec(spec);
    if (!m) throw new Error(`invalid version range "${spec}"`);
    const min = Number(m[1]);
    r = { min, max: m[2] ? Number.POSITIVE_INFINITY : m[3] !== undefined ? Number(m[3]) : min };
  }
  cache.set(spec, r);
  return r;
}

/** Whether `version` is in the range `spec`. */
export function inVersions(spec: string | undefined, version: number): boolean {
  if (spec === undefined) return false;
  const r = parseVersions(spec);
  return version >= r.min && version <= r.max;
}
