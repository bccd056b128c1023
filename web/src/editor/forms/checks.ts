// Checks of what is typed into a form field, shown as it is typed. They catch
// the slips a person makes (an unclosed quote, `=` for `==`, a pasted
// template); the server's check of the saved flow has the last word.

const CLOSE: Record<string, string> = { ')': '(', ']': '[', '}': '{' }
const TRAILING_OPERATOR = /(&&|\|\||\?\?|[-+*/%<>=!?:.,^]|\b(and|or|not|in|matches|contains|startsWith|endsWith)\b)\s*$/

/** A problem with an expression (`topic == "Billing"`, `attempts + 1`), or null. */
export function checkExpression(text: string): string | null {
  const s = text.trim()
  if (s === '') return 'The expression is empty.'
  if (/\{\{|\}\}/.test(s)) return 'An expression is written without {{ }}: those are for texts.'
  const open: string[] = []
  let bare = ''
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1
      while (j < s.length && s[j] !== c) j += s[j] === '\\' && c !== '`' ? 2 : 1
      if (j >= s.length) return `A string is not closed: add the ${c}.`
      bare += '""'
      i = j
      continue
    }
    if (c === '/' && s[i + 1] === '/') break
    bare += c
    if (c === '(' || c === '[' || c === '{') open.push(c)
    else if (c in CLOSE) {
      const last = open.pop()
      if (last !== CLOSE[c]) return last ? `"${c}" does not close "${last}".` : `"${c}" closes nothing.`
    } else if (c === '=' && !'=!<>'.includes(s[i - 1] ?? '') && s[i + 1] !== '=') {
      return 'Compare with == (a single = is not an operator).'
    }
  }
  if (open.length > 0) return `"${open[open.length - 1]}" is not closed.`
  if (TRAILING_OPERATOR.test(bare)) return 'The expression ends with an operator: something is missing.'
  return null
}

/** A problem with a string the schema gives a pattern for (a variable name, a duration), or null. */
export function checkPattern(text: string, pattern: string, example?: unknown): string | null {
  let re: RegExp
  try {
    re = new RegExp(pattern, 'u')
  } catch {
    return null
  }
  if (re.test(text)) return null
  return example !== undefined && typeof example !== 'object' ? `Expected something like ${String(example)}.` : `Expected a value matching ${pattern}.`
}

/** A problem with a number typed for a field with bounds, or null. */
export function checkNumber(text: string, opts: { integer?: boolean; minimum?: number; maximum?: number }): string | null {
  const n = Number(text)
  if (text.trim() === '' || !Number.isFinite(n)) return 'Not a number.'
  if (opts.integer && !Number.isInteger(n)) return 'A whole number, please.'
  if (opts.minimum !== undefined && n < opts.minimum) return `At least ${opts.minimum}.`
  if (opts.maximum !== undefined && n > opts.maximum) return `At most ${opts.maximum}.`
  return null
}
