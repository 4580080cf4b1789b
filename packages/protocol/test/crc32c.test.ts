/**
 * CRC-32C against published vectors and a bit-at-a-time reference.
 *
 * Apache Kafka's own tests (clients/src/test/java/org/apache/kafka/common/utils/Crc32CTest.java
 * and AbstractChecksumTest.java) only compare Crc32C with itself across update paths, with no
 * literal values, so the fixed vectors come from:
 * - RFC 3720 (iSCSI) appendix B.4, "CRC Examples", and the usual check value of "123456789";
 * - kafka-python, test/record/test_util.py `test_crc32c` (github.com/dpkp/kafka-python), whose
 *   long text comes from librdkafka's test case;
 * - KafkaJS, src/protocol/recordBatch/crc32C/index.spec.js (github.com/tulios/kafkajs); its
 *   fixtures/crcPayload.json vector is a batch body, checked in records-golden.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32c, crc32cRange, crc32cRangeJs, nativeCrc32c } from '../src/crc32c.js';

/** The textbook bitwise CRC-32C, independent of the slicing tables under test. */
function reference(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe('crc32c vectors', () => {
  it('gives the standard check value for "123456789"', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('matches RFC 3720 appendix B.4', () => {
    const ascending = Buffer.alloc(32);
    const descending = Buffer.alloc(32);
    for (let i = 0; i < 32; i++) {
      ascending[i] = i;
      descending[i] = 31 - i;
    }
    expect(crc32c(Buffer.alloc(32, 0x00))).toBe(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
    expect(crc32c(ascending)).toBe(0x46dd794e);
    expect(crc32c(descending)).toBe(0x113fdb5c);
    // The 48-byte iSCSI SCSI Read (10) command PDU of the same appendix.
    const pdu = Buffer.from(
      '01c0000000000000000000000000000014000000000004000000001400000018' + '28000000000000000200000000000000',
      'hex',
    );
    expect(crc32c(pdu)).toBe(0xd9963a56);
  });

  it('matches kafka-python test_util.py test_crc32c', () => {
    expect(crc32c(Buffer.alloc(0))).toBe(0);
    expect(crc32c(Buffer.from('a'))).toBe(0xc1d04330);
    const longText = [
      "  This software is provided 'as-is', without any express or implied",
      '  warranty.  In no event will the author be held liable for any damages',
      '  arising from the use of this software.',
      '',
      '  Permission is granted to anyone to use this software for any purpose,',
      '  including commercial applications, and to alter it and redistribute it',
      '  freely, subject to the following restrictions:',
      '',
      '  1. The origin of this software must not be misrepresented; you must not',
      '     claim that you wrote the original software. If you use this software',
      '     in a product, an acknowledgment in the product documentation would be',
      '     appreciated but is not required.',
      '  2. Altered source versions must be plainly marked as such, and must not be',
      '     misrepresented as being the original software.',
      '  3. This notice may not be removed or altered from any source distribution.',
    ].join('\n');
    expect(crc32c(Buffer.from(longText))).toBe(0x7dcde113);
  });

  it('matches KafkaJS crc32C/index.spec.js', () => {
    const lorem =
      'Lorem ipsum dolor sit amet, consectetur adipiscing elit. Morbi mollis cursus metus vel tristique. Proin congue massa massa, a malesuada dolor ullamcorper a. Nulla eget leo vel orci venenatis placerat. Donec semper condimentum justo, vel sollicitudin dolor consequat id. Nunc sed aliquet felis, eget congue nisi. Mauris eu justo suscipit, elementum turpis ut, molestie tellus. Mauris ornare rutrum fringilla. Nulla dignissim luctus pretium. Nullam nec eros hendrerit sapien pellentesque sollicitudin. Integer eget ligula dui. Mauris nec cursus nibh. Nunc interdum elementum leo, eu sagittis eros sodales nec. Duis dictum nulla sed tincidunt malesuada. Quisque in vulputate sapien. Sed sit amet tellus a est porta rhoncus sed eu metus. Mauris non pulvinar nisl, volutpat luctus enim. Suspendisse est nisi, sagittis at risus quis, ultricies rhoncus sem. Donec ullamcorper purus eget sapien facilisis, eu eleifend felis viverra. Suspendisse elit neque, semper aliquet neque sed, egestas tempus leo. Duis condimentum turpis duis.';
    expect(crc32c(Buffer.from(lorem))).toBe(1796588439);
    expect(crc32c(Buffer.from('\u0000'))).toBe(1383945041);
  });
});

describe('crc32c incremental forms', () => {
  it('continues from a previous value and over ranges, like one pass', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (data, x, y) => {
        const a = Math.min(x, y) % (data.length + 1);
        const b = Math.max(a, Math.max(x, y) % (data.length + 1));
        const whole = crc32c(data);
        expect(whole).toBe(reference(data));
        expect(crc32c(data.subarray(a), crc32c(data.subarray(0, a)))).toBe(whole);
        expect(crc32cRange(data, a, b)).toBe(reference(data.subarray(a, b)));
        expect(crc32cRange(data, b, data.length, crc32cRange(data, 0, b))).toBe(whole);
      }),
    );
  });

  it('reads a view at any byte offset of its backing buffer', () => {
    const backing = Buffer.alloc(1 << 12);
    for (let i = 0; i < backing.length; i++) backing[i] = (i * 31 + 7) & 0xff;
    for (const offset of [0, 1, 3, 5, 7, 8, 13]) {
      const view = backing.subarray(offset, offset + 1000);
      expect(crc32c(view)).toBe(reference(Uint8Array.from(view)));
    }
  });
});

describe('crc32c: the native addon and the JavaScript loop agree', () => {
  it('the addon is installed here (an optional dependency; CI installs it)', () => {
    expect(nativeCrc32c).not.toBeNull();
  });

  it('both equal the bitwise reference on buffers of every size around the addon threshold, at any offset, continued or not', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 2048 }),
        fc.nat(64),
        fc.nat(64),
        fc.nat(),
        (bytes, a, b, initial) => {
          const start = Math.min(a, bytes.length);
          const end = Math.max(start, bytes.length - b);
          const expected = reference(bytes.subarray(start, end));
          expect(crc32cRange(bytes, start, end)).toBe(expected);
          expect(crc32cRangeJs(bytes, start, end)).toBe(expected);
          // Continuation: the same checksum computed in two pieces.
          const mid = start + ((end - start) >> 1);
          expect(crc32cRange(bytes, mid, end, crc32cRange(bytes, start, mid))).toBe(expected);
          expect(crc32cRange(bytes, start, end, initial >>> 0)).toBe(
            crc32cRangeJs(bytes, start, end, initial >>> 0),
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});
