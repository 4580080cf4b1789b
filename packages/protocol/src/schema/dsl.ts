/**
 * The declarative schema language for Kafka messages. A message is a struct whose fields carry
 * the version ranges of the official definitions; one schema covers every version, and the codec
 * compiles it for the version asked for. Field names are the official PascalCase names in
 * camelCase; the options use the official keys (`versions`, `nullableVersions`, `taggedVersions`,
 * `tag`, `default`, `ignorable`).
 */

/** Wire types that are not arrays or structs. */
export type PrimitiveType =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'float64'
  | 'string'
  | 'bytes'
  | 'uuid'
  | 'records';

/** A named struct: an ordered set of fields. */
export interface StructDef<F extends Fields = Fields> {
  /** Discriminates structs from arrays and primitives. */
  readonly kind: 'struct';
  /** The struct's name in the official definition, e.g. `TopicProduceData`. */
  readonly name: string;
  /** The fields, in wire order. */
  readonly fields: F;
}

/** Element types an array may hold. */
export type ElementType = PrimitiveType | StructDef;

/** An array of primitives or structs (`[]int32`, `[]TopicData`). */
export interface ArrayDef<E extends ElementType = ElementType> {
  /** Discriminates arrays from structs and primitives. */
  readonly kind: 'array';
  /** The element type. */
  readonly element: E;
}

/** Any field type. */
export type FieldType = PrimitiveType | ArrayDef | StructDef;

/** Per-field options, named as in the official message definitions. */
export interface FieldOptions {
  /** Versions in which the field is on the wire; `0+` when not given. */
  readonly versions?: string;
  /** Versions in which the field may be null. */
  readonly nullableVersions?: string;
  /** Versions in which the field is a tagged field (flexible versions only). */
  readonly taggedVersions?: string;
  /** The tag number when the field is tagged. */
  readonly tag?: number;
  /** Value used when the field is absent from the version being read or written. */
  readonly default?: boolean | number | string | null;
  /** Whether a non-default value may be dropped when writing a version that lacks the field. */
  readonly ignorable?: boolean;
  /**
   * Overrides the message's flexible versions for this field. Only the request header's
   * `ClientId` uses it (`none`), so that any broker can read any request header.
   */
  readonly flexibleVersions?: string;
}

/** One field: its type and options. */
export interface FieldDef<T extends FieldType = FieldType, O extends FieldOptions = FieldOptions> {
  /** The field's type. */
  readonly type: T;
  /** The field's options. */
  readonly options: O;
}

/** The fields of a struct, keyed by camelCase name, in wire order. */
export type Fields = { readonly [name: string]: FieldDef };

/** What a definition file describes. */
export type MessageKind = 'request' | 'response' | 'header' | 'data';

/** A top-level message: a struct plus the versions it exists in. */
export interface MessageDef<F extends Fields = Fields> extends StructDef<F> {
  /** Request, response, header or data (e.g. `ConsumerProtocolSubscription`). */
  readonly type: MessageKind;
  /** The API key for requests and responses. */
  readonly apiKey?: number;
  /** Versions this schema covers, e.g. `0-11`. */
  readonly validVersions: string;
  /** Versions that use the compact encoding with tagged fields, e.g. `9+` or `none`. */
  readonly flexibleVersions: string;
}

/** Declares a named struct. */
export function struct<const F extends Fields>(name: string, fields: F): StructDef<F> {
  return { kind: 'struct', name, fields };
}

/** Declares a top-level message. */
export function message<const F extends Fields>(
  spec: {
    name: string;
    type: MessageKind;
    apiKey?: number;
    validVersions: string;
    flexibleVersions: string;
  },
  fields: F,
): MessageDef<F> {
  return { kind: 'struct', ...spec, fields };
}

function field<T extends FieldType, O extends FieldOptions>(type: T, options?: O): FieldDef<T, O> {
  return { type, options: (options ?? {}) as O };
}

/** Options of a field declared without any. */
export type NoOptions = Record<never, never>;

/** Field builders, one per wire type. */
export const t = {
  /** A boolean, one byte. */
  bool: <O extends FieldOptions = NoOptions>(o?: O) => field('bool', o),
  /** A signed 8-bit integer. */
  int8: <O extends FieldOptions = NoOptions>(o?: O) => field('int8', o),
  /** A signed 16-bit integer. */
  int16: <O extends FieldOptions = NoOptions>(o?: O) => field('int16', o),
  /** An unsigned 16-bit integer. */
  uint16: <O extends FieldOptions = NoOptions>(o?: O) => field('uint16', o),
  /** A signed 32-bit integer. */
  int32: <O extends FieldOptions = NoOptions>(o?: O) => field('int32', o),
  /** An unsigned 32-bit integer. */
  uint32: <O extends FieldOptions = NoOptions>(o?: O) => field('uint32', o),
  /** A signed 64-bit integer, carried as a safe-integer `number`. */
  int64: <O extends FieldOptions = NoOptions>(o?: O) => field('int64', o),
  /** An IEEE-754 double. */
  float64: <O extends FieldOptions = NoOptions>(o?: O) => field('float64', o),
  /** A UTF-8 string. */
  string: <O extends FieldOptions = NoOptions>(o?: O) => field('string', o),
  /** Raw bytes. */
  bytes: <O extends FieldOptions = NoOptions>(o?: O) => field('bytes', o),
  /** A UUID, carried as Kafka's 22-character URL-safe base64 string. */
  uuid: <O extends FieldOptions = NoOptions>(o?: O) => field('uuid', o),
  /** Record batches, carried as raw bytes. */
  records: <O extends FieldOptions = NoOptions>(o?: O) => field('records', o),
  /** An array of primitives or structs. */
  array: <E extends ElementType, O extends FieldOptions = NoOptions>(element: E, o?: O) =>
    field({ kind: 'array', element } as ArrayDef<E>, o),
  /** A nested struct. */
  struct: <S extends StructDef, O extends FieldOptions = NoOptions>(s: S, o?: O) => field(s, o),
};

/** The decoded value of a primitive. */
export type PrimitiveValue<P extends PrimitiveType> = P extends 'bool'
  ? boolean
  : P extends 'string' | 'uuid'
    ? string
    : P extends 'bytes' | 'records'
      ? Buffer
      : number;

/** What an encoder accepts for a primitive. */
export type PrimitiveInput<P extends PrimitiveType> = P extends 'bytes' | 'records'
  ? Uint8Array
  : PrimitiveValue<P>;

/** The decoded value of any field type. */
export type TypeValue<T> = T extends PrimitiveType
  ? PrimitiveValue<T>
  : T extends ArrayDef<infer E>
    ? TypeValue<E>[]
    : T extends StructDef<infer F>
      ? StructValue<F>
      : never;

/** What an encoder accepts for any field type. */
export type TypeInput<T> = T extends PrimitiveType
  ? PrimitiveInput<T>
  : T extends ArrayDef<infer E>
    ? readonly TypeInput<E>[]
    : T extends StructDef<infer F>
      ? StructInput<F>
      : never;

/** `V`, or `V | null` when the options declare nullable versions. */
export type Nullable<O, V> = O extends { nullableVersions: string } ? V | null : V;

/** The decoded value of a field. */
export type FieldValue<D> = D extends FieldDef<infer T, infer O> ? Nullable<O, TypeValue<T>> : never;

/** What an encoder accepts for a field. */
export type FieldInput<D> = D extends FieldDef<infer T, infer O> ? Nullable<O, TypeInput<T>> : never;

/** Keys of fields that an encoder may leave out (not in every version, or with a default). */
export type OptionalKeys<F extends Fields> = {
  [K in keyof F]: F[K]['options'] extends { versions: string } | { default: unknown } | { tag: number }
    ? K
    : never;
}[keyof F];

/** A decoded struct: every field present, absent ones filled with their defaults. */
export type StructValue<F extends Fields> = { -readonly [K in keyof F]: FieldValue<F[K]> };

/**
 * What an encoder accepts for a struct. Fields that are not in every version, or that have a
 * default, may be left out; they are written as their default.
 */
export type StructInput<F extends Fields> = {
  -readonly [K in keyof F as K extends OptionalKeys<F> ? never : K]: FieldInput<F[K]>;
} & {
  -readonly [K in keyof F as K extends OptionalKeys<F> ? K : never]?: FieldInput<F[K]>;
};

/** The decoded value of a message. */
export type MessageValue<M> = M extends StructDef<infer F> ? StructValue<F> : never;

/** What an encoder accepts for a message. */
export type MessageInput<M> = M extends StructDef<infer F> ? StructInput<F> : never;
