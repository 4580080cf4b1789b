/**
 * `tskafka console --bootstrap-server H:P [--port 8080] [--host 127.0.0.1] [--read-write]`: serves
 * the web console (`@tskafka/console`) against any Kafka cluster until SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { type RunningConsole, startConsole } from '@tskafka/console';
import { CliError } from '../errors.js';
import { asCliError, clientProperties, connectFailure, intFlag } from './common.js';

/** Usage text of the console command. */
export const CONSOLE_USAGE = `Usage: tskafka console --bootstrap-server H:P [--port 8080] [--host 127.0.0.1]
                       [--read-write [--auth-token T]] [--command-config FILE]
Serves a web console for the cluster (brokers, topics, partitions and ISR, messages, consumer
groups and lag, transactions, charts) until SIGINT or SIGTERM. Prints its URL on one line.
  --port            port to listen on (default 8080; 0 picks a free one)
  --host            address to bind (default 127.0.0.1: this machine only)
  --read-write      allow writes (create topic, alter configs, reset offsets, delete records);
                    each write needs the token printed at start (or given with --auth-token)
  --auth-token      the token writes need, instead of a random one
  --sample-interval how often offsets are sampled for rates, lag and charts, ms (default 10000)
  --command-config  client properties from a file (security.protocol, sasl.*, ...)`;

/** Runs the console command; resolves once the console has stopped. */
export async function consoleCommand(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  signal?: AbortSignal,
): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'bootstrap-server': { type: 'string' },
      'command-config': { type: 'string' },
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      'read-write': { type: 'boolean', default: false },
      'auth-token': { type: 'string' },
      'sample-interval': { type: 'string', default: '10000' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    out.write(`${CONSOLE_USAGE}\n`);
    return;
  }
  if (values['auth-token'] !== undefined && !values['read-write'])
    throw new CliError('--auth-token needs --read-write', 2);
  const port = intFlag(values.port, '--port', 0);
  if (port > 65535) throw new CliError(`--port: invalid port "${values.port}"`, 2);
  const sampleIntervalMs = intFlag(values['sample-interval'], '--sample-interval', 100);
  const props = clientProperties(values['bootstrap-server'], values['command-config']);
  const running = await serveConsole(
    {
      properties: props,
      port,
      host: values.host,
      readWrite: values['read-write'],
      ...(values['auth-token'] === undefined ? {} : { authToken: values['auth-token'] }),
      sampleIntervalMs,
      // As the other commands: an address nobody answers on fails within seconds.
      ...(props['default.api.timeout.ms'] === undefined ? { connectTimeoutMs: 2000 } : {}),
    },
    props['bootstrap.servers'] ?? '',
  );
  out.write(`${consoleBanner(running)}\n`);
  await untilStopped(signal);
  await running.close();
}

/** Starts a console; an unreachable cluster or a taken port becomes one CLI error line. */
export async function serveConsole(
  options: Parameters<typeof startConsole>[0],
  bootstrap: string,
): Promise<RunningConsole> {
  try {
    return await startConsole(options);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new CliError(`port ${options.port} is already in use (try --port 0)`);
    if (code === 'EACCES') throw new CliError(`cannot listen on port ${options.port}: permission denied`);
    throw asCliError(connectFailure(e, { 'bootstrap.servers': bootstrap }));
  }
}

/** The line printed at start: the URL, and the token when writes are on. */
export function consoleBanner(c: RunningConsole): string {
  return c.authToken === null
    ? `console at ${c.url} (read-only)`
    : `console at ${c.url} (read-write; token ${c.authToken})`;
}

/** Resolves on SIGINT, SIGTERM or an abort of `signal`. */
function untilStopped(signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (signal?.aborted) stop();
    else signal?.addEventListener('abort', stop);
  });
}
