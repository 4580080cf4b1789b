/**
 * Loading of the native addons (napi-rs and libzstd builds shipped as per-platform npm packages,
 * nothing downloaded or compiled at install). They are optional dependencies: npm skips them on a
 * platform without a prebuilt binary, or when told to (`--omit=optional`). Each is loaded
 * synchronously (`require`, so no top-level await and `require()` of our ESM keeps working) on
 * first use; where one does not load, snappy and LZ4 fall back to their JavaScript
 * implementations, zstd to `node:zlib` (Node 22.15+ / 23.8+), CRC-32C to its JavaScript loop.
 *
 * Why an addon is not in use is kept ({@link nativeAddonStatus}) and said: an addon that is not
 * installed is the expected case and is logged with `NODE_DEBUG=tskafka`; one that is installed
 * but fails to load (a wrong binary, a libc mismatch) is a `process.emitWarning` with the cause,
 * once per process.
 *
 * @module
 */

import { createRequire } from 'node:module';
import { debuglog } from 'node:util';

const localRequire = createRequire(import.meta.url);
const debug = debuglog('tskafka');

/** Why a native addon is in use or not: the result of {@link loadNative}. */
export type NativeAddonStatus =
  | { readonly state: 'loaded' }
  | { readonly state: 'not-installed' }
  | { readonly state: 'failed'; readonly cause: unknown };

/** Per `require` (tests bring their own), what became of each addon. */
const loaded = new WeakMap<NodeJS.Require, Map<string, { status: NativeAddonStatus; module?: unknown }>>();
let enabled = true;

/** The code Node gives a failed `require.resolve` of a package that is not there. */
function isNotFound(err: unknown, name: string): boolean {
  const e = err as NodeJS.ErrnoException;
  return e?.code === 'MODULE_NOT_FOUND' && typeof e.message === 'string' && e.message.includes(`'${name}'`);
}

function tryLoad(name: string, require: NodeJS.Require): { status: NativeAddonStatus; module?: unknown } {
  try {
    require.resolve(name);
  } catch (err) {
    if (isNotFound(err, name)) {
      debug('optional native addon %s is not installed; using the fallback', name);
      return { status: { state: 'not-installed' } };
    }
    return failed(name, err);
  }
  try {
    return { status: { state: 'loaded' }, module: require(name) };
  } catch (err) {
    return failed(name, err);
  }
}

function failed(name: string, cause: unknown): { status: NativeAddonStatus } {
  const reason = cause instanceof Error ? cause.message : String(cause);
  process.emitWarning(
    `${name} is installed but cannot load on ${process.platform}-${process.arch} (Node ${process.version}); ` +
      `tskafka uses its fallback instead: ${reason}`,
    { type: 'TskafkaNativeAddonWarning', code: 'TSKAFKA_NATIVE_ADDON_FAILED' },
  );
  return { status: { state: 'failed', cause } };
}

/**
 * The native addon `name`, or undefined when it is not installed or cannot load here (warned
 * about once, with the cause). `require` resolves `name`; tests pass their own.
 */
export function loadAddon<T>(name: string, require: NodeJS.Require = localRequire): T | undefined {
  let byName = loaded.get(require);
  if (!byName) {
    byName = new Map();
    loaded.set(require, byName);
  }
  let entry = byName.get(name);
  if (!entry) {
    entry = tryLoad(name, require);
    byName.set(name, entry);
  }
  return entry.module as T | undefined;
}

/**
 * {@link loadAddon} for the snappy and LZ4 block addons, which {@link setNativeCodecs} switches
 * off to test their JavaScript fallbacks.
 */
export function loadNative<T>(name: string): T | undefined {
  return enabled ? loadAddon<T>(name) : undefined;
}

/** What became of loading `name` (through `require`), or undefined if nothing tried yet. */
export function nativeAddonStatus(
  name: string,
  require: NodeJS.Require = localRequire,
): NativeAddonStatus | undefined {
  return loaded.get(require)?.get(name)?.status;
}

/**
 * Switches the native snappy and LZ4 addons off or back on; returns the previous setting. For
 * tests of the JavaScript fallbacks (zstd has its own, `setZstdImplementations`).
 */
export function setNativeCodecs(on: boolean): boolean {
  const was = enabled;
  enabled = on;
  return was;
}

/** Whether the native snappy and LZ4 addons are switched on. */
export function nativeCodecsEnabled(): boolean {
  return enabled;
}
