/**
 * Runs `kcat` (librdkafka's command-line client) as a peer for interop tests.
 */
import { spawn } from 'node:child_process';
import { haveKcat, requireTool } from './mock-cluster.js';

/** Options of {@link runKcat}. */
export interface KcatOptions {
  /** Written to kcat's stdin, which is then closed (kcat -P reads one message per line). */
  input?: string;
  /**
   * Sends SIGINT after this many ms and treats the exit as normal; for commands that run until
   * stopped, such as a group consumer (`-G`). kcat closes cleanly on SIGINT (commit, leave).
   */
  stopAfterMs?: number;
  /** Kills kcat and fails after this many ms; default 30 000. */
  timeoutMs?: number;
}

/** What a kcat run printed. */
export interface KcatResult {
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
  /** Exit code (null when ended by the `stopAfterMs` signal). */
  code: number | null;
}

/**
 * Runs kcat with `args`; resolves when it exits with code 0 (or after `stopAfterMs`), rejects
 * with its stderr otherwise. Fails with the Debian package name when kcat is not installed.
 */
export function runKcat(args: string[], options: KcatOptions = {}): Promise<KcatResult> {
  requireTool(haveKcat());
  const child = spawn('kcat', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let stopped = false;
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  child.stdin.on('error', () => {}); // kcat may exit before reading all input; its exit code says why
  child.stdin.end(options.input ?? '');
  const stopTimer =
    options.stopAfterMs === undefined
      ? undefined
      : setTimeout(() => {
          stopped = true;
          child.kill('SIGINT');
        }, options.stopAfterMs);
  const killTimer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  return new Promise<KcatResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(stopTimer);
      clearTimeout(killTimer);
      const result = { stdout, stderr, code };
      if (code === 0 || (stopped && signal !== 'SIGKILL')) resolve(result);
      else reject(new Error(`kcat ${args.join(' ')} exited with ${code ?? signal}: ${stderr.trim()}`));
    });
  });
}

/** One record as {@link readTopicWithKcat} prints it. */
export interface KcatRecord {
  /** Partition. */
  partition: number;
  /** Offset. */
  offset: number;
  /** Key as text (empty for a null key). */
  key: string;
  /** Value as text. */
  value: string;
  /** Timestamp in ms. */
  timestamp: number;
  /** Headers as kcat prints them: `k=v,k2=v2`. */
  headers: string;
}

/**
 * Reads a whole topic from the beginning with kcat (`-C -e`), one record per line with tab-
 * separated fields. `extra` goes before `-C` (for `-X` settings such as SASL). Values must not
 * contain tabs or newlines.
 */
export async function readTopicWithKcat(
  bootstrap: string,
  topic: string,
  extra: string[] = [],
): Promise<KcatRecord[]> {
  const { stdout } = await runKcat([
    '-b',
    bootstrap,
    ...extra,
    '-C',
    '-t',
    topic,
    '-o',
    'beginning',
    '-e',
    '-q',
    '-f',
    '%p\t%o\t%k\t%s\t%T\t%h\n',
  ]);
  return stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((line) => {
      const [p, o, key, value, ts, headers] = line.split('\t');
      return { partition: Number(p), offset: Number(o), key, value, timestamp: Number(ts), headers };
    });
}
