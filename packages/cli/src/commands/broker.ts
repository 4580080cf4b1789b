/**
 * `tskafka broker [server.properties] [--port 9092] [--host H] [--data-dir DIR] [--brokers N]
 * [--override k=v]... [--users-file FILE] [--faults schedule.json]`: runs the reference broker
 * (or an in-process cluster) until SIGINT/SIGTERM, then stops cleanly. Takes a `server.properties`
 * file as Kafka's `kafka-server-start.sh` does, with `listeners`, `ssl.*` and the rest by Kafka
 * name; with `--faults`, runs a fault schedule against it.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  BrokerConfigError,
  type BrokerProperties,
  type FaultSchedule,
  FaultScheduleError,
  parseFaultSchedule,
  parseJaasServerConfig,
  runFaultSchedule,
  startCluster,
} from '@tskafka/broker';
import type { RunningConsole } from '@tskafka/console';
import { parseProperties } from '@tskafka/transport';
import { CliError } from '../errors.js';
import { intFlag } from './common.js';
import { consoleBanner, serveConsole } from './console.js';

/** Usage text of the broker command. */
export const BROKER_USAGE = `Usage: tskafka broker [server.properties] [--port 9092] [--host 127.0.0.1] [--data-dir DIR]
                      [--brokers 1] [--override name=value]... [--users-file FILE] [--faults FILE]
Runs the tskafka reference broker until SIGINT or SIGTERM. Prints the bootstrap address (of the
first listener) on one line.
  server.properties  broker properties by Kafka name, as kafka-server-start.sh takes them
               (listeners, advertised.listeners, ssl.keystore.location, sasl.enabled.mechanisms, ...)
  --port       port of the first broker (default 9092; 0 picks a free one); not with listeners
  --data-dir   keep the log in this directory (Kafka's layout); in memory without it
  --brokers    number of brokers in the cluster (default 1); broker i listens on each port + i
  --override   a broker property, e.g. --override num.partitions=3 (repeatable; over the file);
               Kafka's defaults but group.initial.rebalance.delay.ms=0 (Kafka: 3000)
  --users-file SASL users: a JAAS file (KafkaServer { ...PlainLoginModule required
               user_alice="alice-secret"; };) or a properties file of name=password lines
  --user       DEPRECATED: a SASL user, name=password; visible to every local user in the
               process list. Use --users-file or TSKAFKA_BROKER_USERS instead.
  --faults     run a fault schedule (JSON) against the cluster once it is up: {"steps": [{"atMs":
               1000, "action": "stopBroker", "broker": 2}, ...]}, or {"seed": 7, "durationMs":
               60000} for one drawn from a seed; each step is logged on stderr as it runs
  --console    also serve the web console (read-only) for the cluster; its URL is printed
               on the line after the bootstrap address
  --console-port  the console's port (default 8080; 0 picks a free one)
Listeners, e.g. --override listeners=PLAINTEXT://:9092,SSL://:9093,SASL_SSL://:9094 with
  ssl.keystore.location (PEM: key and certificate chain), ssl.truststore.location (PEM CAs),
  ssl.client.auth=required|requested|none, listener.name.<name>.ssl.* per listener;
  advertised.listeners, listener.security.protocol.map, inter.broker.listener.name as in Kafka.
Environment:
  TSKAFKA_BROKER_USERS   SASL users as name=password pairs, comma-separated
  KAFKA_OPTS             -Djava.security.auth.login.config=FILE is read as --users-file FILE
Passwords are never logged.`;

/**
 * Runs the broker command; resolves when the broker has stopped after SIGINT, SIGTERM or an abort
 * of `signal`. Warnings go to `err`; SASL users may come from `env`.
 */
export async function brokerCommand(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  signal?: AbortSignal,
  err: NodeJS.WritableStream = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      'data-dir': { type: 'string' },
      brokers: { type: 'string', default: '1' },
      override: { type: 'string', multiple: true, default: [] },
      'users-file': { type: 'string' },
      user: { type: 'string', multiple: true, default: [] },
      'log-level': { type: 'string', default: 'warn' },
      faults: { type: 'string' },
      console: { type: 'boolean', default: false },
      'console-port': { type: 'string', default: '8080' },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    out.write(`${BROKER_USAGE}\n`);
    return;
  }
  if (positionals.length > 1)
    throw new CliError(`expected at most one properties file, got ${positionals.join(' ')}`);
  const brokers = Number(values.brokers);
  if (!Number.isInteger(brokers) || brokers < 1)
    throw new CliError(`--brokers: expected a positive integer, got "${values.brokers}"`);
  const config: BrokerProperties = positionals[0] ? readPropertiesFile(positionals[0]) : {};
  for (const o of values.override) {
    const eq = o.indexOf('=');
    if (eq <= 0) throw new CliError(`--override: expected name=value, got "${o}"`);
    config[o.slice(0, eq)] = o.slice(eq + 1);
  }
  const listeners = typeof config.listeners === 'string' && config.listeners.trim() !== '';
  if (listeners && values.port !== undefined) {
    throw new CliError('--port and listeners both set: give the ports in listeners only');
  }
  const port = Number(values.port ?? (listeners ? 0 : 9092));
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new CliError(`--port: invalid port "${values.port}"`);
  const users = sources(values['users-file'], env).reduce<Record<string, string>>(
    (all, file) => Object.assign(all, readUsersFile(file)),
    {},
  );
  Object.assign(users, pairs(env.TSKAFKA_BROKER_USERS ?? '', 'TSKAFKA_BROKER_USERS'));
  if (values.user.length > 0) {
    err.write(
      'tskafka broker: warning: --user puts passwords in the process list, where every local user can read them; use --users-file or TSKAFKA_BROKER_USERS\n',
    );
  }
  for (const u of values.user) {
    const eq = u.indexOf('=');
    if (eq <= 0) throw new CliError('--user: expected name=password');
    users[u.slice(0, eq)] = u.slice(eq + 1);
  }
  const firstNodeId = 1;
  const schedule = values.faults
    ? readSchedule(
        values.faults,
        Array.from({ length: brokers }, (_, i) => firstNodeId + i),
      )
    : null;
  let cluster: Awaited<ReturnType<typeof startCluster>>;
  try {
    cluster = await startCluster({
      brokers,
      port,
      host: values.host,
      dataDir: values['data-dir'],
      config,
      users,
      logLevel: values['log-level'] as 'warn',
    });
  } catch (e) {
    if (e instanceof BrokerConfigError) throw new CliError(e.message);
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      const taken = (e as NodeJS.ErrnoException & { port?: number }).port ?? port;
      throw new CliError(`port ${taken} is already in use (try --port 0, or other ports in listeners)`);
    }
    throw e;
  }
  const faults = schedule
    ? runFaultSchedule(cluster, schedule, {
        onEvent: (e) =>
          err.write(
            `[tskafka faults] +${e.ranAtMs}ms ${e.outcome} ${JSON.stringify(e.step)}${e.reason ? `: ${e.reason}` : ''}\n`,
          ),
      })
    : null;
  let webConsole: RunningConsole | undefined;
  if (values.console) {
    try {
      webConsole = await serveConsole(
        {
          bootstrapServers: cluster.bootstrapServers,
          port: intFlag(values['console-port'], '--console-port', 0),
          host: values.host,
          brokerRequests: () => cluster.requestCounts(),
        },
        cluster.bootstrapServers.join(','),
      );
    } catch (e) {
      await cluster.close();
      throw e;
    }
  }
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      signal?.removeEventListener('abort', stop);
      const stopped = faults ? faults.stop() : Promise.resolve();
      stopped
        .then(() => (webConsole === undefined ? undefined : webConsole.close().catch(() => {})))
        .then(() => cluster.close())
        .then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    // Printed once the handlers are in place: a script that reads the address and then stops the
    // broker gets a clean stop, not the default death by signal.
    out.write(`${cluster.bootstrapServers.join(',')}\n`);
    const [first, ...others] = cluster.brokers[0].listeners;
    if (others.length > 0) {
      for (const l of [first, ...others]) {
        err.write(
          `listener ${l.name} (${l.securityProtocol}): ${cluster.bootstrapServersFor(l.name).join(',')}\n`,
        );
      }
    }
    if (webConsole !== undefined) out.write(`${consoleBanner(webConsole)}\n`);
    if (signal?.aborted) stop();
    else signal?.addEventListener('abort', stop);
  });
}

/** The users files: --users-file, else the JAAS file KAFKA_OPTS names, as Kafka's scripts pass it. */
function sources(usersFile: string | undefined, env: NodeJS.ProcessEnv): string[] {
  if (usersFile) return [usersFile];
  const jaas = /-Djava\.security\.auth\.login\.config=(\S+)/.exec(env.KAFKA_OPTS ?? '');
  return jaas ? [jaas[1]] : [];
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(
      `${what}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}

function readPropertiesFile(path: string): BrokerProperties {
  return { ...parseProperties(readText(path, 'properties file'), path) };
}

/** A JAAS file's KafkaServer users, or a properties file of `name=password` lines. */
function readUsersFile(path: string): Record<string, string> {
  const text = readText(path, 'users file');
  try {
    if (/KafkaServer\s*\{/.test(text)) return parseJaasServerConfig(text, path).users;
  } catch (e) {
    if (e instanceof BrokerConfigError) throw new CliError(e.message);
    throw e;
  }
  const users: Record<string, string> = {};
  // Kafka's JAAS option name user_<name> is accepted here too.
  for (const [key, password] of Object.entries(parseProperties(text, path)))
    users[key.replace(/^user_/, '')] = password;
  return users;
}

/** `name=password[,name=password]`; the error names the source, never the password. */
function pairs(text: string, source: string): Record<string, string> {
  const users: Record<string, string> = {};
  for (const pair of text.split(',').filter((p) => p.trim() !== '')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliError(`${source}: expected name=password`);
    users[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
  }
  return users;
}

/** Reads `--faults FILE`: a schedule, or a seed to draw one for these brokers. */
function readSchedule(file: string, brokers: number[]): FaultSchedule {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CliError(`--faults: cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    return parseFaultSchedule(json, { brokers });
  } catch (e) {
    if (e instanceof FaultScheduleError) throw new CliError(`--faults ${file}: ${e.message}`);
    throw e;
  }
}
