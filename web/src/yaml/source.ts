// Byte-level helpers shared by the patch operations.
//
// Every edit is expressed as a splice of the original text (an Edit), never as
// a re-serialisation, so bytes outside the spliced ranges are kept exactly:
// comments, quoting, blank lines, CRLF line ends and a missing final newline.
import { CST } from 'yaml'

/** Replace src[from, to) with text. */
export interface Edit {
  from: number
  to: number
  text: string
}

/**
 * Apply non-overlapping edits. Inserted text is written with "\n" and converted
 * here to the file's own line ending, so a CRLF file stays CRLF.
 */
export function applyEdits(src: string, edits: Edit[], eol: string): string {
  // Last first, so earlier offsets stay valid; at one offset, a replacement
  // before an insertion there (the insertion then lands before its text).
  const sorted = [...edits].sort((a, b) => b.from - a.from || b.to - a.to)
  let out = src
  for (const e of sorted) {
    out = out.slice(0, e.from) + e.text.replace(/\r?\n/g, eol) + out.slice(e.to)
  }
  return out
}

/** The line ending the file uses, judged by its first line. */
export function detectEol(src: string): string {
  const i = src.indexOf('\n')
  return i > 0 && src[i - 1] === '\r' ? '\r\n' : '\n'
}

/** Offset of the first byte of the line holding offset. */
export function lineStart(src: string, offset: number): number {
  if (offset <= 0) return 0
  return src.lastIndexOf('\n', offset - 1) + 1
}

/** Offset just past the line holding offset (after its "\n", or the end of the file). */
export function lineEnd(src: string, offset: number): number {
  const i = src.indexOf('\n', offset)
  return i < 0 ? src.length : i + 1
}

export function column(src: string, offset: number): number {
  return offset - lineStart(src, offset)
}

/** True when src[from, to), which spans whole lines, contains a blank line. */
export function hasBlankLine(src: string, from: number, to: number): boolean {
  const lines = src.slice(from, to).split('\n')
  return lines.slice(0, -1).some((l) => l.trim() === '')
}

// Tokens that carry no content: where a value "really" ends is the end of its
// last other token. Comments after a value are deliberately not part of it.
const TRIVIA = new Set(['space', 'newline', 'comment', 'byte-order-mark'])

/** Offset just past the last content byte of a token, or -1 when it has none. */
export function contentEnd(tok: CST.Token | null | undefined): number {
  if (!tok) return -1
  switch (tok.type) {
    case 'document':
      return -1
    case 'block-map':
    case 'block-seq':
      return Math.max(-1, ...tok.items.map(itemEnd))
    case 'flow-collection':
      return Math.max(contentEnd(tok.start), ...tok.items.map(itemEnd), ...tok.end.map(contentEnd))
    case 'block-scalar':
      // The header and its body; the body ends with its last line's newline.
      return tok.offset + CST.stringify(tok).length
    default:
      // Flow scalars and aliases: `source` excludes their trailing `end` tokens.
      return TRIVIA.has(tok.type) ? -1 : tok.offset + tok.source.length
  }
}

/** Offset just past the last content byte of a collection item, or -1. */
export function itemEnd(item: CST.CollectionItem): number {
  return Math.max(
    -1,
    ...item.start.map(contentEnd),
    contentEnd(item.key),
    ...(item.sep ?? []).map(contentEnd),
    contentEnd(item.value),
  )
}

/** Offset just past the `:` of a map item, or -1 when it has none. */
export function colonEnd(item: CST.CollectionItem): number {
  const ind = item.sep?.find((t) => t.type === 'map-value-ind')
  return ind ? ind.offset + ind.source.length : -1
}
