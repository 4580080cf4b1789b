/**
 * The broker's side of JAAS: where Kafka brokers take their SASL/PLAIN users from. Either a JAAS
 * file (what `-Djava.security.auth.login.config` names) with a `KafkaServer` section,
 *
 * ```
 * KafkaServer {
 *   org.apache.kafka.common.security.plain.PlainLoginModule required
 *     username="admin" password="admin-secret"
 *     user_admin="admin-secret" user_alice="alice-secret";
 * };
 * ```
 *
 * or the same login module entry as the value of a broker's
 * `listener.name.<listener>.plain.sasl.jaas.config`. `user_<name>="<password>"` options are the
 * users; `username`/`password` are what this broker logs in with to other brokers.
 */
import { BrokerConfigError } from '../config.js';

/** What a JAAS text holds for a broker. */
export interface JaasServerConfig {
  /** `user_<name>` options: user → password. */
  users: Record<string, string>;
  /** `username`/`password` options: the broker's own login to other brokers, if given. */
  login: { username: string; password: string } | null;
}

type Token = { kind: 'word' | 'quoted' | '{' | '}' | ';' | '='; text: string };

/**
 * Parses a JAAS file's `KafkaServer` section, or a bare login module entry list (a
 * `sasl.jaas.config` value). Errors name the problem, never a value (values are passwords).
 *
 * @throws BrokerConfigError on a syntax error or a file without a `KafkaServer` section.
 */
export function parseJaasServerConfig(text: string, source = 'JAAS config'): JaasServerConfig {
  const tokens = tokenize(text, source);
  let entries = tokens;
  if (tokens.some((t) => t.kind === '{')) {
    // A file of sections: `Name { entries };`; the broker reads KafkaServer (Kafka's default context).
    let at = 0;
    let found: Token[] | null = null;
    while (at < tokens.length) {
      const name = tokens[at];
      if (name.kind !== 'word' || tokens[at + 1]?.kind !== '{') {
        throw new BrokerConfigError(
          `${source}: expected "SectionName {" at section ${at === 0 ? 1 : 'after the last'}`,
        );
      }
      const close = tokens.findIndex((t, i) => i > at && t.kind === '}');
      if (close < 0) throw new BrokerConfigError(`${source}: section ${name.text} has no closing "}"`);
      if (name.text === 'KafkaServer') found = tokens.slice(at + 2, close);
      at = close + 1;
      if (tokens[at]?.kind === ';') at++;
    }
    if (!found) throw new BrokerConfigError(`${source}: no KafkaServer section`);
    entries = found;
  }
  const users: Record<string, string> = {};
  let username: string | undefined;
  let password: string | undefined;
  let i = 0;
  while (i < entries.length) {
    // LoginModuleClass flag (name=value)* ;
    const module = entries[i++];
    const flag = entries[i++];
    if (module?.kind !== 'word' || flag?.kind !== 'word') {
      throw new BrokerConfigError(`${source}: expected "LoginModuleClass required" at the start of an entry`);
    }
    for (;;) {
      const t = entries[i++];
      if (t === undefined) throw new BrokerConfigError(`${source}: a login module entry must end with ";"`);
      if (t.kind === ';') break;
      const eq = entries[i++];
      const value = entries[i++];
      if (t.kind !== 'word' || eq?.kind !== '=' || (value?.kind !== 'word' && value?.kind !== 'quoted')) {
        throw new BrokerConfigError(`${source}: expected name="value" in ${module.text}`);
      }
      if (t.text.startsWith('user_') && t.text.length > 5) users[t.text.slice(5)] = value.text;
      else if (t.text === 'username') username = value.text;
      else if (t.text === 'password') password = value.text;
    }
  }
  return {
    users,
    login: username !== undefined && password !== undefined ? { username, password } : null,
  };
}

function tokenize(text: string, source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (text.startsWith('//', i)) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw new BrokerConfigError(`${source}: unterminated comment`);
      i = end + 2;
    } else if (c === '{' || c === '}' || c === ';' || c === '=') {
      tokens.push({ kind: c, text: c });
      i++;
    } else if (c === '"' || c === "'") {
      let value = '';
      let j = i + 1;
      for (; j < text.length && text[j] !== c; j++) {
        if (text[j] === '\\' && j + 1 < text.length) j++;
        value += text[j];
      }
      if (j >= text.length) throw new BrokerConfigError(`${source}: unterminated quoted value`);
      tokens.push({ kind: 'quoted', text: value });
      i = j + 1;
    } else {
      const m = /^[^\s{}=;"']+/.exec(text.slice(i));
      const word = m ? m[0] : c;
      tokens.push({ kind: 'word', text: word });
      i += word.length;
    }
  }
  return tokens;
}
