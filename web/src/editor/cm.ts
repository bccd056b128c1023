// CodeMirror setup. CodeMirror's history is the editor's single undo stack:
// canvas and form edits are dispatched as CodeMirror changes (patchSpec), so
// Ctrl-Z undoes a node drag, a form edit or typing alike, in order.
import { history, historyKeymap, defaultKeymap, indentWithTab, isolateHistory } from '@codemirror/commands'
import { yaml } from '@codemirror/lang-yaml'
import { defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language'
import { type Diagnostic, lintGutter } from '@codemirror/lint'
import { EditorState, type Extension, type Text, type TransactionSpec } from '@codemirror/state'
import { EditorView, highlightActiveLine, keymap, lineNumbers } from '@codemirror/view'
import type { Problem } from '../api'
import { minimalChange } from './textDiff'

/** Typing within this many ms is one undo step (CodeMirror's default is 500). */
export const TYPING_GROUP_MS = 750

export function editorExtensions(readOnly: boolean, listeners: Extension = []): Extension {
  return [
    lineNumbers(),
    highlightActiveLine(),
    history({ newGroupDelay: TYPING_GROUP_MS }),
    keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
    yaml(),
    syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
    lintGutter(),
    EditorState.readOnly.of(readOnly),
    EditorView.editable.of(!readOnly),
    EditorState.tabSize.of(2),
    listeners,
  ]
}

export function createState(doc: string, readOnly: boolean, listeners: Extension = []): EditorState {
  return EditorState.create({ doc, extensions: editorExtensions(readOnly, listeners) })
}

/**
 * The transaction turning the document into `next` as one change of the
 * differing range. Isolated in history so a patch is never merged with the
 * typing before or after it: one canvas action, one undo step.
 */
export function patchSpec(state: EditorState, next: string): TransactionSpec | null {
  const change = minimalChange(state.doc.toString(), next)
  if (!change) return null
  return {
    changes: change,
    userEvent: 'input.patch',
    annotations: isolateHistory.of('full'),
  }
}

/** Offset of a 1-based line and column, clamped into the document. */
export function offsetAt(doc: Text, line: number, column: number): number {
  const l = doc.line(Math.min(Math.max(1, line || 1), doc.lines))
  return Math.min(l.from + Math.max(0, (column || 1) - 1), l.to)
}

/** Lint diagnostics for the server's problems: from the position to the end of that line. */
export function toDiagnostics(doc: Text, problems: Problem[]): Diagnostic[] {
  return problems.map((p) => {
    const from = offsetAt(doc, p.line, p.column)
    const to = Math.max(from, doc.lineAt(from).to)
    return {
      from,
      to,
      severity: p.severity === 'warning' ? 'warning' : 'error',
      source: p.code,
      message: p.message,
    }
  })
}
