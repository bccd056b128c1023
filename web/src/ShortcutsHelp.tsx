// The `?` overlay of a page: its keyboard shortcuts and a note on when
// they apply. The editor and the inbox each list their own.
export function ShortcutsHelp({
  title,
  shortcuts,
  note,
  onClose,
}: {
  title: string
  shortcuts: [string, string][]
  note: string
  onClose(): void
}) {
  return (
    <div className="overlay" onClick={onClose} data-testid="help">
      <div className="overlay-box" onClick={(e) => e.stopPropagation()}>
        <h2>{title}</h2>
        <table>
          <tbody>
            {shortcuts.map(([k, v]) => (
              <tr key={k}>
                <td>
                  <kbd>{k}</kbd>
                </td>
                <td>{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted small">{note}</p>
        <button onClick={onClose}>Close</button>
      </div>
    </div>
  )
}
