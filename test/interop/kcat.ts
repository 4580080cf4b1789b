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
