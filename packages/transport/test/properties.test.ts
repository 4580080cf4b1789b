/**
 * The `.properties` parser against the rules of Java's `Properties.load` (the cases of its
 * javadoc: separators, continuations, escapes, comments), and a round trip through our writer.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config/errors.js';
import { formatProperties, parseProperties, parsePropertiesEntries } from '../src/config/properties.js';

describe('parseProperties', () => {
  it('reads key=value, key: value and key value, trimming what comes before the value', () => {
    const p = parseProperties(
      ['bootstrap.servers=localhost:9092', 'acks : all', 'linger.ms 5', '   batch.size\t=  16384', ''].join(
        '\n',
      ),
    );
    expect(p).toEqual({
      'bootstrap.servers': 'localhost:9092',
      acks: 'all',
      'linger.ms': '5',
      'batch.size': '16384',
    });
  });

  it('keeps trailing whitespace of a value, and everything after the first separator', () => {
    expect(parseProperties('a=b = c  ')).toEqual({ a: 'b = c  ' });
    expect(parseProperties('a==b')).toEqual({ a: '=b' });
    expect(parseProperties('a = = b')).toEqual({ a: '= b' });
    expect(parseProperties('a:=b')).toEqual({ a: '=b' });
    expect(parseProperties('url=http://host:80/x')).toEqual({ url: 'http://host:80/x' });
  });

  it('reads a key without a value as the empty string', () => {
    expect(parseProperties('cheeses\nempty=\nspace   ')).toEqual({ cheeses: '', empty: '', space: '' });
  });

  it('skips # and ! comments and blank lines; a # later in a line is part of the value', () => {
    const p = parseProperties('# comment\n  ! another\n\n\t\na=1 # not a comment\n#b=2\n');
    expect(p).toEqual({ a: '1 # not a comment' });
  });

  it('joins continuation lines, skipping their leading whitespace', () => {
    // The example of Java's Properties.load javadoc.
    const p = parseProperties(
      'fruits                           apple, banana, pear, \\\n                                  cantaloupe, watermelon, \\\n                                  kiwi, mango',
    );
    expect(p.fruits).toBe('apple, banana, pear, cantaloupe, watermelon, kiwi, mango');
  });

  it('continues only on an odd number of trailing backslashes', () => {
    expect(parseProperties('a=x\\\\\nb=y')).toEqual({ a: 'x\\', b: 'y' });
    expect(parseProperties('a=x\\\\\\\n  y')).toEqual({ a: 'x\\y' });
  });

  it('does not continue a comment, and reads a # on a continuation line as text', () => {
    expect(parseProperties('# c \\\na=1')).toEqual({ a: '1' });
    expect(parseProperties('a=1\\\n# 2')).toEqual({ a: '1# 2' });
  });

  it('ends a continuation at an empty line, and at the end of the text', () => {
    expect(parseProperties('a=1\\\n\nb=2')).toEqual({ a: '1', b: '2' });
    expect(parseProperties('a=1\\')).toEqual({ a: '1' });
  });

  it('accepts \\r\\n, \\r and \\n line ends, and a byte order mark', () => {
    expect(parseProperties('\ufeffa=1\r\nb=2\rc=3\nd=4\\\r\n  5')).toEqual({
      a: '1',
      b: '2',
      c: '3',
      d: '45',
    });
  });

  it('unescapes \\t \\n \\r \\f \\uXXXX and any other escaped character', () => {
    const p = parseProperties(
      'tab=a\\tb\nnl=a\\nb\ncr=\\r\nff=\\f\nuni=caf\\u00e9 \\u20AC\nother=\\q\\=\\:\\#\\!\\\\',
    );
    expect(p).toEqual({ tab: 'a\tb', nl: 'a\nb', cr: '\r', ff: '\f', uni: 'café €', other: 'q=:#!\\' });
  });

  it('reads escaped separators and spaces as part of the key', () => {
    expect(parseProperties('a\\=b\\:c\\ d=v')).toEqual({ 'a=b:c d': 'v' });
    expect(parseProperties('\\ lead=v')).toEqual({ ' lead': 'v' });
    expect(parseProperties('key=\\ leading space')).toEqual({ key: ' leading space' });
  });

  it('keeps the last of repeated keys', () => {
    expect(parseProperties('a=1\na=2')).toEqual({ a: '2' });
  });

  it('rejects a malformed \\u escape, naming the source and line', () => {
    expect(() => parseProperties('a=1\nb=\\u12x4', 'client.properties')).toThrow(ConfigError);
    expect(() => parseProperties('a=1\nb=\\u12x4', 'client.properties')).toThrow(/client\.properties:2/);
  });

  it('reports the line each entry starts on', () => {
    const entries = parsePropertiesEntries('# c\na=1\nb=2\\\n 3\n\nc=4');
    expect(entries.map((e) => [e.key, e.line])).toEqual([
      ['a', 2],
      ['b', 3],
      ['c', 6],
    ]);
  });
});

describe('formatProperties', () => {
  it('escapes what the parser would otherwise read differently', () => {
    expect(formatProperties({ 'a b': ' x=y:z#!\\', c: 'line\nbreak\ttab' })).toBe(
      'a\\ b=\\ x\\=y\\:z\\#\\!\\\\\nc=line\\nbreak\\ttab\n',
    );
    expect(formatProperties({ k: '\u0001\u007f' })).toBe('k=\\u0001\\u007f\n');
  });

  it('round trips any keys and values through parseProperties', () => {
    // Separators, escapes and comment characters often; any UTF-16 code unit (lone surrogates too) otherwise.
    const unit = fc.oneof(
      fc.constantFrom(' ', '\t', '\n', '\r', '\f', '\\', '=', ':', '#', '!', 'u'),
      fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    );
    const text = fc.string({ unit, maxLength: 12 });
    fc.assert(
      fc.property(fc.dictionary(text, text, { maxKeys: 6 }), (props) => {
        const plain: Record<string, string> = { ...props };
        expect({ ...parseProperties(formatProperties(plain)) }).toEqual(plain);
      }),
      { numRuns: 150 },
    );
  });

  it('parses a file written by Java style with comments interleaved', () => {
    const text = `${formatProperties({ 'sasl.jaas.config': 'x required username="a b";' })}# trailing comment\n`;
    expect(parseProperties(text)).toEqual({ 'sasl.jaas.config': 'x required username="a b";' });
  });
});
