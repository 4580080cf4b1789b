/**
 * The console's pages, rendered on the server from the same objects the JSON API returns: plain
 * HTML tables (fast with thousands of rows, paginated past a page), a small script for the charts
 * (uPlot, served from the package) and for the write forms.
 */
import type { BrowseResult, BytesView, ProducerView, TransactionView } from './browse.js';
import type { ClusterView, GroupSummary, GroupView, Page, TopicSummary, TopicView } from './model.js';
import type { BrokerRequestRates } from './sampler.js';

/** Escapes text for HTML. */
export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** What every page knows about the console it is part of. */
export interface PageContext {
  /** Whether writes are on. */
  readWrite: boolean;
  /** The bootstrap servers, shown in the header. */
  bootstrap: string;
  /** Chart refresh interval, ms. */
  refreshMs: number;
}

const u = encodeURIComponent;

function rate(v: number | null): string {
  return v === null ? '–' : v >= 100 ? v.toFixed(0) : v.toFixed(1);
}

/** Bytes as B, KiB, MiB or GiB. */
function size(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

function layout(ctx: PageContext, title: string, active: string, body: string): string {
  const nav = [
    ['/', 'Overview'],
    ['/topics', 'Topics'],
    ['/groups', 'Consumer groups'],
    ['/transactions', 'Transactions'],
  ]
    .map(([href, label]) => `<a href="${href}"${label === active ? ' class="active"' : ''}>${label}</a>`)
    .join('');
  const token = ctx.readWrite
    ? '<label class="token">token <input type="password" id="auth-token" autocomplete="off" placeholder="printed at start"></label>'
    : '<span class="mode">read-only</span>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · tskafka console</title>
<link rel="stylesheet" href="/assets/uplot.css"><link rel="stylesheet" href="/assets/console.css">
<script defer src="/assets/uplot.js"></script><script defer src="/assets/console.js"></script>
</head><body data-refresh-ms="${ctx.refreshMs}">
<header><strong>tskafka console</strong><span class="bootstrap">${esc(ctx.bootstrap)}</span><nav>${nav}</nav>${token}</header>
<main><h1>${esc(title)}</h1>${body}</main></body></html>`;
}

function table(headers: string[], rows: string[][], id: string): string {
  const head = headers.map((h) => `<th>${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table data-testid="${id}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function pager<T>(page: Page<T>, base: string, q: string | undefined): string {
  const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
  const link = (n: number, label: string) =>
    `<a href="${base}?page=${n}${q ? `&q=${u(q)}` : ''}">${label}</a>`;
  return `<p class="pager">${page.total} in all · page ${page.page} of ${pages} ${
    page.page > 1 ? link(page.page - 1, '‹ previous') : ''
  } ${page.page < pages ? link(page.page + 1, 'next ›') : ''}</p>`;
}

function search(base: string, q: string | undefined): string {
  return `<form method="get" action="${base}" class="search"><input name="q" value="${esc(q ?? '')}" placeholder="filter by name"><button>Filter</button></form>`;
}

function chart(series: string, title: string, columns: string[]): string {
  return `<figure class="chart"><figcaption>${esc(title)}</figcaption><div data-chart="${esc(series)}" data-columns="${esc(columns.join(','))}"></div></figure>`;
}

/** The overview page. */
export function overviewPage(ctx: PageContext, c: ClusterView, requests?: BrokerRequestRates): string {
  const stats = [
    ['Brokers', c.brokers.length],
    ['Topics', c.topics],
    ['Partitions', c.partitions],
    ['Under-replicated', c.underReplicated],
    ['Offline', c.offline],
    ['Messages in/s', rate(c.messagesInPerSec)],
    ['Messages out/s', rate(c.messagesOutPerSec)],
  ]
    .map(([k, v]) => `<div class="stat" data-stat="${esc(k)}"><span>${esc(k)}</span><b>${esc(v)}</b></div>`)
    .join('');
  const brokers = table(
    ['ID', 'Host', 'Port', 'Rack', 'Controller', 'Leaders', 'Replicas'],
    c.brokers.map((b) => [
      String(b.nodeId),
      esc(b.host),
      String(b.port),
      esc(b.rack ?? ''),
      b.controller ? 'yes' : '',
      String(b.leaders),
      String(b.replicas),
    ]),
    'brokers',
  );
  return layout(
    ctx,
    `Cluster ${c.clusterId ?? ''}`,
    'Overview',
    `<section class="stats">${stats}</section>
${chart('/api/series/cluster', 'Messages per second (all topics)', ['in', 'out'])}
<h2>Brokers</h2>${brokers}${requests?.available ? brokerRequestsSection(requests) : ''}`,
  );
}

/** The reference brokers' own request rates (only when the console runs beside them). */
function brokerRequestsSection(r: BrokerRequestRates): string {
  const byApi = table(
    ['API', 'Requests/s'],
    r.byApi.map((x) => [esc(x.api), rate(x.perSec)]),
    'broker-requests',
  );
  const byBroker = table(
    ['Broker', 'Requests/s'],
    r.byBroker.map((x) => [String(x.nodeId), rate(x.perSec)]),
    'broker-requests-by-broker',
  );
  return `<h2>Broker requests</h2>
${chart('/api/series/broker-requests', 'Requests per second handled by the brokers', ['requests'])}${byBroker}${byApi}`;
}

/** The topic list page. */
export function topicsPage(ctx: PageContext, page: Page<TopicSummary>, q: string | undefined): string {
  const rows = page.items.map((t) => [
    `<a href="/topics/${u(t.name)}">${esc(t.name)}</a>`,
    String(t.partitions),
    String(t.replicationFactor),
    String(t.underReplicated),
    t.records === null ? '–' : String(t.records),
    t.bytes === null ? '–' : size(t.bytes),
    rate(t.messagesInPerSec),
  ]);
  const create = ctx.readWrite
    ? `<details><summary>Create a topic</summary><form data-api="/api/topics" data-kind="create-topic">
<label>name <input name="topic" required></label><label>partitions <input name="partitions" type="number" min="1" value="1"></label>
<label>replication factor <input name="replicationFactor" type="number" min="1" value="1"></label><button>Create</button><pre class="result"></pre></form></details>`
    : '';
  return layout(
    ctx,
    'Topics',
    'Topics',
    `${search('/topics', q)}${create}${table(['Topic', 'Partitions', 'Replication factor', 'Under-replicated', 'Records', 'Size', 'Messages in/s'], rows, 'topics')}${pager(page, '/topics', q)}`,
  );
}

/** A topic's page. */
export function topicPage(ctx: PageContext, t: TopicView): string {
  const partitions = table(
    ['Partition', 'Leader', 'Replicas', 'ISR', 'Offline replicas', 'Log start', 'Log end'],
    t.partitions.map((p) => [
      String(p.partition),
      String(p.leader),
      p.replicas.join(','),
      p.isr.join(','),
      p.offlineReplicas.join(','),
      p.logStartOffset === null ? '–' : String(p.logStartOffset),
      p.logEndOffset === null ? '–' : String(p.logEndOffset),
    ]),
    'partitions',
  );
  const configs = table(
    ['Config', 'Value', 'Source', 'Read-only'],
    t.configs.map((c) => [
      esc(c.name),
      c.isSensitive ? '<i>sensitive</i>' : esc(c.value ?? ''),
      esc(c.source),
      c.readOnly ? 'yes' : '',
    ]),
    'configs',
  );
  const writes = ctx.readWrite
    ? `<details><summary>Alter a config</summary><form data-api="/api/topics/${u(t.name)}/configs" data-kind="alter-config">
<label>config <input name="name" required></label><label>value <input name="value"></label><label><input type="checkbox" name="delete"> delete (back to default)</label><button>Apply</button><pre class="result"></pre></form></details>
<details><summary>Delete records</summary><form data-api="/api/topics/${u(t.name)}/delete-records" data-kind="delete-records">
<label>partition <input name="partition" type="number" min="0" value="0"></label><label>before offset (-1: all) <input name="offset" type="number" min="-1" value="-1"></label><button>Delete</button><pre class="result"></pre></form></details>`
    : '';
  return layout(
    ctx,
    `Topic ${t.name}`,
    'Topics',
    `<p>id ${esc(t.topicId)}${t.internal ? ' · internal' : ''} · <a href="/topics/${u(t.name)}/messages">browse messages</a></p>
${chart(`/api/series/topics/${u(t.name)}`, 'Messages per second', ['in', 'out'])}
<h2>Partitions</h2>${partitions}<h2>Configs</h2>${writes}${configs}`,
  );
}

function bytes(v: BytesView, format: string): string {
  if (v.size < 0) return '<i>null</i>';
  const shown = format === 'hex' ? v.hex : format === 'json' ? (v.json ?? v.text) : v.text;
  return `<pre>${esc(shown)}</pre>`;
}

/** The message browser page. */
export function messagesPage(
  ctx: PageContext,
  t: TopicView,
  r: BrowseResult,
  format: string,
  limit: number,
): string {
  const options = t.partitions
    .map((p) => `<option${p.partition === r.partition ? ' selected' : ''}>${p.partition}</option>`)
    .join('');
  const formats = ['text', 'json', 'hex']
    .map((f) => `<option${f === format ? ' selected' : ''}>${f}</option>`)
    .join('');
  const form = `<form method="get" class="browse"><label>partition <select name="partition">${options}</select></label>
<label>records <input name="limit" type="number" min="1" max="500" value="${limit}"></label>
<label>from offset <input name="offset" type="number" min="0" placeholder="latest"></label>
<label>or from time <input name="time" type="datetime-local" step="1"></label>
<label>show as <select name="format">${formats}</select></label><button>Read</button></form>`;
  const rows = r.records.map((m) => [
    String(m.offset),
    esc(new Date(m.timestamp).toISOString()),
    bytes(m.key, format),
    bytes(m.value, format),
    m.headers.map((h) => `${esc(h.key)}: ${bytes(h.value, format)}`).join(''),
  ]);
  return layout(
    ctx,
    `Messages of ${t.name}-${r.partition}`,
    'Topics',
    `<p><a href="/topics/${u(t.name)}">← ${esc(t.name)}</a> · offsets ${r.logStartOffset} to ${r.logEndOffset} · from ${r.from}</p>${form}
${table(['Offset', 'Timestamp', 'Key', 'Value', 'Headers'], rows, 'messages')}`,
  );
}

/** The group list page. */
export function groupsPage(ctx: PageContext, page: Page<GroupSummary>, q: string | undefined): string {
  const rows = page.items.map((g) => [
    `<a href="/groups/${u(g.groupId)}">${esc(g.groupId)}</a>`,
    esc(g.state),
    esc(g.protocolType),
    esc(g.protocol),
    String(g.members),
    g.lag === null ? '–' : String(g.lag),
  ]);
  return layout(
    ctx,
    'Consumer groups',
    'Consumer groups',
    `${search('/groups', q)}${table(['Group', 'State', 'Protocol type', 'Assignor', 'Members', 'Lag'], rows, 'groups')}${pager(page, '/groups', q)}`,
  );
}

/** A group's page. */
export function groupPage(ctx: PageContext, g: GroupView): string {
  const members = table(
    ['Member', 'Instance', 'Client id', 'Host', 'Assignment'],
    g.members.map((m) => [
      esc(m.memberId),
      esc(m.groupInstanceId ?? ''),
      esc(m.clientId),
      esc(m.host),
      esc(m.assignment.join(', ')),
    ]),
    'members',
  );
  const offsets = table(
    ['Topic', 'Partition', 'Current offset', 'Log end offset', 'Lag', 'Consumer id', 'Host', 'Client id'],
    g.offsets.map((o) => [
      esc(o.topic),
      String(o.partition),
      o.committed === null ? '-' : String(o.committed),
      o.logEndOffset === null ? '-' : String(o.logEndOffset),
      o.lag === null ? '-' : String(o.lag),
      esc(o.memberId ?? '-'),
      esc(o.host ?? '-'),
      esc(o.clientId ?? '-'),
    ]),
    'offsets',
  );
  const reset = ctx.readWrite
    ? `<details><summary>Reset offsets</summary><form data-api="/api/groups/${u(g.groupId)}/reset-offsets" data-kind="reset-offsets">
<label>topics <input name="topics" placeholder="all with offsets (comma-separated)"></label>
<label>to <select name="to"><option>earliest</option><option>latest</option><option>current</option><option>offset</option><option>shift</option><option>timestamp</option></select></label>
<label>value <input name="value" type="number"></label><label><input type="checkbox" name="execute"> execute (otherwise only plan)</label>
<button>Reset</button><pre class="result"></pre></form></details>`
    : '';
  return layout(
    ctx,
    `Group ${g.groupId}`,
    'Consumer groups',
    `<p class="group-meta">state <b data-testid="state">${esc(g.state)}</b> · ${esc(g.protocolType)} ${esc(g.protocol)} · total lag <b data-testid="total-lag">${g.totalLag}</b></p>
${chart(`/api/series/groups/${u(g.groupId)}`, 'Lag', ['lag'])}
<h2>Members</h2>${members}<h2>Offsets</h2>${reset}${offsets}`,
  );
}

/** The transactions page. */
export function transactionsPage(
  ctx: PageContext,
  v: { transactions: TransactionView[]; producers: ProducerView[] },
): string {
  const txns = table(
    ['Transactional id', 'State', 'Producer id', 'Epoch', 'Timeout ms', 'Started', 'Partitions'],
    v.transactions.map((t) => [
      esc(t.transactionalId),
      esc(t.state),
      String(t.producerId),
      String(t.producerEpoch),
      String(t.timeoutMs),
      t.startTimeMs < 0 ? '' : esc(new Date(t.startTimeMs).toISOString()),
      esc(t.partitions.join(', ')),
    ]),
    'transactions',
  );
  const producers = table(
    ['Partition', 'Producer id', 'Epoch', 'Last sequence', 'Last write', 'Transaction start offset'],
    v.producers.map((p) => [
      esc(p.partition),
      String(p.producerId),
      String(p.producerEpoch),
      String(p.lastSequence),
      p.lastTimestamp < 0 ? '' : esc(new Date(p.lastTimestamp).toISOString()),
      p.currentTransactionStartOffset < 0 ? '' : String(p.currentTransactionStartOffset),
    ]),
    'producers',
  );
  return layout(
    ctx,
    'Transactions',
    'Transactions',
    `${txns}<h2>Producers of open transactions' partitions</h2>${producers}`,
  );
}

/** A page for a missing topic or group, or an error. */
export function errorPage(ctx: PageContext, status: number, message: string): string {
  return layout(ctx, status === 404 ? 'Not found' : 'Error', '', `<p class="error">${esc(message)}</p>`);
}
