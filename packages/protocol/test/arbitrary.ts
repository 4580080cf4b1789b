/**
 * fast-check arbitraries that follow a schema at one version: every value they produce is a
 * valid message of that version, with fields absent from it left out.
 */
import fc from 'fast-check';
import type { FieldDef, FieldType, PrimitiveType, StructDef } from '../src/schema/dsl.js';
import { inVersions } from '../src/schema/versions.js';

const INT_RANGES: Record<string, [number, number]> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
};

function primitive(type: PrimitiveType): fc.Arbitrary<unknown> {
  const r = INT_RANGES[type];
  if (r) return fc.integer({ min: r[0], max: r[1] });
  switch (type) {
    case 'bool':
      return fc.boolean();
    case 'int64':
      return fc.maxSafeInteger();
    case 'float64':
      return fc.double();
    case 'string':
      return fc.string({ unit: 'binary', maxLength: 20 });
    case 'uuid':
      return fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('base64url'));
    default:
      return fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b));
  }
}

function typeArb(type: FieldType, version: number, depth: number): fc.Arbitrary<unknown> {
  if (typeof type === 'string') return primitive(type);
  if (type.kind === 'array') {
    return fc.array(typeArb(type.element, version, depth + 1), { maxLength: depth > 2 ? 1 : 3 });
  }
  return structArb(type, version, depth + 1);
}

function fieldArb(f: FieldDef, version: number, depth: number): fc.Arbitrary<unknown> {
  const a = typeArb(f.type, version, depth);
  return inVersions(f.options.nullableVersions, version) ? fc.option(a, { nil: null }) : a;
}

/** Values of `def` at `version`: only fields on the wire in that version. */
export function structArb(def: StructDef, version: number, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const rec: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, f] of Object.entries(def.fields)) {
    if (inVersions(f.options.versions ?? '0+', version)) rec[name] = fieldArb(f, version, depth);
  }
  return fc.record(rec);
}
