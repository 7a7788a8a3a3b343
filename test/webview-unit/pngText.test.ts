import assert from 'node:assert/strict';
import { crc32 as nodeCrc32, deflateSync } from 'node:zlib';
import { crc32, insertPngText, readPngChunks, readPngSize, readPngText, textChunk } from '../../src/webview/pngText';

/** A valid 3x2 RGBA PNG built by hand, so the test does not depend on the code under test. */
function tinyPng(): Uint8Array {
  const chunk = (type: string, data: Buffer): Buffer => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(nodeCrc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(3, 0);
  ihdr.writeUInt32BE(2, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  const raw = Buffer.alloc(2 * (1 + 3 * 4), 200);
  raw[0] = 0;
  raw[13] = 0;
  return new Uint8Array(Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]));
}

describe('PNG text chunks', () => {
  it('computes the standard CRC-32', () => {
    assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) & 0xff);
    assert.equal(crc32(bytes), nodeCrc32(bytes));
  });

  it('inserts tEXt chunks right after IHDR, each with a valid CRC, leaving the image intact', () => {
    const png = tinyPng();
    const out = insertPngText(png, [
      { keyword: 'Title', text: 'stories260K · layer 2' },
      { keyword: 'Model', text: 'stories260K' },
      { keyword: 'Source', text: 'story.md, lines 3–4' },
    ]);
    const chunks = readPngChunks(out);
    assert.deepEqual(
      chunks.map((c) => c.type),
      ['IHDR', 'tEXt', 'tEXt', 'iTXt', 'IDAT', 'IEND'],
    );
    assert.ok(chunks.every((c) => c.crcValid));
    for (const c of chunks) {
      const typeAndData = Buffer.concat([Buffer.from(c.type, 'latin1'), c.data]);
      assert.equal(nodeCrc32(typeAndData), c.crc, `${c.type}: CRC differs from zlib's`);
    }
    assert.deepEqual(readPngSize(out), { width: 3, height: 2 });
    const original = readPngChunks(png).find((c) => c.type === 'IDAT');
    assert.deepEqual(chunks.find((c) => c.type === 'IDAT')?.data, original?.data);
  });

  it('reads back exactly what was written, Latin-1 and UTF-8 alike', () => {
    const entries = [
      { keyword: 'Title', text: 'Attention · layer 0' },
      { keyword: 'Source', text: '故事.md, lines 1–2 🙂' },
      { keyword: 'Software', text: 'Attention Inspector' },
    ];
    assert.deepEqual(readPngText(insertPngText(tinyPng(), entries)), entries);
  });

  it('uses tEXt for Latin-1 text and iTXt otherwise', () => {
    assert.equal(textChunk({ keyword: 'A', text: 'café' }).type, 'tEXt');
    assert.equal(textChunk({ keyword: 'A', text: '今天' }).type, 'iTXt');
  });

  it('refuses keywords PNG does not allow, and files that are not PNGs', () => {
    assert.throws(() => textChunk({ keyword: '', text: 'x' }));
    assert.throws(() => textChunk({ keyword: ' Title', text: 'x' }));
    assert.throws(() => textChunk({ keyword: 'x'.repeat(80), text: 'x' }));
    assert.throws(() => readPngChunks(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9])), /signature/);
    assert.throws(() => readPngChunks(tinyPng().subarray(0, 30)), /truncated/);
  });
});
