import { redo, undo } from '@codemirror/commands'
import { EditorState, Transaction } from '@codemirror/state'
import { describe, expect, it } from 'vitest'
import { setNodeUI } from '../yaml/patch'
import { TYPING_GROUP_MS, createState, offsetAt, patchSpec, toDiagnostics } from './cm'

const src = 'bot: t\nnodes:\n  a:\n    kind: end\n'

// Drive the history without a view: commands take {state, dispatch}.
function run(state: EditorState, cmd: typeof undo): EditorState {
  let next = state
  cmd({ state, dispatch: (tr: Transaction) => (next = tr.state) })
  return next
}

// History groups edits by the transaction's time annotation.
function type(state: EditorState, at: number, text: string, time: number): EditorState {
  return state.update({ changes: { from: at, insert: text }, userEvent: 'input.type', annotations: Transaction.time.of(time) }).state
}

describe('one history for text and patches', () => {
  it('a patch is one undo step, and redo restores it', () => {
    let s = createState(src, false)
    const spec = patchSpec(s, setNodeUI(src, 'a', { x: 1, y: 2 }))!
    s = s.update(spec).state
    expect(s.doc.toString()).toContain('ui: {x: 1, y: 2}')
    s = run(s, undo)
    expect(s.doc.toString()).toBe(src)
    s = run(s, redo)
    expect(s.doc.toString()).toContain('ui: {x: 1, y: 2}')
  })

  it('coalesces rapid typing but never merges it with a patch', () => {
    let s = createState(src, false)
    const end = s.doc.length
    s = type(s, end, '#', 1000)
    s = type(s, end + 1, ' a', 1000 + TYPING_GROUP_MS / 2)
    s = s.update(patchSpec(s, setNodeUI(s.doc.toString(), 'a', { x: 5, y: 5 }))!).state
    s = type(s, s.doc.length, 'b', 1000 + TYPING_GROUP_MS)
    expect(s.doc.toString().endsWith('# ab')).toBe(true)
    s = run(s, undo) // the typing after the patch
    expect(s.doc.toString().endsWith('# a')).toBe(true)
    s = run(s, undo) // the patch
    expect(s.doc.toString()).not.toContain('ui:')
    s = run(s, undo) // both rapid typings at once
    expect(s.doc.toString()).toBe(src)
  })

  it('patchSpec is null when nothing changes', () => {
    const s = EditorState.create({ doc: src })
    expect(patchSpec(s, src)).toBeNull()
  })
})

describe('diagnostics', () => {
  it('maps 1-based line and column to offsets, clamped', () => {
    const doc = EditorState.create({ doc: src }).doc
    expect(offsetAt(doc, 3, 3)).toBe(src.indexOf('a:'))
    expect(offsetAt(doc, 99, 99)).toBe(doc.length)
    const [d] = toDiagnostics(doc, [{ line: 4, column: 5, code: 'X', message: 'bad', severity: 'warning' }])
    expect(d).toMatchObject({ from: src.indexOf('kind'), to: src.indexOf('end') + 3, severity: 'warning', message: 'bad' })
  })
})
