// `pnpm run pack [dir]`: builds, then writes an installable tarball of every public package to
// `dir` (default `packs/`, gitignored) and checks each one as npm will see it. `pnpm pack` turns
// `workspace:*` into the version and applies `publishConfig` (the published `exports` have no
// `source` condition, which would make a bundler that sets it load our raw TypeScript); each
// package's `prepack` copies the root LICENSE and NOTICE in and `postpack` removes them.
//
// A check failing here exits 1 naming the package: a `workspace:` range left in a tarball, a
// published subpath missing from `publishConfig.exports` (add `./internals` there too when adding
// it to `exports`), a `source` condition, or a missing README, LICENSE or NOTICE.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dest = path.resolve(root, process.argv[2] ?? 'packs');

interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  exports?: Record<string, Record<string, string>>;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** The public packages of the workspace, by directory. */
function publicPackages(): Map<string, PackageJson> {
  const out = new Map<string, PackageJson>();
  for (const dir of fs.readdirSync(path.join(root, 'packages')).sort()) {
    const file = path.join(root, 'packages', dir, 'package.json');
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as PackageJson;
    if (!pkg.private) out.set(dir, pkg);
  }
  return out;
}

/** The file name `pnpm pack` gives `pkg`'s tarball: `@scope/name` becomes `scope-name`. */
export function tarballName(pkg: { name: string; version: string }): string {
  return `${pkg.name.replace(/^@/, '').replace('/', '-')}-${pkg.version}.tgz`;
}

/** What is wrong with the packed `packageJson` of `source`, or nothing. */
function problems(source: PackageJson, packed: PackageJson, files: string[]): string[] {
  const found: string[] = [];
  const ranges = { ...packed.dependencies, ...packed.optionalDependencies, ...packed.peerDependencies };
  for (const [name, range] of Object.entries(ranges)) {
    if (range.startsWith('workspace:')) found.push(`dependency ${name} is still ${range}`);
  }
  const want = Object.keys(source.exports ?? {}).sort();
  const got = Object.keys(packed.exports ?? {}).sort();
  if (want.join() !== got.join()) {
    found.push(
      `published exports ${JSON.stringify(got)} differ from the workspace's ${JSON.stringify(want)}: ` +
        'add the missing subpaths to publishConfig.exports (without the source condition)',
    );
  }
  for (const [subpath, conditions] of Object.entries(packed.exports ?? {})) {
    if ('source' in conditions) found.push(`exports["${subpath}"] keeps the source condition`);
  }
  for (const file of ['package/README.md', 'package/LICENSE', 'package/NOTICE']) {
    if (!files.includes(file)) found.push(`${file.slice('package/'.length)} is not in the tarball`);
  }
  return found;
}

function main(): void {
  const run = (cmd: string, args: string[]) =>
    execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  // The pnpm running this script (`pnpm run pack`, or vitest under `pnpm test`), else npx's.
  const execPath = process.env.npm_execpath;
  const pnpm =
    execPath?.includes('pnpm') && /\.c?js$/.test(execPath)
      ? [process.execPath, execPath]
      : ['npx', '-y', 'pnpm@10'];
  const pnpmRun = (args: string[]) => run(pnpm[0], [...pnpm.slice(1), ...args]);

  pnpmRun(['run', 'build']);
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true });
  pnpmRun(['-r', '--filter', './packages/*', 'pack', '--pack-destination', dest]);

  const failures: string[] = [];
  for (const pkg of publicPackages().values()) {
    const tarball = path.join(dest, tarballName(pkg));
    if (!fs.existsSync(tarball)) {
      failures.push(`${pkg.name}: no tarball ${path.basename(tarball)}`);
      continue;
    }
    const files = run('tar', ['-tzf', tarball]).split('\n').filter(Boolean);
    const packed = JSON.parse(run('tar', ['-xzOf', tarball, 'package/package.json'])) as PackageJson;
    for (const p of problems(pkg, packed, files)) failures.push(`${pkg.name}: ${p}`);
  }
  if (failures.length > 0) {
    process.stderr.write(`pack: ${failures.length} problem(s):\n  ${failures.join('\n  ')}\n`);
    process.exit(1);
  }
  process.stdout.write(`${fs.readdirSync(dest).sort().join('\n')}\n`);
}

main();
