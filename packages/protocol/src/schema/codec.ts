/**
 * Compiles a {@link MessageDef} into a codec for one version: a tree of small closures that size,
 * write and read exactly the fields on the wire in that version. Compiled codecs are cached per
 * message and version, so the schema is interpreted once.
 */
import { ProtocolDecodeError, ProtocolEncodeError } from '../primitives/errors.js';
import type { Reader } from '../primitives/reader.js';
import { uvarintSize } from '../primitives/varint.js';
import { Writer } from '../primitives/writer.js';
import type {
  ArrayDef,
  FieldDef,
  FieldType,
  MessageDef,
  MessageInput,
  MessageValue,
  PrimitiveType,
  StructDef,
} from './dsl.js';
import { inVersions, parseVersions } from './versions.js';

/** Sizes, writes and reads one value of a type, for one version. */
export interface Codec {
  /** Bytes `value` takes; may record string lengths into `lengths` for the write pass. */
  size(value: unknown, lengths: SizeScratch): number;
  /** Writes `value`. */
  write(w: Writer, value: unknown): void;
  /** Reads a value. */
  read(r: Reader): unknown;
}

/**
 * What the sizing pass records for the write pass: string lengths and tagged-field sizes in order,
 * plus, when bytes fields are spliced rather than copied (`spliceMin` > 0), the total of the bytes
 * that will be spliced, so the write pass allocates only what it copies.
 */
export interface SizeScratch extends Array<number> {
  /** Bytes fields at least this long are spliced; absent or 0, none is. */
  spliceMin?: number;
  /** Bytes of the fields that will be spliced. */
  spliced?: number;
}

/** The all-zero UUID, Kafka's `Uuid.ZERO_UUID`. */
export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
const EMPTY = Buffer.alloc(0);

interface CompiledField {
  name: string;
  codec: Codec;
  def: FieldDef;
  defaultValue: () => unknown;
}

interface CompiledTagged extends CompiledField {
  tag: number;
}

/** Whether `value` equals the field's default (undefined counts as default). */
export function isDefaultValue(def: FieldDef, value: unknown): boolean {
  if (value === undefined) return true;
  const type = def.type;
  const d = def.options.default;
  if (typeof type === 'string') {
    if (type === 'records') return value === null;
    if (type === 'bytes') {
      if (value === null) return d === null;
      return d !== null && (value as Uint8Array).length === 0;
    }
    return value === primitiveDefault(type, d);
  }
  if (type.kind === 'array') {
    if (value === null) return d === null;
    return d !== null && (value as unknown[]).length === 0;
  }
  if (value === null) return d === null;
  const fields = type.fields;
  for (const name in fields) {
    if (!isDefaultValue(fields[name], (value as Record<string, unknown>)[name])) return false;
  }
  return true;
}

function primitiveDefault(type: PrimitiveType, d: FieldDef['options']['default']): unknown {
  if (d !== undefined) return d;
  switch (type) {
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'uuid':
      return ZERO_UUID;
    case 'bytes':
      return EMPTY;
    case 'records':
      return null;
    default:
      return 0;
  }
}

function defaultFactory(def: FieldDef, version: number, flexible: boolean): () => unknown {
  const type = def.type;
  const d = def.options.default;
  if (typeof type === 'string') {
    const v = primitiveDefault(type, d);
    return () => v;
  }
  if (d === null) return () => null;
  if (type.kind === 'array') return () => [];
  const s = compileStruct(type, version, flexible);
  return () => s.defaults();
}

/** A compiled struct: a codec plus a factory for its all-defaults value. */
export interface StructCodec extends Codec {
  /** A new value with every field at its default. */
  defaults(): Record<string, unknown>;
}

const structCache = new WeakMap<StructDef, StructCodec[]>();

/** Compiles a struct for `version`; `flexible` says whether that version uses compact encodings. */
export function compileStruct(def: StructDef, version: number, flexible: boolean): StructCodec {
  let perVersion = structCache.get(def);
  if (!perVersion) {
    perVersion = [];
    structCache.set(def, perVersion);
  }
  const slot = version * 2 + (flexible ? 1 : 0);
  const cached = perVersion[slot];
  if (cached) return cached;

  const onWire: CompiledField[] = [];
  const tagged: CompiledTagged[] = [];
  const absent: CompiledField[] = [];
  const all: CompiledField[] = [];
  // Placeholder first, so recursive structs resolve to the codec being built.
  const codec = {} as StructCodec;
  perVersion[slot] = codec;

  for (const [name, fd] of Object.entries(def.fields)) {
    const o = fd.options;
    const present = inVersions(o.versions ?? '0+', version);
    const nullable = present && inVersions(o.nullableVersions, version);
    const isTagged = present && flexible && inVersions(o.taggedVersions, version);
    const cf: CompiledField = {
      name,
      def: fd,
      codec: present
        ? typeCodec(
            fd.type,
            nullable,
            o.flexibleVersions ? inVersions(o.flexibleVersions, version) : flexible,
            version,
          )
        : (undefined as unknown as Codec),
      defaultValue: defaultFactory(fd, version, flexible),
    };
    all.push(cf);
    if (!present) absent.push(cf);
    else if (isTagged) tagged.push({ ...cf, tag: Number(o.tag) });
    else onWire.push(cf);
  }
  tagged.sort((a, b) => a.tag - b.tag);

  codec.defaults = () => {
    const o: Record<string, unknown> = {};
    for (const f of all) o[f.name] = f.defaultValue();
    return o;
  };

  codec.size = (value, lengths) => {
    const v = value as Record<string, unknown>;
    let n = 0;
    for (const f of onWire) {
      try {
        let fv = v[f.name];
        if (fv === undefined) fv = f.defaultValue();
        n += f.codec.size(fv, lengths);
      } catch (e) {
        throw encodeError(e, f.name);
      }
    }
    for (const f of absent) {
      if (!f.def.options.ignorable && !isDefaultValue(f.def, v[f.name])) {
        throw new ProtocolEncodeError(
          `field is not in version ${version} and is not ignorable, but has a non-default value`,
        ).at(f.name);
      }
    }
    if (flexible) {
      const countSlot = lengths.length;
      lengths.push(0);
      let count = 0;
      for (const f of tagged) {
        const fv = v[f.name];
        if (isDefaultValue(f.def, fv)) continue;
        const sizeSlot = lengths.length;
        lengths.push(0);
        let size: number;
        try {
          size = f.codec.size(fv, lengths);
        } catch (e) {
          throw encodeError(e, f.name);
        }
        lengths[sizeSlot] = size;
        n += uvarintSize(f.tag) + uvarintSize(size) + size;
        count++;
      }
      lengths[countSlot] = count;
      n += uvarintSize(count);
    }
    return n;
  };

  codec.write = (w, value) => {
    const v = value as Record<string, unknown>;
    for (const f of onWire) {
      let fv = v[f.name];
      if (fv === undefined) fv = f.defaultValue();
      f.codec.write(w, fv);
    }
    if (flexible) {
      const count = w.nextLength();
      w.uvarint(count);
      if (count === 0) return;
      for (const f of tagged) {
        const fv = v[f.name];
        if (isDefaultValue(f.def, fv)) continue;
        w.uvarint(f.tag);
        w.uvarint(w.nextLength());
        f.codec.write(w, fv);
      }
    }
  };

  codec.read = (r) => {
    const o: Record<string, unknown> = {};
    let i = 0;
    for (const f of all) {
      // Fields keep their declared order on the object; absent and tagged ones get defaults.
      if (i < onWire.length && onWire[i] === f) {
        try {
          o[f.name] = f.codec.read(r);
        } catch (e) {
          throw decodeError(e, f.name, r.pos);
        }
        i++;
      } else {
        o[f.name] = f.defaultValue();
      }
    }
    if (flexible) readTaggedFields(r, tagged, o);
    return o;
  };
  return codec;
}

function readTaggedFields(r: Reader, tagged: CompiledTagged[], o: Record<string, unknown>): void {
  let count: number;
  try {
    count = r.uvarint();
  } catch (e) {
    throw decodeError(e, '_taggedFields', r.pos);
  }
  let lastTag = -1;
  for (let k = 0; k < count; k++) {
    const tag = r.uvarint();
    const size = r.uvarint();
    if (tag <= lastTag) {
      throw new ProtocolDecodeError(`tagged field ${tag} is out of order (after ${lastTag})`, r.pos).at(
        '_taggedFields',
      );
    }
    lastTag = tag;
    const end = r.pos + size;
    r.need(size);
    const f = tagged.find((x) => x.tag === tag);
    if (!f) {
      r.pos = end; // unknown tag: skip, as Java keeps it aside
      continue;
    }
    try {
      o[f.name] = f.codec.read(r);
    } catch (e) {
      throw decodeError(e, f.name, r.pos);
    }
    if (r.pos !== end) {
      throw new ProtocolDecodeError(
        `tagged field ${tag} declared ${size} bytes but used ${r.pos - end + size}`,
        r.pos,
      ).at(f.name);
    }
  }
}

/** Wraps any error as a {@link ProtocolEncodeError}, adding `at` to its path unless it is null. */
function encodeError(e: unknown, at: string | number | null): ProtocolEncodeError {
  const err =
    e instanceof ProtocolEncodeError
      ? e
      : new ProtocolEncodeError(e instanceof Error ? e.message : String(e));
  return at === null ? err : err.at(at);
}

/** Wraps any error as a {@link ProtocolDecodeError}, adding `at` to its path unless it is null. */
function decodeError(e: unknown, at: string | number | null, pos: number): ProtocolDecodeError {
  const err =
    e instanceof ProtocolDecodeError
      ? e
      : new ProtocolDecodeError(e instanceof Error ? e.message : String(e), pos);
  return at === null ? err : err.at(at);
}

function typeCodec(type: FieldType, nullable: boolean, flexible: boolean, version: number): Codec {
  if (typeof type === 'string') return primitiveCodec(type, nullable, flexible);
  if (type.kind === 'array') return arrayCodec(type, nullable, flexible, version);
  const s = compileStruct(type, version, flexible);
  if (!nullable) return s;
  return {
    size: (v, l) => (v === null ? 1 : 1 + s.size(v, l)),
    write: (w, v) => {
      if (v === null) w.int8(-1);
      else {
        w.int8(1);
        s.write(w, v);
      }
    },
    read: (r) => (r.int8() < 0 ? null : s.read(r)),
  };
}

function arrayCodec(type: ArrayDef, nullable: boolean, flexible: boolean, version: number): Codec {
  const el =
    typeof type.element === 'string'
      ? primitiveCodec(type.element, false, flexible)
      : compileStruct(type.element, version, flexible);
  const fixed = typeof type.element === 'string' ? fixedSize(type.element) : 0;
  return {
    size(value, lengths) {
      if (value === null) {
        if (!nullable) throw new ProtocolEncodeError('null given for a non-nullable array');
        return flexible ? 1 : 4;
      }
      const a = value as unknown[];
      let n = flexible ? uvarintSize(a.length + 1) : 4;
      if (fixed) return n + fixed * a.length;
      for (let i = 0; i < a.length; i++) {
        try {
          n += el.size(a[i], lengths);
        } catch (e) {
          throw encodeError(e, i);
        }
      }
      return n;
    },
    write(w, value) {
      if (value === null) {
        if (flexible) w.uvarint(0);
        else w.int32(-1);
        return;
      }
      const a = value as unknown[];
      if (flexible) w.uvarint(a.length + 1);
      else w.int32(a.length);
      for (let i = 0; i < a.length; i++) el.write(w, a[i]);
    },
    read(r) {
      const n = flexible ? r.uvarint() - 1 : r.int32();
      if (n < 0) {
        if (n === -1 && nullable) return null;
        if (n === -1) throw new ProtocolDecodeError('null array in a non-nullable field', r.pos);
        throw new ProtocolDecodeError(`invalid array length ${n}`, r.pos);
      }
      // Every element takes at least one byte except in degenerate schemas; a count larger
      // than the bytes left is a hostile or corrupt prefix, not something to allocate for.
      if (n > r.remaining() && (fixed > 0 || flexible || typeof type.element === 'string')) {
        throw new ProtocolDecodeError(`array of ${n} elements cannot fit in ${r.remaining()} bytes`, r.pos);
      }
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) {
        try {
          out.push(el.read(r));
        } catch (e) {
          throw decodeError(e, i, r.pos);
        }
      }
      return out;
    },
  };
}

function fixedSize(type: PrimitiveType): number {
  switch (type) {
    case 'bool':
    case 'int8':
      return 1;
    case 'int16':
    case 'uint16':
      return 2;
    case 'int32':
    case 'uint32':
      return 4;
    case 'int64':
    case 'float64':
      return 8;
    case 'uuid':
      return 16;
    default:
      return 0;
  }
}

const fixedCodecs: Record<string, Codec> = {
  bool: { size: () => 1, write: (w, v) => w.bool(v as boolean), read: (r) => r.bool() },
  int8: { size: () => 1, write: (w, v) => w.int8(v as number), read: (r) => r.int8() },
  int16: { size: () => 2, write: (w, v) => w.int16(v as number), read: (r) => r.int16() },
  uint16: { size: () => 2, write: (w, v) => w.uint16(v as number), read: (r) => r.uint16() },
  int32: { size: () => 4, write: (w, v) => w.int32(v as number), read: (r) => r.int32() },
  uint32: { size: () => 4, write: (w, v) => w.uint32(v as number), read: (r) => r.uint32() },
  int64: { size: () => 8, write: (w, v) => w.int64(v as number), read: (r) => r.int64() },
  float64: { size: () => 8, write: (w, v) => w.float64(v as number), read: (r) => r.float64() },
  uuid: { size: () => 16, write: (w, v) => w.uuid(v as string), read: (r) => r.uuid() },
};

const stringCodecs = new Map<string, Codec>();
const bytesCodecs = new Map<string, Codec>();

function primitiveCodec(type: PrimitiveType, nullable: boolean, flexible: boolean): Codec {
  const fixed = fixedCodecs[type];
  if (fixed) return fixed;
  const key = `${nullable ? 'n' : ''}${flexible ? 'f' : ''}`;
  if (type === 'string') {
    let c = stringCodecs.get(key);
    if (!c) {
      c = stringCodec(nullable, flexible);
      stringCodecs.set(key, c);
    }
    return c;
  }
  let c = bytesCodecs.get(key);
  if (!c) {
    c = bytesCodec(nullable, flexible);
    bytesCodecs.set(key, c);
  }
  return c;
}

function stringCodec(nullable: boolean, flexible: boolean): Codec {
  return {
    size(value, lengths) {
      if (value === null) {
        if (!nullable) throw new ProtocolEncodeError('null given for a non-nullable string');
        return flexible ? 1 : 2;
      }
      if (typeof value !== 'string') throw new ProtocolEncodeError(`expected a string, got ${typeof value}`);
      const n = Buffer.byteLength(value, 'utf8');
      if (!flexible && n > 0x7fff) throw new ProtocolEncodeError(`string of ${n} bytes exceeds 32767`);
      lengths.push(n);
      return (flexible ? uvarintSize(n + 1) : 2) + n;
    },
    write(w, value) {
      if (value === null) {
        if (flexible) w.uvarint(0);
        else w.int16(-1);
        return;
      }
      const n = w.nextLength();
      if (flexible) w.uvarint(n + 1);
      else w.int16(n);
      w.utf8(value as string, n);
    },
    read(r) {
      const n = flexible ? r.uvarint() - 1 : r.int16();
      if (n < 0) {
        if (n === -1 && nullable) return null;
        throw new ProtocolDecodeError(
          n === -1 ? 'null string in a non-nullable field' : `invalid string length ${n}`,
          r.pos,
        );
      }
      return r.utf8(n);
    },
  };
}

function bytesCodec(nullable: boolean, flexible: boolean): Codec {
  return {
    size(value, lengths) {
      if (value === null) {
        if (!nullable) throw new ProtocolEncodeError('null given for non-nullable bytes');
        return flexible ? 1 : 4;
      }
      if (!(value instanceof Uint8Array)) throw new ProtocolEncodeError('expected a Uint8Array');
      const n = value.length;
      // Same rule as Writer.bytesBody, so both passes agree on what is spliced.
      const spliceMin = lengths.spliceMin;
      if (spliceMin !== undefined && spliceMin > 0 && n >= spliceMin) {
        lengths.spliced = (lengths.spliced ?? 0) + n;
      }
      return (flexible ? uvarintSize(n + 1) : 4) + n;
    },
    write(w, value) {
      if (value === null) {
        if (flexible) w.uvarint(0);
        else w.int32(-1);
        return;
      }
      const v = value as Uint8Array;
      if (flexible) w.uvarint(v.length + 1);
      else w.int32(v.length);
      w.bytesBody(v);
    },
    read(r) {
      const n = flexible ? r.uvarint() - 1 : r.int32();
      if (n < 0) {
        if (n === -1 && nullable) return null;
        throw new ProtocolDecodeError(
          n === -1 ? 'null bytes in a non-nullable field' : `invalid bytes length ${n}`,
          r.pos,
        );
      }
      return r.view(n);
    },
  };
}

/** A message compiled for one version: size, write, read. */
export interface VersionCodec<M extends MessageDef> {
  /** The message and version, e.g. `ProduceRequest v9`, used in errors. */
  readonly context: string;
  /** Whether the version uses the flexible (compact) encoding. */
  readonly flexible: boolean;
  /** Bytes the message takes; records string lengths into `lengths` for {@link VersionCodec.write}. */
  size(value: MessageInput<M>, lengths: number[]): number;
  /** Writes the message (after {@link VersionCodec.size} filled `w.lengths`). */
  write(w: Writer, value: MessageInput<M>): void;
  /** Reads the message. */
  read(r: Reader): MessageValue<M>;
}

const versionCache = new WeakMap<MessageDef, VersionCodec<MessageDef>[]>();

/** Returns the codec of `message` for `version`, compiling it on first use. */
export function codecFor<M extends MessageDef>(message: M, version: number): VersionCodec<M> {
  let perVersion = versionCache.get(message);
  if (!perVersion) {
    perVersion = [];
    versionCache.set(message, perVersion);
  }
  let c = perVersion[version];
  if (c) return c as unknown as VersionCodec<M>;
  const context = `${message.name} v${version}`;
  if (!Number.isInteger(version) || !inVersions(message.validVersions, version)) {
    const r = parseVersions(message.validVersions);
    throw new ProtocolEncodeError(`${context} is not supported (supported: ${r.min}-${r.max})`);
  }
  const flexible = inVersions(message.flexibleVersions, version);
  const s = compileStruct(message, version, flexible);
  c = {
    context,
    flexible,
    size(value, lengths) {
      try {
        return s.size(value, lengths);
      } catch (e) {
        throw encodeError(e, null).in(context);
      }
    },
    write(w, value) {
      try {
        s.write(w, value);
      } catch (e) {
        throw encodeError(e, null).in(context);
      }
    },
    read(r) {
      try {
        return s.read(r) as MessageValue<MessageDef>;
      } catch (e) {
        throw decodeError(e, null, r.pos).in(context);
      }
    },
  };
  perVersion[version] = c;
  return c as unknown as VersionCodec<M>;
}

/** Encodes `value` as `message` at `version` into a new buffer of exactly its size. */
export function encodeMessage<M extends MessageDef>(
  message: M,
  version: number,
  value: MessageInput<M>,
): Buffer {
  const c = codecFor(message, version);
  const lengths: number[] = [];
  const size = c.size(value, lengths);
  const w = Writer.alloc(size);
  w.lengths = lengths;
  c.write(w, value);
  return w.buf;
}

/** Decodes `message` at `version` from `r`; with `exact`, trailing bytes are an error. */
export function decodeMessage<M extends MessageDef>(
  message: M,
  version: number,
  r: Reader,
  exact = true,
): MessageValue<M> {
  const c = codecFor(message, version);
  const v = c.read(r);
  if (exact && r.pos !== r.end) {
    throw new ProtocolDecodeError(`${r.end - r.pos} unexpected bytes after the message`, r.pos, c.context);
  }
  return v;
}
