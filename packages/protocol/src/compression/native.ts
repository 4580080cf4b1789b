/**
 * Loading of the native codec addons (napi-rs and libzstd builds shipped as per-platform npm
 * packages, nothing downloaded at install). Each is loaded on first use; where one cannot load
 * (a platform without a prebuilt binary), snappy and LZ4 fall back to their JavaScript
 * implementations and zstd, which has none, fails with an `Unavailable` CompressionError.
 *
 * @module
 */

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const loaded = new Map<string, unknown>();
let enabled = true;

/** The native addon `name`, or undefined when it cannot load here (or natives are switched off). */
export function loadNative<T>(name: string): T | undefined {
  if (!enabled) return undefined;
  if (!loaded.has(name)) {
    try {
      loaded.set(name, require(name));
    } catch {
      loaded.set(name, undefined);
    }
  }
  return loaded.get(name) as T | undefined;
}

/**
 * Switches the native snappy and LZ4 addons on or off (zstd has no fallback and is not
 * affected). For tests of the JavaScript fallbacks; returns the previous setting.
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
