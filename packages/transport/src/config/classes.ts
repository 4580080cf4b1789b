/**
 * Class-typed keys (`partitioner.class`, `interceptor.classes`, `key.serializer`) name modules;
 * this imports them.
 *
 * @module
 */

import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, nearest } from './errors.js';
import {
  type ConfigKey,
  type ConfigKeys,
  type ConfigOf,
  type ConfigSchema,
  ModuleRef,
  type PluginCheck,
  type ResolvedConfigOf,
} from './schema.js';

/**
 * Imports the modules that class-typed keys name ({@link ModuleRef}s) and puts the
 * implementations in their place. For each module: the named export, else the default export,
 * else the module's only export. A class is instantiated with `new` and no arguments; another
 * function is called as a factory with none; an object is used as it is. The result must pass
 * the key's check (be a serializer, a partitioner, ...).
 *
 * @throws ConfigError naming the key when a module cannot be imported or does not export an
 *   implementation.
 */
export async function resolveClasses<K extends ConfigKeys>(
  schema: ConfigSchema<K>,
  config: ConfigOf<K>,
): Promise<ResolvedConfigOf<K>> {
  const out: Record<string, unknown> = { ...config };
  for (const [option, k] of Object.entries(schema.keys)) {
    const options = k.plugin;
    const value = out[option];
    if (options === undefined) continue;
    if (Array.isArray(value)) {
      const resolved: unknown[] = [];
      for (const item of value)
        resolved.push(item instanceof ModuleRef ? await importClass(item, k, options) : item);
      out[option] = resolved;
    } else if (value instanceof ModuleRef) {
      out[option] = await importClass(value, k, options);
    }
  }
  return out as ResolvedConfigOf<K>;
}

async function importClass(
  ref: ModuleRef,
  k: ConfigKey<unknown, unknown>,
  options: PluginCheck,
): Promise<unknown> {
  const spec = ref.specifier;
  let url: string;
  if (spec.startsWith('file:') || spec.startsWith('node:')) url = spec;
  else if (spec.startsWith('.') || path.isAbsolute(spec))
    url = pathToFileURL(path.resolve(ref.baseDir, spec)).href;
  else {
    // A package name: resolved from the base directory, as a require() there would.
    try {
      url = pathToFileURL(createRequire(path.join(ref.baseDir, 'noop.js')).resolve(spec)).href;
    } catch {
      url = spec;
    }
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError(k.property, `cannot import ${ref}: ${e instanceof Error ? e.message : String(e)}`);
  }
  let exported: unknown;
  if (ref.exportName !== undefined) {
    if (!(ref.exportName in mod)) {
      throw new ConfigError(
        k.property,
        `${ref.specifier} has no export "${ref.exportName}"`,
        nearest(ref.exportName, Object.keys(mod)),
      );
    }
    exported = mod[ref.exportName];
  } else if ('default' in mod) exported = mod.default;
  else {
    const names = Object.keys(mod);
    if (names.length !== 1) {
      throw new ConfigError(
        k.property,
        `${ref.specifier} has no default export; name one: ${ref.specifier}#${names[0] ?? 'Export'}`,
      );
    }
    exported = mod[names[0]];
  }
  let instance: unknown = exported;
  try {
    if (typeof exported === 'function') {
      const fn = exported as (...args: unknown[]) => unknown;
      instance = /^class[\s{]/.test(Function.prototype.toString.call(fn))
        ? new (fn as unknown as new () => unknown)()
        : fn();
    }
  } catch (e) {
    throw new ConfigError(
      k.property,
      `constructing ${ref} failed: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (!options.check(instance)) throw new ConfigError(k.property, `${ref} does not give ${options.what}`);
  return instance;
}
