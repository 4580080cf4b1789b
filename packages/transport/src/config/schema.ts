/**
 * Schema-driven configuration: each key of a schema maps a Kafka property name
 * (`linger.ms`) to a camelCase option (`lingerMs`) with a type, Java's default and checks. The
 * same schema reads a `.properties` file, an object with Kafka's names, or typed camelCase
 * options, and gives back typed camelCase options.
 *
 * @module
 */

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { KafkaClientError } from '@tskafka/protocol';
import { ConfigError, nearest } from './errors.js';
import { parsePropertiesEntries } from './properties.js';

/** The value types a configuration key can have (Java's `ConfigDef.Type`, plus our own). */
export type ConfigValueType =
  | 'string'
  | 'password'
  | 'int'
  | 'long'
  | 'boolean'
  | 'list'
  | 'enum'
  | 'class'
  | 'classList'
  | 'custom';

/**
 * A module to import for a class-typed key (`partitioner.class=./hot.js#HotPartitioner`), not
 * yet imported: `resolveClasses` turns it into the instance.
 */
export class ModuleRef {
  /**
   * @param specifier - a path (relative to `baseDir`, or absolute), a `file:` URL or a package name.
   * @param exportName - the export to use; the default export (or, failing that, the only export) if absent.
   * @param baseDir - the directory relative specifiers start from: the properties file's, or the current one.
   */
  constructor(
    readonly specifier: string,
    readonly exportName: string | undefined,
    readonly baseDir: string,
  ) {}

  /** `specifier#exportName`, as written in a properties file. */
  toString(): string {
    return this.exportName === undefined ? this.specifier : `${this.specifier}#${this.exportName}`;
  }
}

/** What a key's parser is told about where a value came from. */
export interface ParseContext {
  /** The directory module paths are relative to. */
  readonly baseDir: string;
  /** True when the value came from a `.properties` file or a Kafka-named object, as text. */
  readonly fromText: boolean;
}

/**
 * One configuration key.
 *
 * @typeParam Out - the option's type after loading (includes `undefined` when there is no default).
 * @typeParam In - what a camelCase options object may give for it.
 */
export interface ConfigKey<Out, In = Out> {
  /** The Kafka property name, e.g. `linger.ms`. */
  readonly property: string;
  /** The value type. */
  readonly type: ConfigValueType;
  /** What the key does; shown in documentation. */
  readonly doc: string;
  /** The value when the key is not given (Java's default, unless the doc says otherwise). */
  readonly default: Out;
  /** A value must be given (Java's `NO_DEFAULT_VALUE`). */
  readonly required: boolean;
  /** Other names accepted for this key: librdkafka's or older Kafka names, camelCase synonyms. */
  readonly aliases: readonly string[];
  /** Whether the value is secret: it never appears in error messages. */
  readonly secret: boolean;
  /** The allowed values of an `enum` key, for messages and suggestions. */
  readonly values?: readonly string[];
  /**
   * For class-typed keys: what an implementation must satisfy, checked on objects given and on
   * what `resolveClasses` imports.
   */
  readonly plugin?: PluginCheck;
  /**
   * Turns a given value (text from a file, or a typed value) into the option's value; throws
   * {@link ConfigValueError} when it cannot, and the loader names the key.
   */
  readonly parse: (raw: unknown, context: ParseContext) => Exclude<Out, undefined>;
  /** Type-level only: the camelCase input type. Never set. */
  readonly __in?: In;
}

/** How a class-typed key recognizes an implementation. */
export interface PluginCheck {
  /** Whether `value` is an implementation. */
  check(value: unknown): boolean;
  /** What an implementation is, for messages ("a serializer"). */
  what: string;
}

/**
 * Thrown by a key's `parse` for a bad value; {@link loadConfig} turns it into a {@link ConfigError}
 * naming the key. Not retriable.
 */
export class ConfigValueError extends KafkaClientError {
  /**
   * @param message - what is wrong with the value.
   * @param suggestion - the nearest valid value, if any.
   */
  constructor(
    message: string,
    readonly suggestion?: string,
  ) {
    super(message);
  }
}

/** A set of keys by camelCase option name. Schemas are plain objects: spread one to extend it. */
export type ConfigKeys = { readonly [option: string]: ConfigKey<unknown, unknown> };

/** The typed options a set of keys loads into. */
export type ConfigOf<K extends ConfigKeys> = { -readonly [P in keyof K]: K[P]['default'] };

/** What a camelCase options object may give for a set of keys (every key optional). */
export type ConfigInputOf<K extends ConfigKeys> = {
  [P in keyof K]?: K[P] extends ConfigKey<unknown, infer In> ? In : never;
};

/** {@link ConfigOf} after `resolveClasses`: no {@link ModuleRef} left. */
export type ResolvedConfigOf<K extends ConfigKeys> = {
  -readonly [P in keyof K]: K[P]['default'] extends infer V
    ? V extends readonly (infer E)[]
      ? Exclude<E, ModuleRef>[]
      : Exclude<V, ModuleRef>
    : never;
};

/** Kafka-named properties as an object: values as in a properties file, or typed. */
export type KafkaProperties = Readonly<Record<string, string | number | boolean>>;

/** A schema: its keys, the names it accepts and ignores, and the checks across keys. */
export interface ConfigSchema<K extends ConfigKeys = ConfigKeys> {
  /** The keys, by camelCase option name. */
  readonly keys: K;
  /**
   * Java property names accepted and ignored (JVM-only settings such as `send.buffer.bytes`), so
   * a `client.properties` written for the Java client loads.
   */
  readonly ignored: ReadonlySet<string>;
  /**
   * Checks across keys, after each key is parsed (e.g. idempotence needs `acks=all`); may adjust
   * values as Java does (and say so through `warn`). Throws {@link ConfigError}.
   *
   * @param given - the option names the input set explicitly.
   */
  readonly check?: (
    config: ConfigOf<K>,
    given: ReadonlySet<keyof K & string>,
    warn: (message: string) => void,
  ) => void;
}

/**
 * A schema from keys.
 *
 * @param options.ignored - Java property names to accept without effect.
 * @param options.check - checks across keys (see {@link ConfigSchema.check}).
 */
export function defineSchema<K extends ConfigKeys>(
  keys: K,
  options: { ignored?: Iterable<string>; check?: ConfigSchema<K>['check'] } = {},
): ConfigSchema<K> {
  return { keys, ignored: new Set(options.ignored ?? []), check: options.check };
}

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /**
   * The directory module paths in the input are relative to; default: the properties file's
   * directory when loading a file, else `process.cwd()`.
   */
  baseDir?: string;
  /** Receives warnings (a setting adjusted, as Java does with a log line); default: none. */
  warn?: (message: string) => void;
  /** Names the input in errors (a file path); set automatically for a file. */
  source?: string;
}

/**
 * Loads configuration against a schema: from a `.properties` file (given its path), an object
 * with Kafka's property names (`{ 'linger.ms': '5' }`), typed camelCase options
 * (`{ lingerMs: 5 }`), or both mixed; fills in the defaults, parses and checks every value, runs
 * the schema's checks across keys. A file is read as UTF-8 and parsed by
 * {@link parseProperties}; module paths in it are relative to its directory.
 *
 * Class-typed keys come back as a built-in name, the object given, or a {@link ModuleRef} to
 * import with `resolveClasses`.
 *
 * @throws ConfigError naming the key (and the nearest valid one) for an unknown key, a value of
 *   the wrong type or out of range, a missing required key, or a conflict between keys.
 */
export function loadConfig<K extends ConfigKeys>(
  schema: ConfigSchema<K>,
  input: ConfigInputOf<K> | KafkaProperties | string,
  options: LoadConfigOptions = {},
): ConfigOf<K> {
  if (typeof input === 'string') {
    let text: string;
    try {
      text = readFileSync(input, 'utf8');
    } catch (e) {
      throw new ConfigError(
        input,
        `cannot read the properties file: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    const entries = parsePropertiesEntries(text, input);
    const properties: Record<string, string> = {};
    const lines = new Map<string, number>();
    for (const e of entries) {
      properties[e.key] = e.value;
      lines.set(e.key, e.line);
    }
    const source = options.source ?? input;
    return load(
      schema,
      properties,
      { ...options, baseDir: options.baseDir ?? path.dirname(path.resolve(input)), source },
      (name) => `${source}:${lines.get(name)}`,
    );
  }
  return load(schema, input, options, () => options.source);
}

function load<K extends ConfigKeys>(
  schema: ConfigSchema<K>,
  input: ConfigInputOf<K> | KafkaProperties,
  options: LoadConfigOptions,
  sourceOf: (name: string) => string | undefined,
): ConfigOf<K> {
  const baseDir = options.baseDir ?? process.cwd();
  const byName = namesOf(schema);
  const config: Record<string, unknown> = {};
  const given = new Map<string, string>(); // option -> the name it was given under
  for (const [name, raw] of Object.entries(input as Record<string, unknown>)) {
    if (raw === undefined) continue;
    const option = byName.get(name);
    if (option === undefined) {
      if (schema.ignored.has(name)) continue;
      // Suggest among names of the same style: Kafka's dotted ones, or camelCase ones.
      const dotted = name.includes('.');
      const candidates = [...byName.keys()].filter((n) => n.includes('.') === dotted || !/[.A-Z]/.test(n));
      throw new ConfigError(name, 'unknown configuration key', nearest(name, candidates), sourceOf(name));
    }
    const key = schema.keys[option];
    const earlier = given.get(option);
    if (earlier !== undefined) {
      throw new ConfigError(name, `given twice (also as "${earlier}")`, undefined, sourceOf(name));
    }
    given.set(option, name);
    const context: ParseContext = { baseDir, fromText: typeof raw === 'string' };
    try {
      config[option] = raw === null && !key.required ? key.default : key.parse(raw, context);
    } catch (e) {
      if (!(e instanceof ConfigValueError)) throw e;
      const shown = key.secret ? '' : ` (got ${describe(raw)})`;
      throw new ConfigError(name, `${e.message}${shown}`, e.suggestion, sourceOf(name));
    }
  }
  for (const [option, key] of Object.entries(schema.keys)) {
    if (given.has(option)) continue;
    if (key.required) {
      throw new ConfigError(
        key.property,
        'missing required configuration, which has no default',
        undefined,
        options.source,
      );
    }
    config[option] = key.default;
  }
  const result = config as ConfigOf<K>;
  schema.check?.(result, new Set(given.keys()) as ReadonlySet<keyof K & string>, options.warn ?? (() => {}));
  return result;
}

/** Every accepted name (option, property, aliases) to its option name; cached per schema. */
function namesOf<K extends ConfigKeys>(schema: ConfigSchema<K>): Map<string, string> {
  let names = nameCache.get(schema);
  if (names === undefined) {
    names = new Map();
    for (const [option, key] of Object.entries(schema.keys)) {
      names.set(option, option);
      names.set(key.property, option);
      for (const alias of key.aliases) names.set(alias, option);
    }
    nameCache.set(schema, names);
  }
  return names;
}
const nameCache = new WeakMap<object, Map<string, string>>();

function describe(raw: unknown): string {
  if (typeof raw === 'string') return JSON.stringify(raw);
  if (typeof raw === 'function') return 'a function';
  if (Array.isArray(raw)) return 'an array';
  if (raw === null) return 'null';
  if (typeof raw === 'object') return 'an object';
  return String(raw);
}
