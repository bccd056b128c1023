import { useEffect, useState } from 'react'
import { type BotSummary, api } from '../api'
import { botHref } from '../route'

export function Bots() {
  const [bots, setBots] = useState<BotSummary[] | null>(null)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    api.listBots().then(setBots, (e: Error) => setError(e.message))
  }, [])

  if (error) return <p className="error page-message">{error}</p>
  if (!bots) return <p className="page-message">Loading bots…</p>
  if (bots.length === 0) return <p className="page-message">No bots yet.</p>
  return (
    <main className="bots">
      <table data-testid="bots-list">
        <thead>
          <tr>
            <th>Name</th>
            <th>Slug</th>
            <th>Version</th>
            <th>Last edit</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {bots.map((b) => (
            <tr key={b.slug} data-testid={`bot-${b.slug}`} onClick={() => (window.location.hash = botHref(b.slug))}>
              <td>
                <a href={botHref(b.slug)}>{b.name || b.slug}</a>
              </td>
              <td className="mono">{b.slug}</td>
              <td>{b.current_version ?? '—'}</td>
              <td>{formatTime(b.draft?.updated_at ?? b.updated_at)}</td>
              <td>
                {b.draft && (
                  <span className="draft-marker" title={`Draft by ${b.draft.author}`}>
                    draft
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  )
}

export function formatTime(iso: string | undefined): string {
  if (!iso) return '—'
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString()
}
