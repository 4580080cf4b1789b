/**
 * Client metrics with Kafka's names and meanings: sensors that record values (per batch, per
 * request, per poll; never per record on the hot path) into windowed statistics as Kafka's
 * `Metrics` does (`metrics.sample.window.ms` 30 s × `metrics.num.samples` 2), plus gauges read
 * when asked. `producer.metrics()`, `consumer.metrics()` and `admin.metrics()` return them;
 * {@link metricsHandler} serves them to Prometheus.
 *
 * @module
 */
import { channel } from 'node:diagnostics_channel';

/** One metric as the clients report it (Java's `MetricName` and its value). */
export interface KafkaMetric {
  /** Kafka's name, e.g. `record-send-rate`. */
  readonly name: string;
  /** Kafka's group, e.g. `producer-metrics`, `consumer-fetch-manager-metrics`. */
  readonly group: string;
  /** What it measures, as Kafka documents it. */
  readonly description: string;
  /** Tags: `client-id`, and `topic`/`partition` or `node-id` where they apply. */
  readonly tags: Readonly<Record<string, string>>;
  /** The value now (NaN for an average with no samples in the window, as Java reports). */
  readonly value: number;
}

/** How a sensor's samples become a metric. */
export type StatKind = 'avg' | 'max' | 'rate' | 'total' | 'count-rate' | 'count-total';

/** A windowed statistic over `samples` windows of `windowMs`, as Kafka's `SampledStat`. */
class Sampled {
  private readonly starts: Float64Array;
  private readonly sums: Float64Array;
  private readonly counts: Float64Array;
  private readonly maxes: Float64Array;
  private current = 0;
  private readonly windowMs: number;

  constructor(samples: number, windowMs: number, now: number) {
    this.starts = new Float64Array(samples).fill(now);
    this.sums = new Float64Array(samples);
    this.counts = new Float64Array(samples);
    this.maxes = new Float64Array(samples).fill(Number.NEGATIVE_INFINITY);
    this.windowMs = windowMs;
  }

  record(value: number, now: number): void {
    let i = this.current;
    if (now - (this.starts[i] ?? 0) >= this.windowMs) {
      i = (i + 1) % this.starts.length;
      this.current = i;
      this.starts[i] = now;
      this.sums[i] = 0;
      this.counts[i] = 0;
      this.maxes[i] = Number.NEGATIVE_INFINITY;
    }
    this.sums[i] = (this.sums[i] ?? 0) + value;
    this.counts[i] = (this.counts[i] ?? 0) + 1;
    if (value > (this.maxes[i] ?? 0)) this.maxes[i] = value;
  }

  /** Sum, count, max and elapsed ms over the samples still inside the window span. */
  read(now: number): { sum: number; count: number; max: number; elapsedMs: number } {
    const span = this.windowMs * this.starts.length;
    let sum = 0;
    let count = 0;
    let max = Number.NEGATIVE_INFINITY;
    let oldest = now;
    for (let i = 0; i < this.starts.length; i++) {
      const start = this.starts[i] ?? 0;
      if (now - start >= span) continue;
      sum += this.sums[i] ?? 0;
      count += this.counts[i] ?? 0;
      const m = this.maxes[i] ?? Number.NEGATIVE_INFINITY;
      if (m > max) max = m;
      if (start < oldest) oldest = start;
    }
    // Kafka's Rate divides by at least (samples - 1) windows, so a fresh sensor is not inflated.
    const elapsedMs = Math.max(now - oldest, this.windowMs * (this.starts.length - 1));
    return { sum, count, max, elapsedMs };
  }
}

/** Records values for one or more metrics. Cheap: a few array writes per `record`. */
export class Sensor {
  private readonly sampled: Sampled;
  private total = 0;
  private count = 0;
  private readonly registry: Metrics;

  /** A sensor of `registry`; use {@link Metrics.sensor}. */
  constructor(registry: Metrics, now: number) {
    this.registry = registry;
    this.sampled = new Sampled(registry.samples, registry.windowMs, now);
  }

  /** Records one value (default 1: one event). */
  record(value = 1): void {
    this.total += value;
    this.count++;
    this.sampled.record(value, this.registry.now());
  }

  /** The statistic `kind` now. */
  read(kind: StatKind): number {
    if (kind === 'total') return this.total;
    if (kind === 'count-total') return this.count;
    const s = this.sampled.read(this.registry.now());
    switch (kind) {
      case 'avg':
        return s.count === 0 ? Number.NaN : s.sum / s.count;
      case 'max':
        return s.count === 0 ? Number.NaN : s.max;
      case 'rate':
        return s.sum / (s.elapsedMs / 1000);
      default:
        return s.count / (s.elapsedMs / 1000);
    }
  }
}

interface Entry {
  name: string;
  group: string;
  description: string;
  tags: Readonly<Record<string, string>>;
  read: () => number;
}

/** A client's metrics: sensors and gauges under Kafka's names. */
export class Metrics {
  /** `metrics.num.samples`. */
  readonly samples: number;
  /** `metrics.sample.window.ms`. */
  readonly windowMs: number;
  /** The clock (ms). */
  readonly now: () => number;
  private readonly entries: Entry[] = [];
  private readonly dynamic: (() => KafkaMetric[])[] = [];

  /** Metrics on `now` with Kafka's default windows (2 × 30 s). */
  constructor(options: { now?: () => number; samples?: number; windowMs?: number } = {}) {
    this.now = options.now ?? Date.now;
    this.samples = Math.max(2, options.samples ?? 2);
    this.windowMs = options.windowMs ?? 30_000;
  }

  /**
   * A sensor reported as the given statistics, e.g.
   * `sensor('producer-metrics', tags, { 'record-send-rate': ['rate', '...'], 'record-send-total': ['total', '...'] })`.
   */
  sensor(
    group: string,
    tags: Readonly<Record<string, string>>,
    stats: Record<string, readonly [StatKind, string]>,
  ): Sensor {
    const sensor = new Sensor(this, this.now());
    for (const [name, [kind, description]] of Object.entries(stats))
      this.entries.push({ name, group, description, tags, read: () => sensor.read(kind) });
    return sensor;
  }

  /** A metric read when asked (a gauge: buffer bytes free, seconds since the last poll). */
  gauge(
    name: string,
    group: string,
    description: string,
    tags: Readonly<Record<string, string>>,
    read: () => number,
  ): void {
    this.entries.push({ name, group, description, tags, read });
  }

  /** Metrics that come and go (per partition): `list` is called on every snapshot. */
  addDynamic(list: () => KafkaMetric[]): void {
    this.dynamic.push(list);
  }

  /** Every metric's value now. */
  snapshot(): KafkaMetric[] {
    const out: KafkaMetric[] = this.entries.map((e) => ({
      name: e.name,
      group: e.group,
      description: e.description,
      tags: e.tags,
      value: e.read(),
    }));
    for (const list of this.dynamic) out.push(...list());
    return out;
  }
}

/** What the network layer records per request: one sensor per API key, and byte counts. */
export interface NetworkMetrics {
  /** Called when a request is written. */
  onRequest(apiKey: number, bytes: number): void;
  /** Called when its response arrives (latency in ms, throttle in ms when the body has one). */
  onResponse(
    apiKey: number,
    apiName: string,
    bytes: number,
    latencyMs: number,
    throttleMs: number,
    broker: string,
  ): void;
}

/**
 * One request's life on a connection, with the fields KafkaJS's `network.request` event reports
 * (times in ms since the epoch on the connection's clock).
 *
 * @internal
 */
export interface RequestTrace {
  /** The broker, `host:port`. */
  readonly broker: string;
  /** The broker's node id (negative for a bootstrap address). */
  readonly nodeId: number;
  /** The `client.id` of the request header. */
  readonly clientId: string;
  /** The request's correlation id on its connection. */
  readonly correlationId: number;
  /** The API key. */
  readonly apiKey: number;
  /** The API's name, e.g. `Fetch`. */
  readonly apiName: string;
  /** The API version sent. */
  readonly apiVersion: number;
  /** When the request was made. */
  readonly createdAt: number;
  /** When it was written (the connection writes at once: the same as `createdAt`). */
  readonly sentAt: number;
  /** `sentAt - createdAt`. */
  readonly pendingDuration: number;
  /** From `sentAt` to the response (or to the timeout). */
  readonly duration: number;
  /** The response's size in bytes (0 for a timeout). */
  readonly size: number;
}

/**
 * Sees every request of a client's connections as it completes or times out: the hook behind
 * `tskafka/kafkajs`'s `REQUEST` and `REQUEST_TIMEOUT` events. Called synchronously on the
 * response path, so it must be cheap; what it throws is not caught.
 *
 * @internal
 */
export interface RequestObserver {
  /** A response arrived and decoded; `response` is its body. */
  onResponse?(trace: RequestTrace, response: unknown): void;
  /** The request got no response within its timeout (the connection is closed next). */
  onTimeout?(trace: RequestTrace): void;
}

/** The payload of the `tskafka:request` diagnostics channel. */
export interface RequestEvent {
  /** The client's `client.id`. */
  clientId: string;
  /** The API, e.g. `Produce`, `Fetch`. */
  api: string;
  /** The broker, `nodeId (host:port)`. */
  broker: string;
  /** Round-trip latency, ms. */
  latencyMs: number;
  /** Response size in bytes. */
  bytes: number;
}

/**
 * Channels on `node:diagnostics_channel` that tskafka publishes to (only when someone
 * subscribes), so APM agents and OpenTelemetry instrumentations need no patching:
 * `tskafka:request` ({@link RequestEvent}), `tskafka:producer:send`, `tskafka:producer:ack`,
 * `tskafka:consumer:fetch`, `tskafka:consumer:commit`, `tskafka:consumer:rebalance`.
 */
export const diagnosticChannels = {
  /** Every request's response: api, broker, latency. */
  request: channel('tskafka:request'),
  /** A record handed to `producer.send` (after interceptors): topic, partition when known, client id. */
  producerSend: channel('tskafka:producer:send'),
  /** A batch acknowledged (or failed): topic, partition, base offset, record count, error. */
  producerAck: channel('tskafka:producer:ack'),
  /** Records handed to the application by a poll: count, bytes, partitions. */
  consumerFetch: channel('tskafka:consumer:fetch'),
  /** A commit finished: offsets, error, latency. */
  consumerCommit: channel('tskafka:consumer:commit'),
  /** A rebalance step: revoked/assigned/lost partitions, generation, latency. */
  consumerRebalance: channel('tskafka:consumer:rebalance'),
} as const;

/** Network metrics of a client (`<type>-metrics` and per API latency), recorded by its connections. */
export class ClientNetworkMetrics implements NetworkMetrics {
  private readonly requests: Sensor;
  private readonly responses: Sensor;
  private readonly latencyByApi = new Map<number, Sensor>();
  private readonly throttleByApi = new Map<number, Sensor>();
  private readonly clientId: string;
  private allLatency: Sensor | undefined;

  /** Sensors in `metrics` under `<clientType>-metrics`. */
  constructor(metrics: Metrics, clientType: string, clientId: string) {
    const group = `${clientType}-metrics`;
    const tags = { 'client-id': clientId };
    this.clientId = clientId;
    this.requests = metrics.sensor(group, tags, {
      'request-rate': ['count-rate', 'The number of requests sent per second'],
      'request-total': ['count-total', 'The total number of requests sent'],
      'request-size-avg': ['avg', 'The average size of requests sent'],
      'outgoing-byte-rate': ['rate', 'The number of outgoing bytes sent to all servers per second'],
      'outgoing-byte-total': ['total', 'The total number of outgoing bytes sent to all servers'],
    });
    this.responses = metrics.sensor(group, tags, {
      'response-rate': ['count-rate', 'The number of responses received per second'],
      'response-total': ['count-total', 'The total number of responses received'],
      'incoming-byte-rate': ['rate', 'The number of bytes read off all sockets per second'],
      'incoming-byte-total': ['total', 'The total number of bytes read off all sockets'],
    });
  }

  /** The latency sensor of an API (created on first use by {@link ClientNetworkMetrics.onResponse}). */
  latencyOf(apiKey: number): Sensor | undefined {
    return this.latencyByApi.get(apiKey);
  }

  /** Registers a latency sensor for `apiKey` (the client names it: `fetch-latency`, ...). */
  trackLatency(apiKey: number, sensor: Sensor): void {
    this.latencyByApi.set(apiKey, sensor);
  }

  /** Registers a sensor that records the latency of every request, whatever its API. */
  trackAllLatency(sensor: Sensor): void {
    this.allLatency = sensor;
  }

  /** Registers a throttle-time sensor for `apiKey`. */
  trackThrottle(apiKey: number, sensor: Sensor): void {
    this.throttleByApi.set(apiKey, sensor);
  }

  onRequest(_apiKey: number, bytes: number): void {
    this.requests.record(bytes);
  }

  onResponse(
    apiKey: number,
    apiName: string,
    bytes: number,
    latencyMs: number,
    throttleMs: number,
    broker: string,
  ): void {
    this.responses.record(bytes);
    this.latencyByApi.get(apiKey)?.record(latencyMs);
    this.allLatency?.record(latencyMs);
    if (throttleMs >= 0) this.throttleByApi.get(apiKey)?.record(throttleMs);
    if (diagnosticChannels.request.hasSubscribers)
      diagnosticChannels.request.publish({
        clientId: this.clientId,
        api: apiName,
        broker,
        latencyMs,
        bytes,
      } satisfies RequestEvent);
  }
}

/** A client that reports metrics. */
export interface MetricsSource {
  /** Its metrics now. */
  metrics(): KafkaMetric[];
}

/** The Prometheus name of a metric: `kafka_<group without -metrics>_<name>`, `-` as `_`. */
export function prometheusName(m: Pick<KafkaMetric, 'group' | 'name'>): string {
  const group = m.group.replace(/-metrics$/, '');
  return `kafka_${group}_${m.name}`.replace(/[^a-zA-Z0-9_]/g, '_');
}

/** Metrics in Prometheus's text exposition format (version 0.0.4). NaN values are left out. */
export function prometheusText(metrics: readonly KafkaMetric[]): string {
  const byName = new Map<string, KafkaMetric[]>();
  for (const m of metrics) {
    if (!Number.isFinite(m.value)) continue;
    const name = prometheusName(m);
    const list = byName.get(name);
    if (list === undefined) byName.set(name, [m]);
    else list.push(m);
  }
  const lines: string[] = [];
  for (const [name, list] of byName) {
    lines.push(`# HELP ${name} ${(list[0]?.description ?? '').replace(/\n/g, ' ')}`);
    lines.push(`# TYPE ${name} ${/-total$/.test(list[0]?.name ?? '') ? 'counter' : 'gauge'}`);
    for (const m of list) {
      const labels = Object.entries(m.tags)
        .map(
          ([k, v]) =>
            `${k.replace(/[^a-zA-Z0-9_]/g, '_')}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
        )
        .join(',');
      lines.push(`${name}${labels === '' ? '' : `{${labels}}`} ${m.value}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The smallest part of `node:http`'s response a handler writes to. */
export interface MetricsResponse {
  /** Sets the status and headers. */
  writeHead(status: number, headers: Record<string, string>): unknown;
  /** Writes the body and ends. */
  end(body: string): unknown;
}

/**
 * A request handler for any `node:http` server (or Express, Fastify's raw response) that serves
 * the metrics of `clients` in Prometheus's text format:
 *
 * ```ts
 * http.createServer(metricsHandler(producer, consumer)).listen(9464);
 * ```
 */
export function metricsHandler(...clients: MetricsSource[]): (req: unknown, res: MetricsResponse) => void {
  return (_req, res) => {
    const body = prometheusText(clients.flatMap((c) => c.metrics()));
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(body);
  };
}
