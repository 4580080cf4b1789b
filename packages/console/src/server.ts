/**
 * The console's HTTP server: pages under `/`, the JSON API under `/api/`, static assets under
 * `/assets/`. Reads go straight to the admin client (lists are paginated; lag and rates come from
 * the sampler). Writes are refused unless the console runs read-write, and then need the token in
 * a header (`Authorization: Bearer <token>` or `X-Auth-Token`), which a cross-site form cannot send.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { KafkaError, TopicAlreadyExistsError, UnknownTopicOrPartitionError } from '@tskafka/protocol';
import { type KafkaProperties, type Logger, silentLogger, stderrLogger } from '@tskafka/transport';
import { Kafka } from 'tskafka';
import { browse, transactionsView } from './browse.js';
import { clusterView, groupList, groupView, type ListQuery, topicList, topicView } from './model.js';
import * as pages from './pages.js';
import { type BrokerRequestSample, Sampler } from './sampler.js';
import {
  alterTopicConfigs,
  ConsoleRequestError,
  createTopic,
  deleteRecords,
  resetOffsets,
} from './writes.js';

/** How {@link startConsole} runs. */
export interface ConsoleOptions {
  /** The cluster's bootstrap servers, `host:port`; or give `bootstrap.servers` in `properties`. */
  bootstrapServers?: readonly string[];
  /**
   * Client properties by Kafka's names (`security.protocol`, `sasl.mechanism`, ...), as a
   * `--command-config` file gives them.
   */
  properties?: KafkaProperties;
  /** The port to listen on; default 8080, 0 for any free port. */
  port?: number;
  /** The address to bind; default `127.0.0.1` (only this machine). */
  host?: string;
  /** Allow writes (create topic, alter configs, reset offsets, delete records); default false. */
  readWrite?: boolean;
  /** The token writes must carry; default a random one (see {@link RunningConsole.authToken}). */
  authToken?: string;
  /** How often offsets are sampled for rates, lag and charts; default 10 s. */
  sampleIntervalMs?: number;
  /** How much history the charts keep; default one hour. */
  historyMs?: number;
  /** Where warnings go; default stderr. */
  logger?: Logger;
  /**
   * How long to try the bootstrap servers before giving up at start; default the admin client's
   * `default.api.timeout.ms` (60 s).
   */
  connectTimeoutMs?: number;
  /**
   * The brokers' own request counts, when the console runs beside an in-process reference cluster
   * (`() => cluster.requestCounts()`): the overview then shows request rates per API and broker.
   * Kafka's brokers publish these through JMX, which a Kafka client cannot read.
   */
  brokerRequests?: () => readonly BrokerRequestSample[];
}

/** A running console. */
export interface RunningConsole {
  /** Its address, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** The token writes need; null when the console is read-only. */
  readonly authToken: string | null;
  /** Takes a sample of offsets now (tests, or a refresh button) and waits for it. */
  sample(): Promise<void>;
  /** Stops the server, the sampler and the clients. */
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);

/** The static files: the console's own script and styles, and uPlot from its package. */
function loadAssets(): Map<string, { type: string; body: Buffer }> {
  // `../assets` from src/ (tests) and from dist/ (the package) alike.
  const own = (name: string) => readFileSync(fileURLToPath(new URL(`../assets/${name}`, import.meta.url)));
  const uplot = (name: string) => readFileSync(require.resolve(`uplot/dist/${name}`));
  return new Map([
    ['/assets/console.js', { type: 'text/javascript; charset=utf-8', body: own('console.js') }],
    ['/assets/console.css', { type: 'text/css; charset=utf-8', body: own('console.css') }],
    ['/assets/uplot.js', { type: 'text/javascript; charset=utf-8', body: uplot('uPlot.iife.min.js') }],
    ['/assets/uplot.css', { type: 'text/css; charset=utf-8', body: uplot('uPlot.min.css') }],
  ]);
}

/** The JSON API's index, served at `/api`: every endpoint and what it takes. */
export const API_INDEX = {
  'GET /api/cluster':
    'brokers (id, host, port, rack, controller), topic and partition counts, under-replicated and offline partitions, messages in/out per second',
  'GET /api/topics?q=&page=&pageSize=&internal=':
    'topics with partitions, replication factor, records kept and messages in per second',
  'GET /api/topics/:topic':
    "each partition's leader, replicas, ISR, log start and end offsets; the topic's configs",
  'GET /api/topics/:topic/messages?partition=&limit=&offset=&timestamp=':
    'records of a partition: the latest N, or from an offset or a time (ms); keys, values and headers as text, JSON and hex',
  'GET /api/groups?q=&page=&pageSize=': 'consumer groups with state, protocol, member count and sampled lag',
  'GET /api/groups/:group':
    'members with client id, host and assignment; committed offset, log end and lag per partition',
  'GET /api/transactions':
    'transactions with state and partitions; producers of the partitions of open transactions',
  'GET /api/series/cluster': 'messages in/out per second over the last hour',
  'GET /api/broker-requests':
    "the brokers' request rates by API and by broker (an in-process reference cluster only; else available: false)",
  'GET /api/series/broker-requests':
    'requests per second handled by all brokers over the last hour (in-process reference cluster only)',
  'GET /api/series/topics/:topic': "a topic's messages in/out per second over the last hour",
  'GET /api/series/groups/:group': "a group's total lag over the last hour",
  'POST /api/topics':
    'create a topic: { topic, partitions?, replicationFactor?, configs? } (read-write, token)',
  'POST /api/topics/:topic/configs':
    'set (string) or delete (null) configs: { configs: { name: value } } (read-write, token)',
  'POST /api/topics/:topic/delete-records':
    'delete records before an offset: { partition, offset } (-1: all) (read-write, token)',
  'POST /api/groups/:group/reset-offsets':
    "plan or execute a reset: { topics?, to: 'earliest'|'latest'|'current'|'offset'|'shift'|'timestamp', value?, execute? } (read-write, token)",
} as const;

/**
 * Starts the web console against a cluster: any Kafka cluster, through the admin client only.
 *
 * ```ts
 * const console = await startConsole({ bootstrapServers: ['localhost:9092'], port: 8080 });
 * // open console.url; console.close() when done
 * ```
 */
export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  const logger = options.logger ?? stderrLogger();
  const properties: Record<string, string | number | boolean> = { ...(options.properties ?? {}) };
  if (options.bootstrapServers !== undefined)
    properties['bootstrap.servers'] = options.bootstrapServers.join(',');
  if (properties['bootstrap.servers'] === undefined)
    throw new ConsoleRequestError(400, 'startConsole: bootstrapServers (or bootstrap.servers) is required');
  const kafka = Kafka.fromProperties({ 'client.id': 'tskafka-console', ...properties });
  const admin = kafka.admin({ logger: silentLogger });
  await admin.connect(options.connectTimeoutMs === undefined ? {} : { timeoutMs: options.connectTimeoutMs });
  const readWrite = options.readWrite === true;
  const authToken = readWrite ? (options.authToken ?? randomBytes(16).toString('hex')) : null;
  const sampleIntervalMs = options.sampleIntervalMs ?? 10_000;
  const sampler = new Sampler(
    admin,
    sampleIntervalMs,
    options.historyMs ?? 3_600_000,
    logger,
    options.brokerRequests,
  );
  const ctx: pages.PageContext = {
    readWrite,
    bootstrap: String(properties['bootstrap.servers']),
    refreshMs: sampleIntervalMs,
  };
  const assets = loadAssets();
  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => sendError(req, res, e, ctx, logger));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://console');
    const path = url.pathname;
    const parts = path
      .split('/')
      .filter((p) => p !== '')
      .map((p) => decodeURIComponent(p));
    const asset = assets.get(path);
    if (asset !== undefined) return send(res, 200, asset.type, asset.body, 'public, max-age=3600');
    if (req.method === 'POST') return handleWrite(req, res, parts);
    if (req.method !== 'GET' && req.method !== 'HEAD')
      throw new ConsoleRequestError(405, `${req.method} is not allowed`);
    const query = listQuery(url);
    if (parts[0] === 'api') return sendJson(res, 200, await read(parts.slice(1), url, query));
    return send(res, 200, 'text/html; charset=utf-8', await page(parts, url, query));
  }

  async function read(parts: string[], url: URL, query: ListQuery): Promise<unknown> {
    const [kind, name, sub] = parts;
    if (kind === undefined) return API_INDEX;
    if (kind === 'cluster' && name === undefined) return clusterView(admin, sampler);
    if (kind === 'topics' && name === undefined) return topicList(admin, sampler, query);
    if (kind === 'topics' && name !== undefined && sub === undefined)
      return found(await topicView(admin, name), 'topic', name);
    if (kind === 'topics' && name !== undefined && sub === 'messages')
      return browse(kafka, admin, name, browseQuery(url));
    if (kind === 'groups' && name === undefined) return groupList(admin, sampler, query);
    if (kind === 'groups' && name !== undefined && sub === undefined)
      return found(await groupView(admin, name), 'group', name);
    if (kind === 'transactions' && name === undefined) return transactionsView(admin);
    if (kind === 'series' && name === 'cluster') return sampler.clusterSeries();
    if (kind === 'series' && name === 'broker-requests') return sampler.brokerRequestSeries();
    if (kind === 'broker-requests' && name === undefined) return sampler.brokerRequestRates();
    if (kind === 'series' && name === 'topics' && sub !== undefined) return sampler.topicSeries(sub);
    if (kind === 'series' && name === 'groups' && sub !== undefined) return sampler.groupSeries(sub);
    throw new ConsoleRequestError(404, `no API at /api/${parts.join('/')}; GET /api lists them`);
  }

  async function page(parts: string[], url: URL, query: ListQuery): Promise<string> {
    const [kind, name, sub] = parts;
    const q = url.searchParams.get('q') ?? undefined;
    if (kind === undefined)
      return pages.overviewPage(ctx, await clusterView(admin, sampler), sampler.brokerRequestRates());
    if (kind === 'topics' && name === undefined)
      return pages.topicsPage(ctx, await topicList(admin, sampler, query), q);
    if (kind === 'topics' && name !== undefined) {
      const t = found(await topicView(admin, name), 'topic', name);
      if (sub === undefined) return pages.topicPage(ctx, t);
      if (sub === 'messages') {
        const bq = browseQuery(url);
        const format = url.searchParams.get('format') ?? 'text';
        return pages.messagesPage(ctx, t, await browse(kafka, admin, name, bq), format, bq.limit ?? 20);
      }
    }
    if (kind === 'groups' && name === undefined)
      return pages.groupsPage(ctx, await groupList(admin, sampler, query), q);
    if (kind === 'groups' && name !== undefined && sub === undefined)
      return pages.groupPage(ctx, found(await groupView(admin, name), 'group', name));
    if (kind === 'transactions' && name === undefined)
      return pages.transactionsPage(ctx, await transactionsView(admin));
    throw new ConsoleRequestError(404, `no page at /${parts.join('/')}`);
  }

  async function handleWrite(req: IncomingMessage, res: ServerResponse, parts: string[]): Promise<void> {
    if (!readWrite || authToken === null)
      throw new ConsoleRequestError(
        403,
        'the console is read-only: start it with --read-write to allow writes',
      );
    const given = tokenOf(req);
    if (given === null || !sameToken(given, authToken))
      throw new ConsoleRequestError(
        401,
        'writes need the token printed at start, as "Authorization: Bearer <token>"',
      );
    const body = await readJson(req);
    const [api, kind, name, sub] = parts;
    if (api !== 'api') throw new ConsoleRequestError(404, 'writes go to /api/...');
    let result: unknown;
    if (kind === 'topics' && name === undefined) result = await createTopic(admin, body);
    else if (kind === 'topics' && name !== undefined && sub === 'configs')
      result = await alterTopicConfigs(admin, name, body);
    else if (kind === 'topics' && name !== undefined && sub === 'delete-records')
      result = await deleteRecords(admin, name, body);
    else if (kind === 'groups' && name !== undefined && sub === 'reset-offsets')
      result = await resetOffsets(admin, name, body);
    else throw new ConsoleRequestError(404, `no write at /${parts.join('/')}; GET /api lists them`);
    logger.info(`console: ${req.method} ${req.url} done`);
    sendJson(res, 200, result);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  sampler.start();
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    authToken,
    sample: () => sampler.sample(),
    close: async () => {
      await closeServer(server);
      await sampler.stop();
      await admin.close({ timeoutMs: 5000 });
    },
  };
}

function found<T>(value: T | undefined, what: string, name: string): T {
  if (value === undefined) throw new ConsoleRequestError(404, `${what} "${name}" does not exist`);
  return value;
}

function intParam(url: URL, name: string): number | undefined {
  const v = url.searchParams.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n))
    throw new ConsoleRequestError(400, `"${name}" must be an integer, got "${v}"`);
  return n;
}

function listQuery(url: URL): ListQuery {
  const q = url.searchParams.get('q');
  const page = intParam(url, 'page');
  const pageSize = intParam(url, 'pageSize');
  return {
    ...(q === null ? {} : { q }),
    ...(page === undefined ? {} : { page }),
    ...(pageSize === undefined ? {} : { pageSize }),
    internal: url.searchParams.get('internal') === 'true',
  };
}

function browseQuery(url: URL): { partition: number; limit?: number; offset?: number; timestamp?: number } {
  const time = url.searchParams.get('time');
  let timestamp = intParam(url, 'timestamp');
  if (timestamp === undefined && time !== null && time !== '') {
    timestamp = Date.parse(time);
    if (!Number.isFinite(timestamp))
      throw new ConsoleRequestError(400, `"time" is not a date and time: "${time}"`);
  }
  const limit = intParam(url, 'limit');
  const offset = intParam(url, 'offset');
  return {
    partition: intParam(url, 'partition') ?? 0,
    ...(limit === undefined ? {} : { limit }),
    ...(offset === undefined ? {} : { offset }),
    ...(timestamp === undefined ? {} : { timestamp }),
  };
}

function tokenOf(req: IncomingMessage): string | null {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7).trim();
  const header = req.headers['x-auth-token'];
  return typeof header === 'string' ? header : null;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const MAX_BODY = 1 << 20;

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new ConsoleRequestError(413, `the request body is over ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ConsoleRequestError(400, 'the request body is not JSON');
  }
}

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  cache = 'no-store',
): void {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': cache,
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'",
  });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

/** The HTTP status for an error: the console's own, or Kafka's mapped to what a user reads. */
function statusOf(e: unknown): number {
  if (e instanceof ConsoleRequestError) return e.status;
  if (e instanceof UnknownTopicOrPartitionError) return 404;
  if (e instanceof TopicAlreadyExistsError) return 409;
  if (e instanceof KafkaError && /^Invalid/.test(e.name)) return 400;
  return 502;
}

function sendError(
  req: IncomingMessage,
  res: ServerResponse,
  e: unknown,
  ctx: pages.PageContext,
  logger: Logger,
): void {
  const status = statusOf(e);
  const message = e instanceof Error ? e.message : String(e);
  if (status >= 500) logger.warn(`console: ${req.method} ${req.url}: ${message}`);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if ((req.url ?? '').startsWith('/api') || req.method === 'POST')
    sendJson(res, status, { error: message, type: e instanceof Error ? e.name : 'Error' });
  else send(res, status, 'text/html; charset=utf-8', pages.errorPage(ctx, status, message));
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
