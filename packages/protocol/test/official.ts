/**
 * Reads Apache Kafka's official message definitions, kept in this repository as a test fixture
 * (`fixtures/kafka-messages/`, Apache-2.0, see the README there and NOTICE at the root).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** Where the official definitions live: Kafka's `clients/src/main/resources/common/message/`, copied unchanged. */
export const OFFICIAL_DIR = resolve(here, 'fixtures/kafka-messages');

export interface OfficialField {
  name: string;
  type: string;
  versions?: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number | string;
  default?: string | number | boolean;
  ignorable?: boolean;
  flexibleVersions?: string;
  about?: string;
  fields?: OfficialField[];
}

export interface OfficialMessage {
  apiKey?: number;
  type: 'request' | 'response' | 'header' | 'data';
  name: string;
  validVersions: string;
  flexibleVersions: string;
  deprecatedVersions?: string;
  latestVersionUnstable?: boolean;
  fields: OfficialField[];
  commonStructs?: { name: string; fields: OfficialField[] }[];
}

/** Parses one definition file: JSON with full-line `//` comments. */
export function readOfficial(name: string): OfficialMessage {
  const text = readFileSync(join(OFFICIAL_DIR, `${name}.json`), 'utf8');
  const json = text
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('//'))
    .join('\n');
  return JSON.parse(json) as OfficialMessage;
}

/** Names of every definition file. */
export function officialNames(): string[] {
  return readdirSync(OFFICIAL_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5));
}
