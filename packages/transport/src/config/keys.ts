/**
 * Builders of configuration keys, one per value type. Each returns a {@link ConfigKey} whose
 * loaded type includes `undefined` only when the key has neither a default nor `required`.
 *
 * @module
 */

import { nearest } from './errors.js';
import {
  type ConfigKey,
  ConfigValueError,
  type ConfigValueType,
  ModuleRef,
  type ParseContext,
  type PluginCheck,
} from './schema.js';

/** Options every key builder takes. */
export interface KeyOptions<D> {
  /** What the key does. */
  doc: string;
  /** Java's default; omit for none. */
  default?: D;
  /** Must be given (no default). */
  required?: boolean;
  /** Other accepted names. */
  aliases?: readonly string[];
}

type Out<T, O> = O extends { default: unknown } ? T : O extends { required: true } ? T : T | undefined;

function key<T, In, O extends KeyOptions<unknown>>(
  property: string,
  type: ConfigValueType,
  options: O,
  parse: (raw: unknown, context: ParseContext) => T,
  extra: { secret?: boolean; values?: readonly string[]; plugin?: PluginCheck } = {},
): ConfigKey<Out<T, O>, In> {
  return {
    property,
    type,
    doc: options.doc,
    default: options.default as Out<T, O>,
    required: options.required === true,
    aliases: options.aliases ?? [],
    secret: extra.secret === true,
    values: extra.values,
    plugin: extra.plugin,
    parse: parse as ConfigKey<Out<T, O>, In>['parse'],
  };
}

/** A string key. `validate` returns a message for a bad value. */
export function stringKey<
  const O extends KeyOptions<string> & { validate?: (v: string) => string | undefined },
>(property: string, options: O): ConfigKey<Out<string, O>, string> {
  return key(property, 'string', options, (raw) => {
    if (typeof raw !== 'string') throw new ConfigValueError('expected a string');
    const message = options.validate?.(raw);
    if (message !== undefined) throw new ConfigValueError(message);
    return raw;
  });
}

/** A secret string (`ssl.key.password`, `sasl.password`): never shown in messages. */
export function passwordKey<const O extends KeyOptions<string>>(
  property: string,
  options: O,
): ConfigKey<Out<string, O>, string> {
  return key(
    property,
    'password',
    options,
    (raw) => {
      if (typeof raw !== 'string') throw new ConfigValueError('expected a string');
      return raw;
    },
    { secret: true },
  );
}

/** Options of {@link intKey} and {@link longKey}. */
export interface NumberKeyOptions extends KeyOptions<number> {
  /** Smallest allowed value. */
  min?: number;
  /** Largest allowed value. */
  max?: number;
  /** Further allowed values outside [min, max] (e.g. -1 for "default level"). */
  also?: readonly number[];
}

function integer(bits: 32 | 53, options: NumberKeyOptions) {
  const lo = bits === 32 ? -2147483648 : Number.MIN_SAFE_INTEGER;
  const hi = bits === 32 ? 2147483647 : Number.MAX_SAFE_INTEGER;
  return (raw: unknown): number => {
    let n: number;
    if (typeof raw === 'number') n = raw;
    else if (typeof raw === 'string' && /^\s*[+-]?\d+\s*$/.test(raw)) n = Number(raw.trim());
    else throw new ConfigValueError(`expected ${bits === 32 ? 'an int' : 'a long'}`);
    if (!Number.isInteger(n) || n < lo || n > hi) {
      throw new ConfigValueError(
        bits === 32 ? 'expected an int (a 32-bit integer)' : 'expected an integer within ±(2^53 - 1)',
      );
    }
    if (options.also?.includes(n)) return n;
    if (options.min !== undefined && n < options.min) {
      throw new ConfigValueError(`must be at least ${options.min}${alsoText(options)}`);
    }
    if (options.max !== undefined && n > options.max) {
      throw new ConfigValueError(`must be at most ${options.max}${alsoText(options)}`);
    }
    return n;
  };
}

function alsoText(options: NumberKeyOptions): string {
  return options.also === undefined ? '' : ` (or ${options.also.join(', ')})`;
}

/** A 32-bit integer key (Java `INT`), with an optional range. */
export function intKey<const O extends NumberKeyOptions>(
  property: string,
  options: O,
): ConfigKey<Out<number, O>, number> {
  return key(property, 'int', options, integer(32, options));
}

/** An integer key (Java `LONG`), limited to JavaScript's safe integers. */
export function longKey<const O extends NumberKeyOptions>(
  property: string,
  options: O,
): ConfigKey<Out<number, O>, number> {
  return key(property, 'long', options, integer(53, options));
}

/** A boolean key: `true`/`false` in any case, or a boolean. */
export function booleanKey<const O extends KeyOptions<boolean>>(
  property: string,
  options: O,
): ConfigKey<Out<boolean, O>, boolean> {
  return key(property, 'boolean', options, (raw) => {
    if (typeof raw === 'boolean') return raw;
    if (typeof raw === 'string') {
      const v = raw.trim().toLowerCase();
      if (v === 'true' || v === 'false') return v === 'true';
    }
    throw new ConfigValueError('expected true or false');
  });
}

/**
 * A list key (Java `LIST`): a comma-separated string (items trimmed; an empty string is an
 * empty list) or an array of strings. `validate` checks each item.
 */
export function listKey<
  const O extends KeyOptions<readonly string[]> & { validate?: (item: string) => string | undefined },
>(property: string, options: O): ConfigKey<Out<string[], O>, string | readonly string[]> {
  return key(property, 'list', options, (raw) => {
    let items: string[];
    if (typeof raw === 'string') items = raw.trim() === '' ? [] : raw.split(',').map((s) => s.trim());
    else if (Array.isArray(raw) && raw.every((x) => typeof x === 'string'))
      items = raw.map((s: string) => s.trim());
    else throw new ConfigValueError('expected a comma-separated list or an array of strings');
    for (const item of items) {
      const message = item === '' ? 'empty list item' : options.validate?.(item);
      if (message !== undefined) throw new ConfigValueError(`${message} (item ${JSON.stringify(item)})`);
    }
    return items;
  });
}

/**
 * The spellings an enumeration accepts in typed input: each value, its text form, and the
 * synonyms (with numeric synonyms also as numbers: `'-1'` and `-1`).
 */
export type EnumSpellings<V extends string | number, S extends string> =
  | V
  | `${V}`
  | S
  | (S extends `${infer N extends number}` ? N : never);

/**
 * An enumeration key: one of `values`. `synonyms` maps other spellings to a value (e.g. `-1` to
 * `all` for `acks`); `caseInsensitive` also accepts values in another case.
 */
export function enumKey<
  const V extends string | number,
  const O extends KeyOptions<V> & {
    synonyms?: Readonly<Record<string, V>>;
    caseInsensitive?: boolean;
  },
>(
  property: string,
  values: readonly V[],
  options: O,
): ConfigKey<Out<V, O>, EnumSpellings<V, Extract<keyof O['synonyms'], string>>> {
  const names = values.map(String);
  return key(
    property,
    'enum',
    options,
    (raw) => {
      if (typeof raw !== 'string' && typeof raw !== 'number') {
        throw new ConfigValueError(`expected one of ${names.join(', ')}`);
      }
      const text = String(raw).trim();
      const i = names.indexOf(text);
      if (i >= 0) return values[i];
      const synonym = options.synonyms?.[text];
      if (synonym !== undefined) return synonym;
      if (options.caseInsensitive === true) {
        const j = names.findIndex((v) => v.toLowerCase() === text.toLowerCase());
        if (j >= 0) return values[j];
      }
      throw new ConfigValueError(`expected one of ${names.join(', ')}`, nearest(text, names));
    },
    { values: names },
  );
}

/**
 * A key whose value a function parses (e.g. `sasl.jaas.config`): `parseText` for text, and
 * `accept` for a value given already typed.
 */
export function customKey<T, In, const O extends KeyOptions<T> & { secret?: boolean }>(
  property: string,
  options: O,
  parseText: (text: string) => T,
  accept: (value: unknown) => value is In & T,
): ConfigKey<Out<T, O>, In | string> {
  return key(
    property,
    'custom',
    options,
    (raw) => {
      if (typeof raw === 'string') {
        try {
          return parseText(raw);
        } catch (e) {
          if (e instanceof ConfigValueError) throw e;
          throw new ConfigValueError(e instanceof Error ? e.message : String(e));
        }
      }
      if (accept(raw)) return raw;
      throw new ConfigValueError('expected a string or a parsed value');
    },
    { secret: options.secret === true },
  );
}

/** Options of a class-typed key. */
export interface ClassKeyOptions<B extends string, T> extends KeyOptions<B> {
  /**
   * Built-in implementations by name, and other spellings of them (Java class names, librdkafka
   * names) mapped to the canonical name. Looked up as given, then in lower case.
   */
  builtins?: Readonly<Record<string, B>>;
  /** Whether an object (given, or imported) is an implementation. */
  check: (value: unknown) => value is T;
  /** What an implementation is, for messages ("a serializer"). */
  what: string;
}

/** The built-in names of a class key's options. */
export type BuiltinOf<O> = O extends { builtins: Readonly<Record<string, infer B extends string>> }
  ? B
  : never;

/** The implementation type a class key's `check` accepts. */
export type CheckedOf<O> = O extends { check: (value: unknown) => value is infer T } ? T : never;

/** What a class-typed key holds: a built-in name, an implementation, or a module to import. */
export type ClassValue<O> = BuiltinOf<O> | CheckedOf<O> | ModuleRef;

/** A `ModuleRef`, a built-in name, or an error for a Java class we cannot load. */
function classFromText<B extends string>(
  text: string,
  builtins: Readonly<Record<string, B>>,
  baseDir: string,
  what: string,
): B | ModuleRef {
  const t = text.trim();
  const builtin = builtins[t] ?? builtins[t.toLowerCase()];
  if (builtin !== undefined) return builtin;
  if (t === '') throw new ConfigValueError(`expected the name of a built-in or a module path for ${what}`);
  // A Java class name (dotted identifiers ending in a capitalized one) cannot be imported.
  if (/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$/.test(t) && /\.[A-Z][\w$]*$/.test(t)) {
    const names = [...new Set(Object.values(builtins))];
    throw new ConfigValueError(
      `Java class ${t} cannot be loaded here; give a module path (./file.js#Export) or one of ${names.join(', ')}`,
      nearest(t.slice(t.lastIndexOf('.') + 1), Object.keys(builtins)),
    );
  }
  const hash = t.lastIndexOf('#');
  return hash > 0
    ? new ModuleRef(t.slice(0, hash), t.slice(hash + 1), baseDir)
    : new ModuleRef(t, undefined, baseDir);
}

function classValue<B extends string, T>(
  raw: unknown,
  options: ClassKeyOptions<B, T>,
  baseDir: string,
): B | T | ModuleRef {
  if (typeof raw === 'string') return classFromText(raw, options.builtins ?? {}, baseDir, options.what);
  if (raw instanceof ModuleRef) return raw;
  if (options.check(raw)) return raw;
  throw new ConfigValueError(`expected ${options.what}, a built-in name or a module path`);
}

/**
 * A class-typed key (Java `CLASS`, e.g. `partitioner.class`): a built-in name, an
 * implementation object, or a module path (`./dir/file.js`, `pkg`, optionally `#ExportName`)
 * that `resolveClasses` imports. A Java class name that is not a known built-in spelling
 * is an error.
 */
export function classKey<const O extends ClassKeyOptions<string, unknown>>(
  property: string,
  options: O,
): ConfigKey<Out<ClassValue<O>, O>, ClassValue<O> | (string & {})> {
  const k = key(property, 'class', options, (raw, context) => classValue(raw, options, context.baseDir), {
    plugin: options,
  });
  return k as ConfigKey<Out<ClassValue<O>, O>, ClassValue<O> | (string & {})>;
}

/**
 * A list of class-typed values (Java `LIST` of classes, e.g. `interceptor.classes`): a
 * comma-separated string or an array; default empty.
 */
export function classListKey<const O extends Omit<ClassKeyOptions<string, unknown>, 'default' | 'required'>>(
  property: string,
  options: O,
): ConfigKey<ClassValue<O>[], string | readonly (ClassValue<O> | (string & {}))[]> {
  const k = key(
    property,
    'classList',
    { ...options, default: [] },
    (raw, context) => {
      const items =
        typeof raw === 'string'
          ? raw.trim() === ''
            ? []
            : raw.split(',').map((s) => s.trim())
          : Array.isArray(raw)
            ? (raw as unknown[])
            : undefined;
      if (items === undefined) {
        throw new ConfigValueError(`expected a comma-separated list or an array of ${options.what}s`);
      }
      return items.map((item) => classValue(item, options, context.baseDir));
    },
    { plugin: options },
  );
  return k as unknown as ConfigKey<ClassValue<O>[], string | readonly (ClassValue<O> | (string & {}))[]>;
}
