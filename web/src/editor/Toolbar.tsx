// The editor's toolbar: saving and publishing, undo, arranging, the side
// panels (test chat, tests, versions), replay, search, help, and the
// status line. It holds no state: the workspace passes what to show and
// what each button does.

export type Status = { tone: 'ok' | 'error' | 'info'; message: string } | null

export type SidePanel = 'chat' | 'tests' | 'replay' | 'versions'

interface Props {
  readOnly: boolean
  busy: boolean
  unsaved: boolean
  canDiscard: boolean
  /** Nodes the file gives no position. */
  unplaced: number
  side: SidePanel | null
  status: Status
  replayDialogs: number
  onSave(): void
  onPublish(): void
  onDiscard(): void
  onUndo(): void
  onRedo(): void
  onArrange(all: boolean): void
  /** Shows the panel, or hides it when it is the one shown. */
  onSide(panel: 'chat' | 'tests' | 'versions'): void
  onReplay(): void
  onOverlay(overlay: 'search' | 'help'): void
  onReload(): void
}

export function Toolbar(p: Props) {
  const toggle = (panel: 'chat' | 'tests' | 'versions') => ({
    className: p.side === panel ? 'active' : '',
    onClick: () => p.onSide(panel),
  })
  return (
    <div className="toolbar">
      {!p.readOnly && (
        <>
          <button data-testid="save" onClick={p.onSave} disabled={p.busy} title="Ctrl-S">
            Save{p.unsaved ? ' •' : ''}
          </button>
          <button data-testid="publish" onClick={p.onPublish} disabled={p.busy}>
            Publish
          </button>
          <button data-testid="discard" onClick={p.onDiscard} disabled={p.busy || !p.canDiscard}>
            Discard draft
          </button>
          <span className="sep" />
          <button data-testid="undo" onClick={p.onUndo} title="Ctrl-Z">
            Undo
          </button>
          <button data-testid="redo" onClick={p.onRedo} title="Ctrl-Shift-Z">
            Redo
          </button>
          <span className="sep" />
          <button
            data-testid="arrange"
            onClick={() => p.onArrange(false)}
            title="Write the drawn positions of nodes without `ui` into the file"
          >
            Arrange{p.unplaced ? ` (${p.unplaced})` : ''}
          </button>
          <button data-testid="arrange-all" onClick={() => p.onArrange(true)} title="Lay out every node again">
            Arrange all
          </button>
        </>
      )}
      <span className="sep" />
      {!p.readOnly && (
        <>
          <button data-testid="test-chat-toggle" {...toggle('chat')} title="Talk to the draft in a test dialog">
            Test chat
          </button>
          <button data-testid="tests-toggle" {...toggle('tests')} title="The bot's conversation tests: run them against the draft">
            Tests
          </button>
          <button
            data-testid="replay"
            onClick={p.onReplay}
            disabled={p.busy}
            title={`Replay the last ${p.replayDialogs} real dialogs against the draft`}
          >
            Replay
          </button>
        </>
      )}
      <button data-testid="versions" {...toggle('versions')}>
        Versions
      </button>
      <span className="sep" />
      <button onClick={() => p.onOverlay('search')} title="Ctrl-K">
        Find node
      </button>
      <button data-testid="help-button" onClick={() => p.onOverlay('help')} title="?">
        ?
      </button>
      <span className={`status ${p.status?.tone ?? ''}`} data-testid="status" role={p.status?.tone === 'error' ? 'alert' : 'status'}>
        {p.status?.message}
        {p.status?.tone === 'error' && /reload/i.test(p.status.message) && (
          <button className="link" onClick={p.onReload}>
            Reload
          </button>
        )}
      </span>
      {p.readOnly && <span className="muted">Read-only</span>}
    </div>
  )
}
