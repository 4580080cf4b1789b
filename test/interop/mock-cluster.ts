/**
 * Starts librdkafka's mock cluster (`rd_kafka_mock_cluster_new`) as a child process, so tests can
 * put a Kafka peer we did not write in front of our code without a JVM. The C program lives in
 * `mock-cluster/mock_cluster.c`; it is compiled once per machine and source version into a cache
 * directory under the OS temp dir.
 *
 * The tools come from Debian packages (`gcc`, `pkg-config`, `librdkafka-dev`, `kcat`). When one
 * is missing, the helpers here fail with a message that names the package: interop tests must
 * not skip silently, CI installs the tools.
 */
import { type ChildProcessWithoutNullStreams, execFile, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const SOURCE = fileURLToPath(new URL('./mock-cluster/mock_cluster.c', import.meta.url));

/** A topic for the mock cluster to create at start. */
export interface MockTopic {
  /** The topic name. */
  name: string;
  /** Number of partitions. */
  partitions: number;
  /** Replicas per partition, at most the number of brokers; default 1. */
  replicationFactor?: number;
}

/** Options of {@link startMockCluster}. */
export interface MockClusterOptions {
  /** Number of brokers, with ids 1..brokers; default 1. */
  brokers?: number;
  /** Topics to create before the cluster is handed out (the mock has no CreateTopics API). */
  topics?: MockTopic[];
  /** Copy the mock's stderr (librdkafka logs) to this process's stderr; default false. */
  logToStderr?: boolean;
}

/** A running mock cluster. */
export interface MockCluster {
  /** `host:port` of every broker, comma-separated, in broker id order (1..n). */
  readonly bootstrapServers: string;
  /**
   * Sends one command line to the mock (see `mock_cluster.c`: `push_request_errors <apiKey>
   * <count> <err>...`, `broker_down <id>`, `broker_up <id>`, `create_topic <name> <partitions>
   * <rf>`, ...); resolves when it answered `ok`, rejects with its reason otherwise.
   */
  command(line: string): Promise<void>;
  /** Closes stdin, waits for the process to exit (killing it after 5 s). Idempotent. */
  close(): Promise<void>;
}

/** Whether a tool is usable, and if not, what to install. */
export interface ToolCheck {
  /** True when everything needed is present. */
  ok: boolean;
  /** Debian packages to install when `ok` is false. */
  missing: string[];
  /** A sentence naming what is missing, for test failures. */
  message: string;
}

function commandWorks(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.error === undefined && r.status === 0;
}

function check(what: string, missing: string[]): ToolCheck {
  return {
    ok: missing.length === 0,
    missing,
    message:
      missing.length === 0
        ? `${what} is available`
        : `${what} needs the Debian package(s) ${missing.join(', ')}: apt-get install ${missing.join(' ')}`,
  };
}

/** Checks for gcc, pkg-config and librdkafka's development files (with `rdkafka_mock.h`). */
export function haveMockCluster(): ToolCheck {
  const missing: string[] = [];
  if (!commandWorks('gcc', ['--version'])) missing.push('gcc');
  if (!commandWorks('pkg-config', ['--version'])) missing.push('pkg-config');
  else if (
    !commandWorks('pkg-config', ['--exists', 'rdkafka']) ||
    !existsSync(join(pkgConfigIncludeDir(), 'librdkafka', 'rdkafka_mock.h'))
  ) {
    missing.push('librdkafka-dev');
  }
  return check('the librdkafka mock cluster', missing);
}

/** Checks for the `kcat` command-line client. */
export function haveKcat(): ToolCheck {
  return check('kcat', commandWorks('kcat', ['-V']) ? [] : ['kcat']);
}

/** Throws the {@link ToolCheck} message unless the tool is available. */
export function requireTool(result: ToolCheck): void {
  if (!result.ok) throw new Error(result.message);
}

function pkgConfigIncludeDir(): string {
  const r = spawnSync('pkg-config', ['--variable=includedir', 'rdkafka'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() !== '' ? r.stdout.trim() : '/usr/include';
}

let building: Promise<string> | undefined;

/**
 * Compiles `mock_cluster.c` unless a binary for this source and librdkafka build is cached, and
 * returns the binary's path. Safe to call from concurrent test workers: each compiles to a
 * private file and renames it into place.
 */
export function buildMockCluster(): Promise<string> {
  building ??= build().catch((e: unknown) => {
    building = undefined;
    throw e;
  });
  return building;
}

async function build(): Promise<string> {
  requireTool(haveMockCluster());
  const flags = (await execFileAsync('pkg-config', ['--cflags', '--libs', 'rdkafka'])).stdout
    .trim()
    .split(/\s+/)
    .filter((f) => f !== '');
  const version = (await execFileAsync('pkg-config', ['--modversion', 'rdkafka'])).stdout.trim();
  const hash = createHash('sha256')
    .update(readFileSync(SOURCE))
    .update(`\0${flags.join(' ')}\0${version}`)
    .digest('hex')
    .slice(0, 16);
  const dir = join(tmpdir(), `tskafka-mock-${hash}`);
  const binary = join(dir, 'mock_cluster');
  if (existsSync(binary)) return binary;
  await mkdir(dir, { recursive: true });
  const partial = `${binary}.${process.pid}.tmp`;
  try {
    await execFileAsync('gcc', ['-O1', '-Wall', '-o', partial, SOURCE, ...flags]);
    await rename(partial, binary);
  } catch (e) {
    await rm(partial, { force: true });
    const stderr = (e as { stderr?: string }).stderr ?? '';
    throw new Error(`compiling ${SOURCE} failed: ${stderr || String(e)}`);
  }
  return binary;
}

/**
 * Starts a mock cluster and resolves once its brokers listen. The ListOffsets version is capped
 * at 3, because librdkafka 2.0.2 mis-encodes ListOffsets v4+ responses.
 */
export async function startMockCluster(options: MockClusterOptions = {}): Promise<MockCluster> {
  const binary = await buildMockCluster();
  const args = [String(options.brokers ?? 1)];
  for (const t of options.topics ?? []) {
    if (/[:\s]/.test(t.name)) throw new Error(`topic name ${JSON.stringify(t.name)} has a ':' or a space`);
    args.push(`${t.name}:${t.partitions}:${t.replicationFactor ?? 1}`);
  }
  const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  return attach(child, options.logToStderr ?? false);
}

function attach(child: ChildProcessWithoutNullStreams, logToStderr: boolean): Promise<MockCluster> {
  let stderrTail = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => {
    stderrTail = (stderrTail + s).slice(-4000);
    if (logToStderr) process.stderr.write(s);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const pending: { line: string; resolve: () => void; reject: (e: Error) => void }[] = [];
  let bootstrap: ((s: string) => void) | undefined;
  let closed = false;

  createInterface({ input: child.stdout }).on('line', (reply) => {
    if (bootstrap) {
      bootstrap(reply);
      bootstrap = undefined;
      return;
    }
    const p = pending.shift();
    if (!p) return;
    if (reply === 'ok') p.resolve();
    else p.reject(new Error(`mock cluster: "${p.line}" failed: ${reply.replace(/^error /, '')}`));
  });

  const gone = (code: number | null) =>
    new Error(`mock cluster exited (code ${code}); stderr: ${stderrTail.trim() || '(empty)'}`);
  void exited.then((code) => {
    for (const p of pending.splice(0)) p.reject(gone(code));
  });

  const cluster: Omit<MockCluster, 'bootstrapServers'> = {
    command(line) {
      if (closed) return Promise.reject(new Error('mock cluster is closed'));
      if (/[\r\n]/.test(line)) return Promise.reject(new Error('a mock cluster command is one line'));
      return new Promise<void>((resolve, reject) => {
        pending.push({ line, resolve, reject });
        child.stdin.write(`${line}\n`);
      });
    },
    async close() {
      if (closed) {
        await exited;
        return;
      }
      closed = true;
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };

  return new Promise<MockCluster>((resolve, reject) => {
    bootstrap = (line) => resolve({ bootstrapServers: line, ...cluster });
    child.once('error', reject);
    void exited.then((code) => reject(gone(code)));
  });
}
