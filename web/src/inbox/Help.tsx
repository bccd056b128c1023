// The inbox's ? overlay, in the editor's style (same overlay classes).
import { ShortcutsHelp } from '../ShortcutsHelp'

export const INBOX_SHORTCUTS: [string, string][] = [
  ['t', 'Take the conversation'],
  ['r', 'Release it to the bot (with the variables in the side box)'],
  ['c', 'Close it (asks first)'],
  ['/', 'At the start of the composer: canned replies; ↑ ↓ to pick, Enter or Tab to insert'],
  ['Enter', 'Send the reply or note'],
  ['Shift-Enter', 'New line'],
  ['?', 'This help'],
  ['Esc', 'Close overlays and menus'],
]

export function Help({ onClose }: { onClose(): void }) {
  return (
    <ShortcutsHelp
      title="Inbox shortcuts"
      shortcuts={INBOX_SHORTCUTS}
      note="t, r and c act when the focus is not in the composer or another field."
      onClose={onClose}
    />
  )
}
