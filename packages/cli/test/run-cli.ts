/**
 * Runs the built `tskafka` command (`packages/cli/bin/tskafka.js`, which runs dist/) as a child
 * process, as a user's script would, for the CLI tests in `test/cli-*.test.ts`.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The tskafka executable. */
export const TSKAFKA_BIN = fileURLToPath(new URL('../bin/tskafka.js', import.meta.url));

/** What one run printed and how it ended. */
export interface CliResult {
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
  /** Exit code. */
  code: number | null;
}

/** Runs `tskafka ...args` with `input` on stdin; kills it after `timeoutMs` (default 20 s). */
export function runCli(args: string[], input = '', timeoutMs = 20_000): Promise<CliResult> {
  const child = spawn(process.execPath, [TSKAFKA_BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  child.stdin.on('error', () => {});
  child.stdin.end(input);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
  });
}
