/**
 * What the client commands share: `--bootstrap-server` and `--command-config`, `k=v` flags, the
 * admin client, one-line errors, and timeouts short enough that an unreachable broker fails a
 * script within seconds.
 */
import { readFileSync } from 'node:fs';
import type { Admin } from '@tskafka/admin';
import { KafkaError, SaslAuthenticationFailedError } from '@tskafka/protocol';
import { ConfigError, SaslAuthenticationError, silentLogger } from '@tskafka/transport';
import { parsePropertiesEntries } from '@tskafka/transport/internals';
import { Kafka } from 'tskafka';
import { CliError } from '../errors.js';

/** Client properties by Kafka's names, e.g. `{ 'linger.ms': '5' }`. */
export type ClientProperties = Record<string, string>;

/**
 * Settings that keep a command line client from waiting 60 s on a broker that is not there;
 * a `--command-config` file or `--*-property` flag may raise them.
 */
const FAST_FAIL: ClientProperties = {
  'socket.connection.setup.timeout.ms': '3000',
  'socket.connection.setup.timeout.max.ms': '3000',
  'request.timeout.ms': '10000',
  'reconnect.backoff.max.ms': '1000',
};

/**
 * Joins a flag and a negative number after it (`--throughput -1` → `--throughput=-1`), which
 * `parseArgs` would otherwise take for an option.
 */
export function joinNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const next = argv[i + 1];
    if (a.startsWith('--') && !a.includes('=') && next !== undefined && /^-\d/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** Splits `name=value` flags into properties; `flag` names the option in the error. */
export function parseKeyValues(entries: readonly string[], flag: string): ClientProperties {
  const out: ClientProperties = {};
  for (const e of entries) {
    const eq = e.indexOf('=');
    if (eq <= 0) throw new CliError(`${flag}: expected name=value, got "${e}"`, 2);
    out[e.slice(0, eq).trim()] = e.slice(eq + 1).trim();
  }
  return out;
}

/** Reads a `.properties` file as Kafka's names and values. */
export function readPropertiesFile(file: string, flag = '--command-config'): ClientProperties {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(
      `${flag}: cannot read "${file}": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  const out: ClientProperties = {};
  try {
    for (const entry of parsePropertiesEntries(text, file)) out[entry.key] = String(entry.value);
  } catch (e) {
    throw new CliError(`${flag}: ${(e as Error).message}`);
  }
  return out;
}

/**
 * The client properties of a command: fast-fail timeouts, then the `--command-config` file, then
 * flags, then `--bootstrap-server`, which is required (from the flag or the file).
 */
export function clientProperties(
  bootstrap: string | undefined,
  commandConfig: string | undefined,
  overrides: ClientProperties = {},
): ClientProperties {
  const props: ClientProperties = {
    ...FAST_FAIL,
    ...(commandConfig === undefined ? {} : readPropertiesFile(commandConfig)),
    ...overrides,
  };
  if (bootstrap !== undefined) props['bootstrap.servers'] = bootstrap;
  if (!props['bootstrap.servers']) throw new CliError('missing required option --bootstrap-server', 2);
  return props;
}

/** A client factory over `props`; configuration errors become one-line CLI errors. */
export function kafkaFor(props: ClientProperties): Kafka {
  try {
    return Kafka.fromProperties(props);
  } catch (e) {
    throw asCliError(e);
  }
}

/** How long the commands' admin client tries the bootstrap addresses unless `default.api.timeout.ms` says. */
const CONNECT_TIMEOUT_MS = 2000;

/**
 * An admin client over `props` (quiet, and failing calls within seconds unless the properties say
 * otherwise), connected: fails with one line naming the servers when none answers, or saying that
 * authentication failed.
 */
export async function connectAdmin(props: ClientProperties): Promise<Admin> {
  const admin = kafkaFor(props).admin({
    logger: silentLogger,
    ...(props['client.id'] === undefined ? { clientId: 'tskafka-cli' } : {}),
    ...(props['default.api.timeout.ms'] === undefined ? { defaultApiTimeoutMs: 5000 } : {}),
  });
  try {
    // A wrong address should fail within seconds; a broker restarting meanwhile is still waited for.
    await admin.connect(
      props['default.api.timeout.ms'] === undefined ? { timeoutMs: CONNECT_TIMEOUT_MS } : {},
    );
  } catch (e) {
    await admin.close().catch(() => {});
    throw connectFailure(e, props);
  }
  return admin;
}

/** Why a client could not connect, as one line: authentication, or an unreachable broker. */
export function connectFailure(e: unknown, props: ClientProperties): CliError {
  if (e instanceof CliError) return e;
  if (e instanceof ConfigError) return new CliError(oneLine(e.message), 2);
  const auth = authenticationFailure(e);
  if (auth !== undefined) return auth;
  return new CliError(
    `cannot reach the broker at ${props['bootstrap.servers']}: ${oneLine((e as Error)?.message ?? String(e))}`,
  );
}

/** The authentication error in `e` or its causes, as one line; undefined when there is none. */
function authenticationFailure(e: unknown): CliError | undefined {
  for (let c = e, depth = 0; c instanceof Error && depth < 5; c = c.cause, depth++) {
    if (c instanceof SaslAuthenticationError || c instanceof SaslAuthenticationFailedError)
      return new CliError(`authentication failed: ${oneLine(c.message)}`);
  }
  return undefined;
}

/**
 * A Kafka error about `what` (`topic "orders"`) as one line, `what: NAME: description`, as the
 * commands print it; other errors as {@link asCliError} makes them.
 */
export function kafkaFailure(e: unknown, what: string): CliError {
  if (e instanceof KafkaError) return new CliError(`${what}: ${e.errorName}: ${oneLine(e.description)}`);
  return asCliError(e);
}

/** Makes an error a {@link CliError} with a one-line message. */
export function asCliError(e: unknown): CliError {
  if (e instanceof CliError) return e;
  if (e instanceof ConfigError) return new CliError(oneLine(e.message), 2);
  const auth = authenticationFailure(e);
  if (auth !== undefined) return auth;
  return new CliError(oneLine((e as Error)?.message ?? String(e)));
}

/** The first line of `s`, trimmed, for messages a script greps. */
export function oneLine(s: string): string {
  return s.split('\n')[0]?.trim() ?? '';
}

/** Parses an integer flag, or fails naming the flag. */
export function intFlag(value: string | undefined, flag: string, min = Number.MIN_SAFE_INTEGER): number {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isInteger(n) || n < min)
    throw new CliError(
      `${flag}: expected an integer${min > Number.MIN_SAFE_INTEGER ? ` >= ${min}` : ''}, got "${value}"`,
      2,
    );
  return n;
}

/** Rejects after `ms` with a one-line message; for steps that must fail fast. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CliError(`${what}: timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
