// The help overlay (?) and node search (Ctrl-K).
import { useState } from 'react'
import { ShortcutsHelp } from '../ShortcutsHelp'

export const SHORTCUTS: [string, string][] = [
  ['Ctrl-S', 'Save the draft'],
  ['Ctrl-Z / Ctrl-Shift-Z', 'Undo / redo (text, canvas and form edits alike)'],
  ['Ctrl-K', 'Find a node by id'],
  ['Delete', 'Delete the selected node (or connection)'],
  ['Ctrl-D', 'Duplicate the selected node'],
  ['Ctrl-C / Ctrl-V', 'Copy / paste the selected node'],
  ['Drag handle → node', 'Set the source node’s next'],
  ['?', 'This help'],
  ['Esc', 'Close overlays'],
]

export function Help({ onClose }: { onClose(): void }) {
  return (
    <ShortcutsHelp
      title="Shortcuts"
      shortcuts={SHORTCUTS}
      note="Shortcuts other than Ctrl-S and Ctrl-K act on the canvas when the focus is not in the YAML or a form field; there the editor's own keys apply."
      onClose={onClose}
    />
  )
}

export function NodeSearch({ ids, onPick, onClose }: { ids: string[]; onPick(id: string): void; onClose(): void }) {
  const [q, setQ] = useState('')
  const matches = ids.filter((id) => id.toLowerCase().includes(q.toLowerCase()))
  return (
    <div className="overlay" onClick={onClose}>
      <div className="overlay-box search" onClick={(e) => e.stopPropagation()}>
        <input
          autoFocus
          placeholder="Node id…"
          data-testid="node-search"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') onClose()
            if (e.key === 'Enter') {
              const pick = ids.includes(q) ? q : matches[0]
              if (pick) onPick(pick)
            }
          }}
        />
        <ul>
          {matches.slice(0, 12).map((id) => (
            <li key={id}>
              <button className="link mono" onClick={() => onPick(id)}>
                {id}
              </button>
            </li>
          ))}
        </ul>
      </div>
    </div>
  )
}
