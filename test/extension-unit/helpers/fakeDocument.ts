/**
 * positionAt / offsetAt with VS Code's rules (ExtHostDocumentData): lines end at "\r\n", "\n" or "\r", and
 * an offset inside a line break maps to the end of its line. Lets the pure modules be checked against
 * documents with CRLF line ends without an editor.
 */
import type { PositionLike } from '../../../src/extension/tokenRanges';

export class FakeDocument {
  private readonly lineStarts: number[] = [0];
  private readonly lineLengths: number[] = [];

  constructor(readonly text: string) {
    let lineStart = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c === '\r' || c === '\n') {
        this.lineLengths.push(i - lineStart);
        if (c === '\r' && text[i + 1] === '\n') i++;
        lineStart = i + 1;
        this.lineStarts.push(lineStart);
      }
    }
    this.lineLengths.push(text.length - lineStart);
  }

  positionAt(offset: number): PositionLike {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let line = 0;
    while (line + 1 < this.lineStarts.length && this.lineStarts[line + 1] <= clamped) line++;
    return { line, character: Math.min(clamped - this.lineStarts[line], this.lineLengths[line]) };
  }

  offsetAt(position: PositionLike): number {
    return this.lineStarts[position.line] + position.character;
  }

  getText(start: number, end: number): string {
    const from = this.offsetAt(this.positionAt(start));
    const to = this.offsetAt(this.positionAt(end));
    return this.text.slice(from, to);
  }
}
