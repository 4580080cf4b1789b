/**
 * What a user gets from npm: `pnpm run pack` writes the tarballs, and a fresh npm project outside
 * the workspace installs them (nothing resolves from the workspace: inter-package dependencies
 * come from the tarballs, TypeScript and Node's types from the registry). Then, as a user would:
 * a strict TypeScript app using the README's API type-checks against the published declarations
 * and runs against `startBroker()`; a CommonJS app `require()`s the ESM packages (Node 20.19+)
 * and does the same, as does a KafkaJS app through `require('tskafka/kafkajs')`; the `tskafka`
 * bin answers `--help`; and with the optional native addons
 * removed, snappy and LZ4 fall back to JavaScript and zstd to `node:zlib` or a clear error.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

let work = '';
let app = '';

/**
 * The environment of the app's processes: ours without NODE_PATH, which pnpm's shims point at the
 * workspace's whole store (it would resolve what the tarballs fail to bring).
 */
const appEnv: NodeJS.ProcessEnv = { ...process.env };
delete appEnv.NODE_PATH;

/** Runs `file args` in the app's folder; returns stdout, failing with stderr on a non-zero exit. */
async function inApp(file: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(file, args, {
      cwd: app,
      env: appEnv,
      maxBuffer: 16 * 1024 * 1024,
      timeout: 180_000,
    });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${file} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

/** The last line of `stdout`, parsed: each app prints its result as one JSON line at the end. */
function lastJson(stdout: string): unknown {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

/** The README's walk, as a strict TypeScript app: create a topic, send one record, read it back. */
const APP_TS = `import { startBroker } from '@tskafka/broker';
import { Kafka } from 'tskafka';

const broker = await startBroker({ logLevel: 'error' });
try {
  const kafka = new Kafka({ bootstrapServers: broker.bootstrapServers, clientId: 'pack-install' });
  const admin = kafka.admin();
  await admin.createTopics([{ topic: 'orders', numPartitions: 1, replicationFactor: 1 }]);
  await admin.close();

  const producer = kafka.producer({ acks: 'all', lingerMs: 5, compression: 'lz4' });
  await producer.connect();
  const meta = await producer.send({ topic: 'orders', key: 'u1', value: 'hello' });
  await producer.close();

  const consumer = kafka.consumer({ groupId: 'billing', autoOffsetReset: 'earliest', enableAutoCommit: false });
  await consumer.connect();
  await consumer.subscribe(['orders']);
  // The first poll may return before the group has assigned the partition: poll until it arrives.
  let records = await consumer.poll(1000);
  for (let i = 0; i < 30 && records.length === 0; i++) records = await consumer.poll(1000);
  await consumer.commitSync();
  await consumer.close();

  const consumed = records.map((r) => ({
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    key: r.key?.toString() ?? null,
    value: r.value?.toString() ?? null,
  }));
  console.log(JSON.stringify({ sent: { partition: meta.partition, offset: meta.offset }, consumed }));
} finally {
  await broker.close();
}
`;

/**
 * The README's first snippet exactly as written, but for the address: an embedded broker stands in
 * for `tskafka broker` on localhost:9092. It prints the record its consumer read.
 */
function readmeApp(): string {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const snippet = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  if (snippet === undefined || !snippet.includes("['localhost:9092']")) {
    throw new Error("README.md's first ts snippet is gone or no longer connects to ['localhost:9092']");
  }
  return [
    "import { startBroker } from '@tskafka/broker';",
    "const broker = await startBroker({ logLevel: 'error' });",
    snippet.replace("['localhost:9092']", 'broker.bootstrapServers'),
    'await broker.close();',
    '',
  ].join('\n');
}

/** The same from CommonJS: require() of our ESM packages. */
const APP_CJS = `const { Kafka } = require('tskafka');
const { startBroker } = require('@tskafka/broker');

async function main() {
  const broker = await startBroker({ logLevel: 'error' });
  try {
    const kafka = new Kafka({ bootstrapServers: broker.bootstrapServers, clientId: 'pack-install-cjs' });
    const producer = kafka.producer({ compression: 'snappy' });
    await producer.connect();
    await producer.send({ topic: 'events', key: 'k', value: 'from require' });
    await producer.close();
    const consumer = kafka.consumer({ groupId: 'cjs', autoOffsetReset: 'earliest' });
    await consumer.connect();
    await consumer.subscribe(['events']);
    let records = await consumer.poll(1000);
    for (let i = 0; i < 30 && records.length === 0; i++) records = await consumer.poll(1000);
    await consumer.close();
    console.log(JSON.stringify(records.map((r) => [r.key.toString(), r.value.toString()])));
  } finally {
    await broker.close();
  }
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
`;

/** A KafkaJS app from CommonJS, moved over by changing its require('kafkajs') to tskafka/kafkajs. */
const APP_KAFKAJS_CJS = `const { Kafka, logLevel, KafkaJSError } = require('tskafka/kafkajs');
const { startBroker } = require('@tskafka/broker');

async function main() {
  const broker = await startBroker({ logLevel: 'error' });
  try {
    const kafka = new Kafka({ clientId: 'kafkajs-cjs', brokers: async () => broker.bootstrapServers, logLevel: logLevel.ERROR });
    const producer = kafka.producer();
    await producer.connect();
    const sent = await producer.send({ topic: 'legacy', messages: [{ key: 'k', value: 'from kafkajs' }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: 'kafkajs-cjs' });
    await consumer.connect();
    await consumer.subscribe({ topics: ['legacy'], fromBeginning: true });
    const seen = await new Promise((resolve) => {
      consumer.run({ eachMessage: async ({ message }) => resolve([message.offset, message.key.toString(), message.value.toString()]) });
    });
    await consumer.disconnect();
    console.log(JSON.stringify({ sent: sent.map((r) => [r.topicName, r.partition, r.baseOffset]), seen, errors: typeof KafkaJSError }));
  } finally {
    await broker.close();
  }
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
`;

/** Every codec through the installed @tskafka/protocol; zstd's outcome as the user would see it. */
const CODECS_MJS = `import { CompressionType, compressSync, decompressSync } from '@tskafka/protocol/internals';

const data = Buffer.from('record '.repeat(5000));
const result = {};
for (const [name, type] of Object.entries({ snappy: CompressionType.Snappy, lz4: CompressionType.Lz4, zstd: CompressionType.Zstd })) {
  try {
    result[name] = decompressSync(type, compressSync(type, data)).equals(data) ? 'ok' : 'mismatch';
  } catch (err) {
    result[name] = { kind: err.kind, message: err.message };
  }
}
console.log(JSON.stringify(result));
`;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'tskafka-pack-'));
  const packs = path.join(work, 'packs');
  app = path.join(work, 'app');
  mkdirSync(app);
  await run(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/pack.ts'), packs], {
    cwd: root,
    maxBuffer: 16 * 1024 * 1024,
  });
  const tarballs = readdirSync(packs)
    .filter((f) => f.endsWith('.tgz'))
    .map((f) => path.join(packs, f));
  writeFileSync(
    path.join(app, 'package.json'),
    JSON.stringify({ name: 'tskafka-pack-install', private: true, type: 'module' }, null, 2),
  );
  await inApp(npm, [
    'install',
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
    ...tarballs,
    'typescript@5.9.3',
    '@types/node@20',
  ]);
  writeFileSync(
    path.join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        types: ['node'],
        outDir: 'dist',
        // Our published .d.ts files are checked too, as a strict user's build would.
        skipLibCheck: false,
      },
      include: ['app.ts', 'readme.ts'],
    }),
  );
  writeFileSync(path.join(app, 'app.ts'), APP_TS);
  writeFileSync(path.join(app, 'readme.ts'), readmeApp());
  writeFileSync(path.join(app, 'app.cjs'), APP_CJS);
  writeFileSync(path.join(app, 'kafkajs-app.cjs'), APP_KAFKAJS_CJS);
  writeFileSync(path.join(app, 'codecs.mjs'), CODECS_MJS);
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed packages, installed with npm outside the workspace', () => {
  it('installed all ten packages from the tarballs', () => {
    const scoped = readdirSync(path.join(app, 'node_modules/@tskafka')).sort();
    expect(scoped).toEqual([
      'admin',
      'broker',
      'cli',
      'console',
      'consumer',
      'opentelemetry',
      'producer',
      'protocol',
      'transport',
    ]);
    expect(readdirSync(path.join(app, 'node_modules'))).toContain('tskafka');
  });

  it('a strict TypeScript app type-checks and runs: the record it sent comes back', async () => {
    await inApp(process.execPath, [path.join(app, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json']);
    const out = lastJson(await inApp(process.execPath, ['dist/app.js']));
    expect(out).toEqual({
      sent: { partition: 0, offset: 0 },
      consumed: [{ topic: 'orders', partition: 0, offset: 0, key: 'u1', value: 'hello' }],
    });
  }, 120_000);

  it("the README's snippet type-checks (with the app above) and prints the record it consumed", async () => {
    const out = await inApp(process.execPath, ['dist/readme.js']);
    expect(out).toContain("[ 'hello' ]");
  }, 120_000);

  it('a CommonJS app require()s tskafka and @tskafka/broker, produces and consumes', async () => {
    const out = lastJson(await inApp(process.execPath, ['app.cjs']));
    expect(out).toEqual([['k', 'from require']]);
  }, 120_000);

  it('a KafkaJS app require()s tskafka/kafkajs instead of kafkajs and runs unchanged', async () => {
    const out = lastJson(await inApp(process.execPath, ['kafkajs-app.cjs']));
    expect(out).toEqual({ sent: [['legacy', 0, '0']], seen: ['0', 'k', 'from kafkajs'], errors: 'function' });
  }, 120_000);

  it('the tskafka command runs from node_modules/.bin', async () => {
    const out = await inApp(path.join(app, 'node_modules/.bin/tskafka'), ['--help']);
    for (const command of ['broker', 'topics', 'console-producer', 'console-consumer', 'consumer-groups']) {
      expect(out).toContain(command);
    }
  });

  it('without the optional native addons: snappy and LZ4 in JavaScript, zstd from node:zlib or a clear error', async () => {
    // Last, as it removes them: what `npm install --omit=optional` or an unsupported platform leaves.
    for (const addon of ['snappy', 'lz4-napi', '@toondepauw/node-zstd', '@node-rs/crc32']) {
      rmSync(path.join(app, 'node_modules', addon), { recursive: true, force: true });
    }
    const out = lastJson(await inApp(process.execPath, ['codecs.mjs'])) as Record<string, unknown>;
    expect(out.snappy).toBe('ok');
    expect(out.lz4).toBe('ok');
    if (typeof (zlib as { zstdCompressSync?: unknown }).zstdCompressSync === 'function') {
      expect(out.zstd).toBe('ok');
    } else {
      expect(out.zstd).toMatchObject({ kind: 'unavailable' });
      expect((out.zstd as { message: string }).message).toContain(
        'install @toondepauw/node-zstd (npm install @toondepauw/node-zstd) or run on Node 22.15+',
      );
    }
  });
});
