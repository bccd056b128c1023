// The inbox's ? overlay, in the editor's style (same overlay classes).
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
    <div className="overlay" onClick={onClose} data-testid="help">
      <div className="overlay-box" onClick={(e) => e.stopPropagation()}>
        <h2>Inbox shortcuts</h2>
        <table>
          <tbody>
            {INBOX_SHORTCUTS.map(([k, v]) => (
              <tr key={k}>
                <td>
                  <kbd>{k}</kbd>
                </td>
                <td>{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted small">t, r and c act when the focus is not in the composer or another field.</p>
        <button onClick={onClose}>Close</button>
      </div>
    </div>
  )
}
