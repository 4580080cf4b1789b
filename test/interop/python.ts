/**
 * Running the confluent-kafka-python scripts of `python/` for the interop tests. They run under
 * `/usr/bin/python3`, the interpreter Debian's python3-confluent-kafka installs into, not
 * whatever `python3` comes first on PATH; when the package is missing the tests fail with its
 * name, they never skip.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The interpreter the Debian package serves. */
export const PYTHON = '/usr/bin/python3';

const script = (name: string) => fileURLToPath(new URL(`./python/${name}`, import.meta.url));

/** Fails with the Debian package to install unless confluent-kafka-python can be imported. */
export function requirePythonClient(): void {
  const r = spawnSync(PYTHON, ['-c', 'import confluent_kafka'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error(
      `confluent-kafka-python is needed under ${PYTHON}: apt-get install python3-confluent-kafka (${r.error?.message ?? r.stderr.trim()})`,
    );
  }
}

/**
 * Runs `python/<name>` with `args`; resolves with its stdout's JSON lines when it exits 0, and
 * rejects with its stderr otherwise (or when it runs longer than `timeoutMs`).
 */
export function runPython(name: string, args: string[], timeoutMs = 60_000): Promise<unknown[]> {
  const child = spawn(PYTHON, [script(name), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  const killTimer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(killTimer);
      if (code !== 0)
        reject(new Error(`${name} ${args.join(' ')} exited with ${code ?? signal}: ${stderr.trim()}`));
      else
        resolve(
          stdout
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l)),
        );
    });
  });
}
