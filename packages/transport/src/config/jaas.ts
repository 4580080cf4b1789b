/**
 * `sasl.jaas.config`, the JAAS login-module line Java clients take their SASL credentials from:
 *
 * ```properties
 * sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required \
 *   username="alice" password="alice-secret";
 * ```
 *
 * @module
 */

import { ConfigValueError } from './schema.js';

/** A parsed `sasl.jaas.config`: one login module entry. */
export interface JaasConfig {
  /** The login module class, e.g. `org.apache.kafka.common.security.plain.PlainLoginModule`. */
  loginModule: string;
  /** The control flag: `required`, `requisite`, `sufficient` or `optional`. */
  controlFlag: 'required' | 'requisite' | 'sufficient' | 'optional';
  /** The module options (`username`, `password`, ...), unquoted. */
  options: Record<string, string>;
}

/** The PLAIN login module class. */
export const PLAIN_LOGIN_MODULE = 'org.apache.kafka.common.security.plain.PlainLoginModule';
/** The SCRAM login module class (SCRAM-SHA-256 and SCRAM-SHA-512). */
export const SCRAM_LOGIN_MODULE = 'org.apache.kafka.common.security.scram.ScramLoginModule';

const FLAGS = ['required', 'requisite', 'sufficient', 'optional'] as const;

/**
 * Parses a `sasl.jaas.config` value as Java's `JaasConfig` does: `LoginModule flag key=value ... ;`
 * where values are words or single/double-quoted strings (with backslash escapes), and `//` and
 * `/* *\/` comments are allowed. A client takes exactly one login module.
 *
 * @throws ConfigValueError on a syntax error (without echoing values, which hold passwords).
 */
export function parseJaasConfig(text: string): JaasConfig {
  const tokens = tokenize(text);
  let i = 0;
  const next = (what: string): Token => {
    const t = tokens[i++];
    if (t === undefined) throw new ConfigValueError(`JAAS config ended where ${what} was expected`);
    return t;
  };
  const module = next('a login module class');
  if (module.kind !== 'word') throw new ConfigValueError('JAAS config must start with a login module class');
  const flag = next('a control flag (required, requisite, sufficient, optional)');
  const controlFlag = FLAGS.find((f) => flag.kind === 'word' && f === flag.text.toLowerCase());
  if (controlFlag === undefined) {
    throw new ConfigValueError(
      'JAAS config: expected a control flag (required, requisite, sufficient, optional) after the login module',
    );
  }
  const options: Record<string, string> = {};
  for (;;) {
    const t = next('";" at the end of the login module entry');
    if (t.kind === ';') break;
    if (t.kind !== 'word') throw new ConfigValueError('JAAS config: expected an option name');
    if (next(`"=" after ${t.text}`).kind !== '=')
      throw new ConfigValueError(`JAAS config: expected "=" after ${t.text}`);
    const value = next(`a value for ${t.text}`);
    if (value.kind !== 'word' && value.kind !== 'quoted')
      throw new ConfigValueError(`JAAS config: expected a value for ${t.text}`);
    options[t.text] = value.text;
  }
  if (i < tokens.length) {
    throw new ConfigValueError(
      `JAAS config has ${countEntries(tokens)} login modules; a client takes exactly 1`,
    );
  }
  return { loginModule: module.text, controlFlag, options };
}

type Token = { kind: 'word' | 'quoted'; text: string } | { kind: '=' | ';'; text: string };

function countEntries(tokens: Token[]): number {
  return tokens.filter((t) => t.kind === ';').length + (tokens[tokens.length - 1]?.kind === ';' ? 0 : 1);
}

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '/' && s[i + 1] === '/') {
      while (i < s.length && s[i] !== '\n' && s[i] !== '\r') i++;
    } else if (c === '/' && s[i + 1] === '*') {
      const end = s.indexOf('*/', i + 2);
      if (end < 0) throw new ConfigValueError('JAAS config: unterminated /* comment');
      i = end + 2;
    } else if (c === '=' || c === ';') {
      out.push({ kind: c, text: c });
      i++;
    } else if (c === '"' || c === "'") {
      let text = '';
      i++;
      for (;;) {
        if (i >= s.length) throw new ConfigValueError('JAAS config: unterminated quoted value');
        const d = s[i++];
        if (d === c) break;
        if (d === '\\' && i < s.length) {
          const e = s[i++];
          text += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
        } else text += d;
      }
      out.push({ kind: 'quoted', text });
    } else {
      const m = /^[^\s=;"'/]+/.exec(s.slice(i));
      if (m === null) throw new ConfigValueError(`JAAS config: unexpected character ${JSON.stringify(c)}`);
      out.push({ kind: 'word', text: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

/** Whether `value` is a parsed {@link JaasConfig} (given as an object rather than text). */
export function isJaasConfig(value: unknown): value is JaasConfig {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<JaasConfig>;
  return (
    typeof v.loginModule === 'string' &&
    typeof v.controlFlag === 'string' &&
    (FLAGS as readonly string[]).includes(v.controlFlag) &&
    typeof v.options === 'object' &&
    v.options !== null &&
    Object.values(v.options).every((x) => typeof x === 'string')
  );
}
