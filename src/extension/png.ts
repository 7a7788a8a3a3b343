/** The PNG file signature: what the panel sends is checked before it is written to disk. Pure. */
const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length > SIGNATURE.length && SIGNATURE.every((b, i) => bytes[i] === b);
}
