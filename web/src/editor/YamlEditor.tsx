// The YAML text editor. It owns an EditorView for its lifetime; the parent
// reaches it through viewRef to dispatch patches, undo, jump to lines.
import { setDiagnostics } from '@codemirror/lint'
import { EditorView } from '@codemirror/view'
import { useEffect, useRef, type RefObject } from 'react'
import type { Problem } from '../api'
import { createState, toDiagnostics } from './cm'

interface Props {
  initialText: string
  readOnly: boolean
  viewRef: RefObject<EditorView | null>
  onChange(text: string): void
  /** The 1-based line of the cursor, when the user moves it. */
  onCursorLine(line: number): void
  /** Problems of the graph answer for `problemsFor`; shown only while the text is still that. */
  problems: Problem[]
  problemsFor: string | null
}

export function YamlEditor({ initialText, readOnly, viewRef, onChange, onCursorLine, problems, problemsFor }: Props) {
  const host = useRef<HTMLDivElement>(null)
  // Callbacks through refs: the view is created once and must always call the latest ones.
  const change = useRef(onChange)
  const cursor = useRef(onCursorLine)
  change.current = onChange
  cursor.current = onCursorLine

  useEffect(() => {
    const listener = EditorView.updateListener.of((u) => {
      if (u.docChanged) change.current(u.state.doc.toString())
      else if (u.selectionSet && u.view.hasFocus) cursor.current(u.state.doc.lineAt(u.state.selection.main.head).number)
    })
    const view = new EditorView({ state: createState(initialText, readOnly, listener), parent: host.current! })
    viewRef.current = view
    return () => {
      view.destroy()
      viewRef.current = null
    }
    // The parent remounts (key) to load another text; later prop changes must not reset the view.
  }, [])

  useEffect(() => {
    const view = viewRef.current
    if (!view || problemsFor === null || view.state.doc.toString() !== problemsFor) return
    view.dispatch(setDiagnostics(view.state, toDiagnostics(view.state.doc, problems)))
  }, [problems, problemsFor, viewRef])

  return <div className="yaml-editor" data-testid="yaml-editor" ref={host} />
}
