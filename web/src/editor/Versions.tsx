// The versions list (GET /v1/bots/{slug}/versions): pick two of them, or a
// version and the editor's current text, to compare in the diff view.
import { type ReactNode, useEffect, useState } from 'react'
import { type FlowVersion, api } from '../api'

/** A side of a comparison: a published version's number, or the text in the editor. */
export type Side = number | 'editor'

interface Props {
  slug: string
  onCompare(older: Side, newer: Side): void
  onClose(): void
}

export function VersionsPanel({ slug, onCompare, onClose }: Props) {
  const [versions, setVersions] = useState<FlowVersion[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [picked, setPicked] = useState<Side[]>([])

  useEffect(() => {
    let live = true
    api.listVersions(slug).then(
      (vs) => {
        if (!live) return
        setVersions(vs)
        // Preselect the usual question: what the editor changes against the current version.
        const current = vs.find((v) => v.current)
        if (current) setPicked([current.version, 'editor'])
      },
      (e: Error) => live && setError(e.message),
    )
    return () => {
      live = false
    }
  }, [slug])

  // Two sides at most: picking a third drops the oldest pick.
  const toggle = (s: Side) =>
    setPicked((p) => (p.includes(s) ? p.filter((x) => x !== s) : [...p, s].slice(-2)))

  const compare = () => {
    const [a, b] = picked
    if (a === undefined || b === undefined) return
    // The editor's text is the newest; otherwise the higher version number is.
    const aNewer = a === 'editor' || (b !== 'editor' && a > b)
    onCompare(aNewer ? b : a, aNewer ? a : b)
  }

  const row = (s: Side, label: ReactNode, meta: ReactNode) => (
    <li key={String(s)}>
      <label>
        <input
          type="checkbox"
          data-testid={`version-pick-${s}`}
          checked={picked.includes(s)}
          onChange={() => toggle(s)}
        />
        {label} <span className="muted small">{meta}</span>
      </label>
    </li>
  )

  return (
    <aside className="versions-panel" data-testid="versions-panel">
      <div className="test-chat-head">
        <strong>Versions</strong>
        <span className="spacer" />
        <button onClick={onClose} title="Close the versions">
          ×
        </button>
      </div>
      <div className="replay-body">
        {error && <p className="error">{error}</p>}
        {!versions && !error && <p className="muted">Loading…</p>}
        {versions && (
          <>
            <p className="muted small">Pick two to compare.</p>
            <ul className="versions-list">
              {row('editor', <em>The editor’s text</em>, 'unsaved changes included')}
              {[...versions].reverse().map((v) =>
                row(
                  v.version,
                  <>
                    <strong>v{v.version}</strong>
                    {v.current && <span className="flow-node-start"> current</span>}
                  </>,
                  `${v.author} · ${new Date(v.created_at).toLocaleString()}${v.note ? ` · ${v.note}` : ''}`,
                ),
              )}
            </ul>
            <button data-testid="versions-compare" onClick={compare} disabled={picked.length !== 2}>
              Compare
            </button>
          </>
        )}
      </div>
    </aside>
  )
}
