// The smallest single change turning one text into another: what a canvas or
// form patch is dispatched to CodeMirror as, so its history (the one undo
// stack of the editor) records a small, local edit instead of a whole-document
// replacement, and the cursor elsewhere stays put.

export interface TextChange {
  from: number
  to: number
  insert: string
}

/** null when the texts are equal. */
export function minimalChange(before: string, after: string): TextChange | null {
  if (before === after) return null
  const max = Math.min(before.length, after.length)
  let start = 0
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++
  let end = 0
  while (
    end < max - start &&
    before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)
  ) {
    end++
  }
  return { from: start, to: before.length - end, insert: after.slice(start, after.length - end) }
}
