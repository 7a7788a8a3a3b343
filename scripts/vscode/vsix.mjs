// Lists the files inside a .vsix (a zip) from its central directory, so the packaging script and the tests
// can show and check what ships without unpacking it or depending on an unzip tool.
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_FILE_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;

/**
 * @param {string} file path of the .vsix
 * @returns {{ name: string, size: number, compressedSize: number, method: number, localHeader: number }[]}
 *   entries in archive order; names as
 *   stored in the zip (vsce puts the extension's files under "extension/")
 */
export function listVsix(file) {
  const zip = readFileSync(file);
  const end = findEndOfCentralDirectory(zip, file);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== CENTRAL_FILE_HEADER) throw new Error(`${file}: broken zip central directory`);
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localHeader = zip.readUInt32LE(at + 42);
    entries.push({ name: zip.toString('utf8', at + 46, at + 46 + nameLength), size, compressedSize, method, localHeader });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The bytes of one entry (a name as listVsix gives it), uncompressed. */
export function readVsixEntry(file, name) {
  const zip = readFileSync(file);
  const entry = listVsix(file).find((e) => e.name === name);
  if (!entry) throw new Error(`${file} has no entry ${name}`);
  const at = entry.localHeader;
  if (zip.readUInt32LE(at) !== LOCAL_FILE_HEADER) throw new Error(`${file}: broken local header for ${name}`);
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  const data = zip.subarray(start, start + entry.compressedSize);
  if (entry.method === STORED) return Buffer.from(data);
  if (entry.method === DEFLATED) return inflateRawSync(data);
  throw new Error(`${file}: ${name} uses zip compression method ${entry.method}`);
}

/** The record sits at the very end, after a comment of at most 65535 bytes. */
function findEndOfCentralDirectory(zip, file) {
  const lowest = Math.max(0, zip.length - 22 - 0xffff);
  for (let at = zip.length - 22; at >= lowest; at--) {
    if (zip.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY) return at;
  }
  throw new Error(`${file} is not a zip file`);
}

/** The files of the extension itself (without vsce's manifest files), relative to the extension folder. */
export function extensionFiles(file) {
  return listVsix(file)
    .filter((e) => e.name.startsWith('extension/') && !e.name.endsWith('/'))
    .map((e) => ({ ...e, name: e.name.slice('extension/'.length) }));
}
