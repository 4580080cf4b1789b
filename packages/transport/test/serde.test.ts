/**
 * The built-in serializers and deserializers: null stays null, strings stay strings (the
 * record writer encodes them), JSON round trips, and the types a producer derives from them.
 */
import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  bufferDeserializer,
  bufferSerializer,
  type DeserializedType,
  defaultSerializer,
  deserializerFor,
  isDeserializer,
  isSerializer,
  jsonDeserializer,
  jsonSerializer,
  type RecordHeaders,
  SerializationError,
  type SerializedType,
  type Serializer,
  serializerFor,
  stringDeserializer,
  stringSerializer,
} from '../src/serde.js';

/** What the record writer does with a serializer's output. */
function toBytes(out: Uint8Array | string | null): Buffer | null {
  return out === null ? null : typeof out === 'string' ? Buffer.from(out, 'utf8') : Buffer.from(out);
}

describe('serializers', () => {
  it('stringSerializer passes strings through for the writer to encode, and null as null', () => {
    expect(stringSerializer.serialize('t', 'héllo')).toBe('héllo');
    expect(stringSerializer.serialize('t', null)).toBeNull();
    expect(stringSerializer.serialize('t', undefined as unknown as null)).toBeNull();
    expect(() => stringSerializer.serialize('t', 42 as unknown as string)).toThrow(SerializationError);
  });

  it('bufferSerializer passes Buffers and Uint8Arrays through without a copy', () => {
    const b = Buffer.from('abc');
    const u = new Uint8Array([1, 2, 3]);
    expect(bufferSerializer.serialize('t', b)).toBe(b);
    expect(bufferSerializer.serialize('t', u)).toBe(u);
    expect(bufferSerializer.serialize('t', null)).toBeNull();
    expect(() => bufferSerializer.serialize('t', 'abc' as unknown as Uint8Array)).toThrow(
      /Buffer or Uint8Array/,
    );
  });

  it('defaultSerializer takes strings, bytes and null, and names the fix for anything else', () => {
    const b = Buffer.from('x');
    expect(defaultSerializer.serialize('t', 'x')).toBe('x');
    expect(defaultSerializer.serialize('t', b)).toBe(b);
    expect(defaultSerializer.serialize('t', null)).toBeNull();
    const err = (() => {
      try {
        defaultSerializer.serialize('orders', { id: 1 } as unknown as string);
      } catch (e) {
        return e as SerializationError;
      }
    })();
    expect(err).toBeInstanceOf(SerializationError);
    expect(err?.topic).toBe('orders');
    expect(err?.message).toMatch(/configure a serializer/);
  });

  it('jsonSerializer writes JSON text, keeps null a tombstone, and rejects what has no JSON form', () => {
    const s = jsonSerializer<{ id: number; tags: string[] }>();
    expect(s.serialize('t', { id: 1, tags: ['a'] })).toBe('{"id":1,"tags":["a"]}');
    expect(s.serialize('t', null)).toBeNull();
    expect(() => jsonSerializer<bigint>().serialize('t', 1n)).toThrow(SerializationError);
    expect(() => jsonSerializer<() => void>().serialize('t', () => {})).toThrow(/no JSON form/);
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    const e = (() => {
      try {
        jsonSerializer<unknown>().serialize('t', cyclic);
      } catch (x) {
        return x as SerializationError;
      }
    })();
    expect(e?.cause).toBeInstanceOf(TypeError);
  });

  it('jsonSerializer applies a replacer', () => {
    const s = jsonSerializer<{ at: Date }>({ replacer: (k, v) => (k === 'at' ? 'then' : v) });
    expect(s.serialize('t', { at: new Date(0) })).toBe('{"at":"then"}');
  });

  it('a serializer may add headers', () => {
    const withType: Serializer<string | null> = {
      serialize(_topic, data, headers) {
        if (headers) headers['content-type'] = 'text/plain';
        return data;
      },
    };
    const headers: RecordHeaders = {};
    withType.serialize('t', 'x', headers);
    expect(headers).toEqual({ 'content-type': 'text/plain' });
  });
});

describe('deserializers', () => {
  it('string, buffer and JSON deserializers read what the serializers wrote; null stays null', () => {
    expect(stringDeserializer.deserialize('t', Buffer.from('héllo'))).toBe('héllo');
    expect(stringDeserializer.deserialize('t', null)).toBeNull();
    const b = Buffer.from([1, 2]);
    expect(bufferDeserializer.deserialize('t', b)).toBe(b);
    expect(bufferDeserializer.deserialize('t', null)).toBeNull();
    expect(jsonDeserializer<{ a: number }>().deserialize('t', Buffer.from('{"a":1}'))).toEqual({ a: 1 });
    expect(jsonDeserializer().deserialize('t', null)).toBeNull();
  });

  it('jsonDeserializer reports malformed JSON as a SerializationError with the topic', () => {
    const d = jsonDeserializer();
    expect(() => d.deserialize('orders', Buffer.from('{nope'))).toThrow(SerializationError);
    try {
      d.deserialize('orders', Buffer.from('{nope'));
    } catch (e) {
      expect((e as SerializationError).topic).toBe('orders');
      expect((e as SerializationError).cause).toBeInstanceOf(SyntaxError);
    }
  });

  it('jsonDeserializer applies a reviver', () => {
    const d = jsonDeserializer<{ n: number }>({ reviver: (k, v) => (k === 'n' ? (v as number) * 2 : v) });
    expect(d.deserialize('t', Buffer.from('{"n":21}'))).toEqual({ n: 42 });
  });

  it('JSON round trips any JSON value through the bytes the writer produces', () => {
    const s = jsonSerializer<unknown>();
    const d = jsonDeserializer<unknown>();
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const bytes = toBytes(s.serialize('t', v));
        // JSON `null` is the tombstone null on the way in, so it comes back as null too.
        expect(d.deserialize('t', bytes)).toEqual(v === null ? null : JSON.parse(JSON.stringify(v)));
      }),
      { numRuns: 200 },
    );
  });

  it('strings round trip through UTF-8, lone surrogates replaced as the writer does', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(stringDeserializer.deserialize('t', toBytes(stringSerializer.serialize('t', s)))).toBe(s);
      }),
      { numRuns: 200 },
    );
    expect(stringDeserializer.deserialize('t', toBytes(stringSerializer.serialize('t', 'a\ud800b')))).toBe(
      'a\ufffdb',
    );
  });
});

describe('by name and by shape', () => {
  it('serializerFor and deserializerFor give the built-ins, pass objects through, default when unset', () => {
    expect(serializerFor('string')).toBe(stringSerializer);
    expect(serializerFor('buffer')).toBe(bufferSerializer);
    expect(serializerFor('json').serialize('t', { a: 1 })).toBe('{"a":1}');
    expect(serializerFor(undefined)).toBe(defaultSerializer);
    const mine: Serializer<unknown> = { serialize: () => 'x' };
    expect(serializerFor(mine)).toBe(mine);
    expect(deserializerFor('string')).toBe(stringDeserializer);
    expect(deserializerFor(undefined)).toBe(bufferDeserializer);
    expect(deserializerFor('json').deserialize('t', Buffer.from('[1]'))).toEqual([1]);
    expect(() => serializerFor('yaml' as 'json')).toThrow(/unknown serializer "yaml"/);
  });

  it('isSerializer and isDeserializer check the method', () => {
    expect(isSerializer(stringSerializer)).toBe(true);
    expect(isSerializer({ serialize: 1 })).toBe(false);
    expect(isSerializer(null)).toBe(false);
    expect(isDeserializer(stringDeserializer)).toBe(true);
    expect(isDeserializer(stringSerializer)).toBe(false);
  });

  it('types: what a producer accepts and a consumer hands out follows from its serde', () => {
    expectTypeOf<SerializedType<typeof stringSerializer>>().toEqualTypeOf<string | null>();
    expectTypeOf<SerializedType<typeof bufferSerializer>>().toEqualTypeOf<Uint8Array | null>();
    expectTypeOf<SerializedType<typeof defaultSerializer>>().toEqualTypeOf<string | Uint8Array | null>();
    const orders = jsonSerializer<{ id: number }>();
    expectTypeOf<SerializedType<typeof orders>>().toEqualTypeOf<{ id: number } | null>();
    expectTypeOf<DeserializedType<typeof stringDeserializer>>().toEqualTypeOf<string | null>();
    expectTypeOf<DeserializedType<ReturnType<typeof jsonDeserializer<{ id: number }>>>>().toEqualTypeOf<{
      id: number;
    } | null>();
  });
});
