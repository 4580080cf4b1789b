/**
 * Reads Apache Kafka's official message definitions from ../shared/kafka-protocol/messages/.
 * They are never copied into this repository; tests read them in place.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** Where the official definitions live (the repository sits beside `shared/`). */
export const OFFICIAL_DIR = resolve(here, '../../../../shared/kafka-protocol/messages');

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

/** Whether the official definitions are present (they are in CI and in every checkout). */
export function officialAvailable(): boolean {
  return existsSync(OFFICIAL_DIR);
}

/** Names of every definition file. */
export function officialNames(): string[] {
  return readdirSync(OFFICIAL_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5));
}
