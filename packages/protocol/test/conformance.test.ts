/**
 * Holds every schema of ours against Apache Kafka's official message definitions, field by field:
 * names, order, types, versions, nullable and tagged versions, tags, defaults, ignorable.
 * A schema that drifts from the official definition fails here.
 */
import { describe, expect, it } from 'vitest';
import * as messages from '../src/messages/index.js';
import type { FieldDef, FieldType, MessageDef, StructDef } from '../src/schema/dsl.js';
import { parseVersions } from '../src/schema/versions.js';
import { type OfficialField, type OfficialMessage, readOfficial } from './official.js';

const ours = (Object.values(messages) as unknown[]).filter(
  (v): v is MessageDef => typeof v === 'object' && v !== null && (v as MessageDef).kind === 'struct',
);

/** Versions of `spec` inside `valid`, as a sorted list. */
function versionSet(spec: string | undefined, valid: { min: number; max: number }): number[] {
  if (spec === undefined) return [];
  const r = parseVersions(spec);
  const out: number[] = [];
  for (let v = Math.max(r.min, valid.min); v <= Math.min(r.max, valid.max); v++) out.push(v);
  return out;
}

function officialDefault(f: OfficialField): unknown {
  const d = f.default;
  if (d === undefined) return undefined;
  if (typeof d !== 'string') return d;
  if (d === 'null') return null;
  if (f.type === 'bool') return d === 'true';
  if (/^(u?int(8|16|32|64)|float64)$/.test(f.type))
    return Number(d.startsWith('0x') ? Number.parseInt(d, 16) : d);
  return d;
}

function typeName(t: FieldType): string {
  if (typeof t === 'string') return t;
  if (t.kind === 'array') return `[]${typeof t.element === 'string' ? t.element : t.element.name}`;
  return t.name;
}

function structOf(t: FieldType): StructDef | undefined {
  if (typeof t === 'string') return undefined;
  if (t.kind === 'array') return typeof t.element === 'string' ? undefined : t.element;
  return t;
}

function compareFields(
  path: string,
  mine: Record<string, FieldDef>,
  theirs: OfficialField[],
  official: OfficialMessage,
  valid: { min: number; max: number },
): void {
  const names = Object.keys(mine);
  expect(names, `${path}: field names and order`).toEqual(
    theirs.map((f) => f.name[0].toLowerCase() + f.name.slice(1)),
  );
  theirs.forEach((f, i) => {
    const m = mine[names[i]];
    const where = `${path}.${names[i]}`;
    expect(typeName(m.type), `${where}: type`).toBe(f.type);
    const o = m.options;
    expect(versionSet(o.versions ?? '0+', valid), `${where}: versions`).toEqual(
      versionSet(f.versions ?? '0+', valid),
    );
    expect(versionSet(o.nullableVersions, valid), `${where}: nullableVersions`).toEqual(
      versionSet(f.nullableVersions, valid),
    );
    expect(versionSet(o.taggedVersions, valid), `${where}: taggedVersions`).toEqual(
      versionSet(f.taggedVersions, valid),
    );
    expect(o.tag, `${where}: tag`).toBe(f.tag === undefined ? undefined : Number(f.tag));
    expect(o.default, `${where}: default`).toEqual(officialDefault(f));
    expect(Boolean(o.ignorable), `${where}: ignorable`).toBe(Boolean(f.ignorable));
    expect(o.flexibleVersions, `${where}: flexibleVersions`).toBe(f.flexibleVersions);
    const sub = structOf(m.type);
    const subFields =
      f.fields ?? official.commonStructs?.find((c) => c.name === f.type.replace(/^\[\]/, ''))?.fields;
    if (sub || subFields) {
      expect(sub, `${where}: is a struct`).toBeDefined();
      expect(subFields, `${where}: official struct ${f.type} found`).toBeDefined();
      compareFields(where, sub!.fields, subFields!, official, valid);
    }
  });
}

const REQUIRED_APIS = [
  'Produce',
  'Fetch',
  'ListOffsets',
  'Metadata',
  'OffsetCommit',
  'OffsetFetch',
  'FindCoordinator',
  'JoinGroup',
  'Heartbeat',
  'LeaveGroup',
  'SyncGroup',
  'DescribeGroups',
  'ListGroups',
  'SaslHandshake',
  'ApiVersions',
  'CreateTopics',
  'DeleteTopics',
  'DeleteRecords',
  'InitProducerId',
  'AddPartitionsToTxn',
  'AddOffsetsToTxn',
  'EndTxn',
  'WriteTxnMarkers',
  'TxnOffsetCommit',
  'DescribeConfigs',
  'AlterConfigs',
  'SaslAuthenticate',
  'CreatePartitions',
  'DeleteGroups',
  'ElectLeaders',
  'IncrementalAlterConfigs',
  'OffsetDelete',
  'DescribeCluster',
];

describe('schemas match the official Kafka message definitions', () => {
  it('covers every API the foundation requires, plus the consumer protocol data and headers', () => {
    const names = new Set(ours.map((m) => m.name));
    for (const api of REQUIRED_APIS) {
      expect(names, api).toContain(`${api}Request`);
      expect(names, api).toContain(`${api}Response`);
    }
    for (const n of [
      'ConsumerProtocolSubscription',
      'ConsumerProtocolAssignment',
      'RequestHeader',
      'ResponseHeader',
    ]) {
      expect(names).toContain(n);
    }
  });

  for (const m of ours) {
    it(`${m.name}`, () => {
      const official = readOfficial(m.name);
      expect(m.type).toBe(official.type);
      expect(m.apiKey).toBe(official.apiKey);
      expect(m.flexibleVersions).toBe(official.flexibleVersions);
      // We cover every valid version of the snapshot, which includes everything Kafka 4.0 accepts.
      expect(parseVersions(m.validVersions)).toEqual(parseVersions(official.validVersions));
      compareFields(m.name, m.fields, official.fields, official, parseVersions(official.validVersions));
    });
  }
});
