/**
 * What metrics cost: the same producer run (100 B, every send observed) with metrics recorded and
 * with the sensors replaced by no-ops, alternating, on our reference broker in another process.
 * Prints CPU per record of each and the overhead of metrics as a ratio. Nothing here is a test.
 *
 *   pnpm exec tsx --conditions=source bench/metrics/run.ts [--records 300000] [--rounds 3]
 */
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? dflt) : dflt;
};
const records = arg('records', '300000');
const rounds = Number(arg('rounds', '3'));

const cli = here('../../packages/cli/src/bin.ts');
const broker = spawn(
  process.execPath,
  ['--import', 'tsx', '--conditions=source', cli, 'broker', '--port', '0'],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const bootstrap = await new Promise<string>((resolve) => {
  broker.stdout.setEncoding('utf8').once('data', (s: string) => resolve(s.trim().split('\n')[0] ?? ''));
});

const results: Record<'on' | 'off', number[]> = { on: [], off: [] };
try {
  for (let r = 0; r < rounds; r++) {
    for (const mode of r % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
      const { stdout } = await execFileAsync(
        process.execPath,
        [
          '--import',
          'tsx',
          '--conditions=source',
          here('client.ts'),
          bootstrap,
          `bench-metrics-${mode}-${r}`,
          records,
        ],
        { env: { ...process.env, METRICS: mode }, maxBuffer: 1 << 20 },
      );
      const res = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
        records: number;
        cpuSeconds: number;
        seconds: number;
      };
      results[mode].push((res.cpuSeconds / res.records) * 1e6);
      console.error(
        `${mode}: ${(res.records / res.seconds / 1e3).toFixed(0)}k records/s, ${((res.cpuSeconds / res.records) * 1e6).toFixed(3)} µs CPU/record`,
      );
    }
  }
} finally {
  broker.kill('SIGTERM');
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const on = median(results.on);
const off = median(results.off);
console.log(
  `metrics on: ${on.toFixed(3)} µs CPU/record; off: ${off.toFixed(3)} µs; overhead ${(((on - off) / off) * 100).toFixed(1)}%`,
);
