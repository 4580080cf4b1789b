/**
 * The web console in a real browser (Debian's chromium, driven by playwright-core): a 3-broker
 * reference cluster with a topic, records and a consumer group, then one broker stopped. The
 * pages must show what the CLI shows (`topics --describe`, `consumer-groups --describe`), the
 * charts must draw, and writes must be refused without the token. A screenshot of each page is
 * kept in `test-artifacts/console/`.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Cluster, startCluster } from '@tskafka/broker';
import { type RunningConsole, startConsole } from '@tskafka/console';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type Admin, Kafka } from 'tskafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../packages/cli/test/run-cli.js';
import { until } from './until.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.resolve('test-artifacts/console');
const TOKEN = 'console-browser-token';

let cluster: Cluster;
let kafka: Kafka;
let admin: Admin;
let web: RunningConsole;
let browser: Browser;
let page: Page;

/** The cells of a table on the page, row by row, as text. */
async function cells(testId: string): Promise<string[][]> {
  const rows = await page.locator(`table[data-testid="${testId}"] tbody tr`).all();
  return Promise.all(rows.map(async (r) => (await r.locator('td').allTextContents()).map((c) => c.trim())));
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  cluster = await startCluster({ brokers: 3, config: { 'replica.lag.time.max.ms': 1000 } });
  kafka = new Kafka({ bootstrapServers: cluster.bootstrapServers, clientId: 'console-browser' });
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics([{ topic: 'orders', numPartitions: 3, replicationFactor: 3 }]);
  const producer = kafka.producer();
  await producer.connect();
  const send = (n: number, from: number) =>
    Promise.all(
      Array.from({ length: n }, (_, i) =>
        producer.send({ topic: 'orders', key: `k${from + i}`, value: JSON.stringify({ order: from + i }) }),
      ),
    );
  await send(60, 0);
  web = await startConsole({
    bootstrapServers: cluster.bootstrapServers,
    port: 0,
    readWrite: true,
    authToken: TOKEN,
    sampleIntervalMs: 60_000,
    brokerRequests: () => cluster.requestCounts(),
  });
  // A group that consumed some records and committed; then more records: it lags.
  const consumer = kafka.consumer({
    groupId: 'billing',
    autoOffsetReset: 'earliest',
    enableAutoCommit: false,
  });
  await consumer.connect();
  await consumer.subscribe(['orders']);
  let read = 0;
  await until('the consumer read 60 records', async () => {
    read += (await consumer.poll(200)).length;
    return read >= 60;
  });
  await consumer.commitSync();
  await consumer.close();
  await web.sample();
  await send(30, 60);
  await web.sample();
  // A broker goes away: its partitions lose a replica from the ISR.
  await cluster.stopBroker(3);
  await until(
    'the ISR shrank',
    async () =>
      (await admin.describeTopics(['orders']))[0]?.partitions.every((p) => !p.isr.includes(3)) === true,
  );
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
  await admin?.close();
  await cluster?.close();
});

describe('the console in a browser', () => {
  it('overview: live brokers, counts, under-replicated partitions and a drawn chart', async () => {
    await page.goto(web.url);
    const brokers = await cells('brokers');
    expect(brokers.map((r) => r[0])).toEqual(['1', '2']);
    const cluster = await admin.describeCluster();
    expect(brokers.map((r) => `${r[1]}:${r[2]}`)).toEqual(
      [...cluster.brokers].sort((a, b) => a.nodeId - b.nodeId).map((b) => `${b.host}:${b.port}`),
    );
    const stat = (name: string) => page.textContent(`[data-stat="${name}"] b`);
    // The three partitions of `orders` lost broker 3 from their ISR; internal topics' partitions
    // that had their only replica there are offline: the page counts what the admin client sees.
    const partitions = (await admin.describeTopics()).flatMap((t) => t.partitions);
    const under = partitions.filter((p) => p.isr.length < p.replicas.length).length;
    expect(under).toBeGreaterThanOrEqual(3);
    expect(await stat('Under-replicated')).toBe(String(under));
    expect(await stat('Offline')).toBe(String(partitions.filter((p) => p.leader < 0).length));
    expect(await stat('Partitions')).toBe(String(partitions.length));
    await page.waitForSelector('[data-chart][data-drawn="true"] canvas');
    const box = await page.locator('[data-chart] canvas').first().boundingBox();
    expect(box?.width).toBeGreaterThan(0);
    expect(box?.height).toBeGreaterThan(0);
    expect(Number(await page.getAttribute('[data-chart]', 'data-points'))).toBeGreaterThanOrEqual(2);
    // The reference brokers' own request rates: the 30 records sent between the last two samples.
    expect((await cells('broker-requests')).map((r) => r[0])).toContain('Produce');
    await shot('overview');
  });

  it('topic page: leader, replicas and ISR as `tskafka topics --describe` prints them', async () => {
    const cli = await runCli([
      'topics',
      '--bootstrap-server',
      cluster.bootstrapServers.join(','),
      '--describe',
      '--topic',
      'orders',
    ]);
    expect(cli.code).toBe(0);
    const fromCli = [
      ...cli.stdout.matchAll(/Partition: (\d+)\tLeader: (\S+)\tReplicas: (\S+)\tIsr: (\S+)/g),
    ].map((m) => m.slice(1, 5));
    expect(fromCli).toHaveLength(3);
    await page.goto(`${web.url}/topics/orders`);
    const rows = await cells('partitions');
    expect(rows.map((r) => r.slice(0, 4))).toEqual(fromCli);
    const ends = await admin.listOffsets('orders', 'latest');
    expect(rows.map((r) => Number(r[6]))).toEqual(ends.map((o) => o.offset));
    await page.waitForSelector('[data-chart][data-drawn="true"] canvas');
    await shot('topic');
  });

  it('topic list and message browser: records as JSON', async () => {
    await page.goto(`${web.url}/topics`);
    const rows = await cells('topics');
    expect(rows).toContainEqual([
      'orders',
      '3',
      '3',
      '3',
      '90',
      expect.stringMatching(/B$/),
      expect.any(String),
    ]);
    await shot('topics');
    await page.goto(`${web.url}/topics/orders/messages?partition=0&limit=5&format=json`);
    const messages = await cells('messages');
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.length).toBeLessThanOrEqual(5);
    for (const m of messages) expect(JSON.parse(m[3] ?? '')).toHaveProperty('order');
    await shot('messages');
  });

  it('group page: offsets and lag as `tskafka consumer-groups --describe` prints them; the lag chart draws', async () => {
    const cli = await runCli([
      'consumer-groups',
      '--bootstrap-server',
      cluster.bootstrapServers.join(','),
      '--describe',
      '--group',
      'billing',
    ]);
    expect(cli.code).toBe(0);
    const fromCli = cli.stdout
      .split('\n')
      .filter((l) => l.startsWith('billing '))
      .map((l) => l.split(/\s+/).slice(1, 6));
    expect(fromCli).toHaveLength(3);
    await page.goto(`${web.url}/groups/billing`);
    const rows = await cells('offsets');
    expect(rows.map((r) => r.slice(0, 5))).toEqual(fromCli);
    const lag = fromCli.reduce((sum, r) => sum + Number(r[4]), 0);
    expect(lag).toBe(30);
    expect(await page.textContent('[data-testid="total-lag"]')).toBe(String(lag));
    await page.waitForSelector('[data-chart][data-drawn="true"] canvas');
    await shot('group');
    await page.goto(`${web.url}/groups`);
    expect(await cells('groups')).toContainEqual([
      'billing',
      'Empty',
      'consumer',
      expect.any(String),
      '0',
      '30',
    ]);
    await shot('groups');
  });

  it('transactions page renders open transactions', async () => {
    const producer = kafka.producer({ transactionalId: 'console-tx' });
    await producer.connect();
    await producer.initTransactions();
    await producer.beginTransaction();
    await producer.send({ topic: 'orders', partition: 1, value: 'in a transaction' });
    await page.goto(`${web.url}/transactions`);
    const rows = await cells('transactions');
    expect(rows).toContainEqual(expect.arrayContaining(['console-tx', 'Ongoing', 'orders-1']));
    await shot('transactions');
    await producer.abortTransaction();
    await producer.close();
  });

  it('writes: refused without the token, done with it', async () => {
    await page.goto(`${web.url}/topics`);
    await page.click('details summary');
    await page.fill('form[data-kind="create-topic"] input[name="topic"]', 'from-browser');
    await page.click('form[data-kind="create-topic"] button');
    const result = page.locator('form[data-kind="create-topic"] .result');
    await result.filter({ hasText: /./ }).waitFor();
    expect(await result.textContent()).toContain('token');
    expect(await admin.listTopics()).not.toContain('from-browser');
    await page.fill('#auth-token', TOKEN);
    await page.dispatchEvent('#auth-token', 'change');
    await page.click('form[data-kind="create-topic"] button');
    await result.filter({ hasText: 'from-browser' }).waitFor();
    expect(await admin.listTopics()).toContain('from-browser');
    await shot('create-topic');
  });
});
