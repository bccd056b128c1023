// A line diff of two texts (longest common subsequence), for the versions
// view beside the coloured canvas. Bot files are small (hundreds of lines),
// so the quadratic table is fine and no diff package is needed.

export interface DiffLine {
  op: 'same' | 'add' | 'del'
  text: string
  /** 1-based line numbers in the old and new text; 0 where the line is not in that text. */
  oldLine: number
  newLine: number
}

export function lineDiff(oldText: string, newText: string): DiffLine[] {
  const a = splitLines(oldText)
  const b = splitLines(newText)
  const n = a.length
  const m = b.length
  // lcs[i][j]: the LCS length of a[i:] and b[j:], in one flat array.
  const w = m + 1
  const lcs = new Uint32Array((n + 1) * w)
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * w + j] = a[i] === b[j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!)
    }
  }
  const out: DiffLine[] = []
  let i = 0
  let j = 0
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push({ op: 'same', text: a[i]!, oldLine: i + 1, newLine: j + 1 })
      i++
      j++
    } else if (j < m && (i === n || lcs[i * w + j + 1]! >= lcs[(i + 1) * w + j]!)) {
      out.push({ op: 'add', text: b[j]!, oldLine: 0, newLine: j + 1 })
      j++
    } else {
      out.push({ op: 'del', text: a[i]!, oldLine: i + 1, newLine: 0 })
      i++
    }
  }
  // Deletions before additions within a run of changes reads better.
  return reorderRuns(out)
}

function splitLines(s: string): string[] {
  if (s === '') return []
  const lines = s.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  return lines
}

function reorderRuns(lines: DiffLine[]): DiffLine[] {
  const out: DiffLine[] = []
  let run: DiffLine[] = []
  const flush = () => {
    out.push(...run.filter((l) => l.op === 'del'), ...run.filter((l) => l.op === 'add'))
    run = []
  }
  for (const l of lines) {
    if (l.op === 'same') {
      flush()
      out.push(l)
    } else run.push(l)
  }
  flush()
  return out
}
