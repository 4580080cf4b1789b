/**
 * Java `.properties` files, as `java.util.Properties.load` reads them (`client.properties`,
 * `producer.properties`): the format Kafka's own tools take.
 *
 * @module
 */

import { ConfigError } from './errors.js';

/** One parsed entry with the line it started on, for error messages. */
export interface PropertiesEntry {
  /** The key, unescaped. */
  key: string;
  /** The value, unescaped. */
  value: string;
  /** 1-based line where the entry starts. */
  line: number;
}

/**
 * Parses the text of a `.properties` file into key/value pairs; a repeated key keeps its last
 * value, as in Java. The rules of `Properties.load(Reader)`:
 * - lines end at `\n`, `\r` or `\r\n`; leading spaces, tabs and form feeds are skipped;
 * - a line whose first other character is `#` or `!` is a comment (and never continues);
 * - a line ending in an odd number of backslashes continues on the next line, whose leading
 *   whitespace is skipped;
 * - the key ends at the first unescaped `=`, `:` or whitespace; whitespace, then at most one `=`
 *   or `:`, then whitespace separate it from the value (`key=value`, `key: value`, `key value`);
 * - `\t`, `\n`, `\r`, `\f` and `\uXXXX` are escapes; a backslash before any other character
 *   stands for that character (`\=`, `\:`, `\ `, `\\`, `\#`).
 *
 * The text is taken as already decoded (we read files as UTF-8; Java's `load(InputStream)`
 * reads ISO-8859-1, the same for ASCII files).
 *
 * @param source - named in errors, e.g. the file path.
 * @throws ConfigError on a malformed `\uXXXX` escape, naming the line.
 */
export function parseProperties(text: string, source?: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const e of parsePropertiesEntries(text, source)) out[e.key] = e.value;
  return out;
}

/** Like {@link parseProperties}, but every entry in file order, with its line number. */
export function parsePropertiesEntries(text: string, source?: string): PropertiesEntry[] {
  const entries: PropertiesEntry[] = [];
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a UTF-8 byte order mark
  const n = text.length;
  let pos = 0;
  let lineNo = 1;
  while (pos < n) {
    // One logical line: natural lines joined where a line ends in an odd number of backslashes.
    const startLine = lineNo;
    let logical = '';
    let first = true;
    let comment = false;
    for (;;) {
      // Skip leading whitespace of this natural line.
      while (pos < n && isBlank(text.charCodeAt(pos))) pos++;
      let end = pos;
      while (end < n && text[end] !== '\n' && text[end] !== '\r') end++;
      const natural = text.slice(pos, end);
      pos = end;
      if (pos < n) {
        if (text[pos] === '\r' && text[pos + 1] === '\n') pos++;
        pos++;
        lineNo++;
      }
      if (first && (natural[0] === '#' || natural[0] === '!')) {
        comment = true;
        break;
      }
      first = false;
      let slashes = 0;
      for (let i = natural.length - 1; i >= 0 && natural[i] === '\\'; i--) slashes++;
      if (slashes % 2 === 1) {
        logical += natural.slice(0, -1);
        if (pos >= n) break; // a continuation at the end of the text continues into nothing
        continue;
      }
      logical += natural;
      break;
    }
    if (comment || logical === '') continue;
    const where = `${source === undefined ? '' : `${source}:`}${startLine}`;
    entries.push({ ...splitEntry(logical, where), line: startLine });
  }
  return entries;
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0c;
}

/** Splits one logical line into its unescaped key and value. */
function splitEntry(line: string, where: string): { key: string; value: string } {
  const n = line.length;
  let i = 0;
  // The key ends at the first unescaped separator or whitespace.
  while (i < n) {
    const c = line[i];
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (c === '=' || c === ':' || isBlank(line.charCodeAt(i))) break;
    i++;
  }
  const keyEnd = Math.min(i, n);
  while (i < n && isBlank(line.charCodeAt(i))) i++;
  if (i < n && (line[i] === '=' || line[i] === ':')) i++;
  while (i < n && isBlank(line.charCodeAt(i))) i++;
  return {
    key: unescapeProperty(line.slice(0, keyEnd), where),
    value: unescapeProperty(line.slice(i), where),
  };
}

function unescapeProperty(s: string, where: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = s[++i];
    if (e === undefined) break; // a lone trailing backslash stands for nothing, as in Java
    switch (e) {
      case 't':
        out += '\t';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 'f':
        out += '\f';
        break;
      case 'u': {
        const hex = s.slice(i + 1, i + 5);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
          throw new ConfigError(where, `malformed \\uXXXX escape "\\u${hex}"`);
        }
        out += String.fromCharCode(Number.parseInt(hex, 16));
        i += 4;
        break;
      }
      default:
        out += e;
    }
  }
  return out;
}

/**
 * Writes key/value pairs in the `.properties` format, one `key=value` per line, escaped so
 * that {@link parseProperties} (and Java's `Properties.load`) reads back exactly the same pairs:
 * backslashes, separators and comment characters are escaped, spaces in keys and leading spaces
 * in values too, and control characters become `\uXXXX`. Other characters are written as they
 * are (save the text as UTF-8).
 */
export function formatProperties(properties: Readonly<Record<string, string>>): string {
  let out = '';
  for (const [key, value] of Object.entries(properties)) {
    out += `${escapeProperty(key, true)}=${escapeProperty(value, false)}\n`;
  }
  return out;
}

function escapeProperty(s: string, isKey: boolean): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const code = s.charCodeAt(i);
    switch (c) {
      case '\\':
      case '=':
      case ':':
      case '#':
      case '!':
        out += `\\${c}`;
        break;
      case ' ':
        out += isKey || i === 0 ? '\\ ' : ' ';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\f':
        out += '\\f';
        break;
      default:
        out += code < 0x20 || code === 0x7f ? `\\u${code.toString(16).padStart(4, '0')}` : c;
    }
  }
  return out;
}
