/**
 * `tskafka broker [--port 9092] [--host H] [--data-dir DIR] [--brokers N] [--override k=v]...`:
 * runs the reference broker (or an in-process cluster) until SIGINT/SIGTERM, then stops cleanly.
 */
import { parseArgs } from 'node:util';
import { BrokerConfigError, type BrokerProperties, startCluster } from '@tskafka/broker';
import type { RunningConsole } from '@tskafka/console';
import { CliError } from '../errors.js';
import { intFlag } from './common.js';
import { consoleBanner, serveConsole } from './console.js';

/** Usage text of the broker command. */
export const BROKER_USAGE = `Usage: tskafka broker [--port 9092] [--host 127.0.0.1] [--data-dir DIR] [--brokers 1]
                      [--override name=value]... [--user name=password]...
Runs the tskafka reference broker until SIGINT or SIGTERM. Prints the bootstrap address on one line.
  --port       port of the first broker (default 9092; 0 picks a free one)
  --data-dir   keep the log in this directory (Kafka's layout); in memory without it
  --brokers    number of brokers in the cluster (default 1)
  --override   a broker property, e.g. --override num.partitions=3 (repeatable); Kafka's defaults
               but group.initial.rebalance.delay.ms=0 (Kafka: 3000; --override restores it)
  --user       a SASL user, e.g. --user alice=secret (repeatable)
  --console    also serve the web console (read-only) for the cluster; its URL is printed
               on the line after the bootstrap address
  --console-port  the console's port (default 8080; 0 picks a free one)`;

/**
 * Runs the broker command; resolves when the broker has stopped after SIGINT, SIGTERM or an abort
 * of `signal`.
 */
export async function brokerCommand(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  signal?: AbortSignal,
): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '9092' },
      host: { type: 'string', default: '127.0.0.1' },
      'data-dir': { type: 'string' },
      brokers: { type: 'string', default: '1' },
      override: { type: 'string', multiple: true, default: [] },
      user: { type: 'string', multiple: true, default: [] },
      'log-level': { type: 'string', default: 'warn' },
      console: { type: 'boolean', default: false },
      'console-port': { type: 'string', default: '8080' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    out.write(`${BROKER_USAGE}\n`);
    return;
  }
  const port = Number(values.port);
  const brokers = Number(values.brokers);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new CliError(`--port: invalid port "${values.port}"`);
  if (!Number.isInteger(brokers) || brokers < 1)
    throw new CliError(`--brokers: expected a positive integer, got "${values.brokers}"`);
  const config: BrokerProperties = {};
  for (const o of values.override) {
    const eq = o.indexOf('=');
    if (eq <= 0) throw new CliError(`--override: expected name=value, got "${o}"`);
    config[o.slice(0, eq)] = o.slice(eq + 1);
  }
  const users: Record<string, string> = {};
  for (const u of values.user) {
    const eq = u.indexOf('=');
    if (eq <= 0) throw new CliError(`--user: expected name=password, got "${u}"`);
    users[u.slice(0, eq)] = u.slice(eq + 1);
  }
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
    if (code === 'EADDRINUSE') throw new CliError(`port ${port} is already in use (try --port 0)`);
    throw e;
  }
  let webConsole: RunningConsole | undefined;
  if (values.console) {
    try {
      webConsole = await serveConsole(
        {
          bootstrapServers: cluster.bootstrapServers,
          port: intFlag(values['console-port'], '--console-port', 0),
          host: values.host,
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
      const closing = webConsole === undefined ? Promise.resolve() : webConsole.close().catch(() => {});
      closing.then(() => cluster.close()).then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    // Printed once the handlers are in place: a script that reads the address and then stops the
    // broker gets a clean stop, not the default death by signal.
    out.write(`${cluster.bootstrapServers.join(',')}\n`);
    if (webConsole !== undefined) out.write(`${consoleBanner(webConsole)}\n`);
    if (signal?.aborted) stop();
    else signal?.addEventListener('abort', stop);
  });
}
