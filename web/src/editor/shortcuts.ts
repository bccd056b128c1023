// The editor's keyboard: which action a key press asks for (a pure
// mapping, tested on its own) and the hook that listens on the window.
import { useEffect, useRef } from 'react'

export type KeyAction = 'save' | 'search' | 'close' | 'undo' | 'redo' | 'duplicate' | 'copy' | 'paste' | 'delete' | 'help'

/** The parts of a KeyboardEvent the mapping reads. */
export interface KeyPress {
  key: string
  ctrlKey: boolean
  metaKey: boolean
  shiftKey: boolean
  /** The key went to a text field (the YAML, a form input): it keeps its own keys. */
  inText: boolean
  /** Text is selected on the page: Ctrl-C copies it, not the node. */
  textSelected: boolean
}

/** The action a key press asks for, or null for a key the editor leaves alone. */
export function keyAction(p: KeyPress): KeyAction | null {
  const mod = p.ctrlKey || p.metaKey
  const k = p.key.toLowerCase()
  if (mod && k === 's') return 'save'
  if (mod && k === 'k') return 'search'
  if (p.key === 'Escape') return 'close'
  // In the YAML or a form field, keys belong to them (CodeMirror has its
  // own Ctrl-Z bound to the same history).
  if (p.inText) return null
  if (mod && k === 'z') return p.shiftKey ? 'redo' : 'undo'
  if (mod && k === 'y') return 'redo'
  if (mod && k === 'd') return 'duplicate'
  if (mod && k === 'c') return p.textSelected ? null : 'copy'
  if (mod && k === 'v') return 'paste'
  if (p.key === 'Delete' || p.key === 'Backspace') return 'delete'
  if (p.key === '?') return 'help'
  return null
}

/** Actions whose key the browser must not also handle (save the page, bookmark, ...). */
const PREVENTED: ReadonlySet<KeyAction> = new Set(['save', 'search', 'undo', 'redo', 'duplicate', 'paste', 'delete'])

/**
 * Listens for the editor's keys on the window, once, calling the latest
 * onAction (read through a ref, so the listener sees fresh state).
 */
export function useEditorKeys(onAction: (action: KeyAction) => void) {
  const handler = useRef(onAction)
  handler.current = onAction
  useEffect(() => {
    const h = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null
      const action = keyAction({
        key: e.key,
        ctrlKey: e.ctrlKey,
        metaKey: e.metaKey,
        shiftKey: e.shiftKey,
        inText: !!t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)),
        textSelected: !!window.getSelection()?.toString(),
      })
      if (!action) return
      if (PREVENTED.has(action)) e.preventDefault()
      handler.current(action)
    }
    window.addEventListener('keydown', h)
    return () => window.removeEventListener('keydown', h)
  }, [])
}
