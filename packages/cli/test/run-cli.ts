/**
 * Runs the `tskafka` command for the CLI tests in `test/cli-*.test.ts`: in-process, from source
 * ({@link main} with its streams captured), so a test sees the code as it is edited rather than
 * the last build; and, for the one smoke test of the package as installed, the built executable
 * (`packages/cli/bin/tskafka.js`, which runs dist/) as a child process.
 */
import { spawn } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../src/main.js';

/** The tskafka executable. */
export const TSKAFKA_BIN = fileURLToPath(new URL('../bin/tskafka.js', import.meta.url));

/** What one run printed and how it ended. */
export interface CliResult {
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
  /** Exit code (null: the child process was killed). */
  code: number | null;
}

/** A writable stream that keeps what is written to it. */
function capture(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      callback();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/**
 * Runs `tskafka ...args` in-process with `input` on stdin. A command still running after
 * `timeoutMs` (default 20 s) is stopped as by SIGINT; one that does not stop then fails the run.
 */
export async function runCli(args: string[], input = '', timeoutMs = 20_000): Promise<CliResult> {
  const stdout = capture();
  const stderr = capture();
  const stdin = Readable.from([Buffer.from(input)], { objectMode: false });
  const stop = new AbortController();
  const run = main(args, { stdin, stdout: stdout.stream, stderr: stderr.stream, signal: stop.signal });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      stop.abort();
      timer = setTimeout(
        () => reject(new Error(`tskafka ${args.join(' ')} did not stop within ${timeoutMs} ms`)),
        5_000,
      );
    }, timeoutMs);
  });
  try {
    const code = await Promise.race([run, deadline]);
    return { stdout: stdout.text(), stderr: stderr.text(), code };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs the built `tskafka ...args` as a child process, as a user's script would. With `until`,
 * the child is sent SIGTERM once its stdout matches it (a command that runs until stopped).
 */
export function runBuiltCli(
  args: string[],
  options: { input?: string; until?: RegExp; timeoutMs?: number } = {},
): Promise<CliResult> {
  const child = spawn(process.execPath, [TSKAFKA_BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let stopped = false;
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
    if (!stopped && options.until?.test(stdout)) {
      stopped = true;
      child.kill('SIGTERM');
    }
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  child.stdin.on('error', () => {});
  child.stdin.end(options.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
  });
}
