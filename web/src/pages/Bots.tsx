import { useEffect, useState } from 'react'
import { type BotSummary, type Template, api } from '../api'
import { botHref } from '../route'
import { SLUG, newBotSource } from './newBot'

export function Bots() {
  const [bots, setBots] = useState<BotSummary[] | null>(null)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    api.listBots().then(setBots, (e: Error) => setError(e.message))
  }, [])

  if (error) return <p className="error page-message">{error}</p>
  if (!bots) return <p className="page-message">Loading bots…</p>
  return (
    <main className="bots">
      <NewBot taken={bots.map((b) => b.slug)} />
      {bots.length === 0 && <p className="page-message">No bots yet.</p>}
      <table data-testid="bots-list">
        <thead>
          <tr>
            <th>Name</th>
            <th>Slug</th>
            <th>Version</th>
            <th title="Started since midnight UTC">Dialogs today</th>
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
              <td data-testid={`bot-${b.slug}-today`}>{b.dialogs_today}</td>
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

/** New bot: a slug and a template (or a blank starter), saved as the bot's first draft. */
function NewBot({ taken }: { taken: string[] }) {
  const [templates, setTemplates] = useState<Template[]>([])
  const [slug, setSlug] = useState('')
  const [from, setFrom] = useState('')
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    api.listTemplates().then(setTemplates, () => setTemplates([]))
  }, [])

  const create = async () => {
    if (!SLUG.test(slug)) return setError('A slug is lower-case letters, digits, - and _, starting with a letter.')
    if (taken.includes(slug)) return setError(`There is a bot ${slug} already.`)
    const template = templates.find((t) => t.id === from)
    try {
      await api.saveDraft(slug, newBotSource(slug, template), null)
      window.location.hash = botHref(slug)
    } catch (e) {
      setError((e as Error).message)
    }
  }

  return (
    <form className="new-bot" data-testid="new-bot" onSubmit={(e) => (e.preventDefault(), void create())}>
      <strong>New bot</strong>
      <input data-testid="new-bot-slug" placeholder="slug, e.g. support" value={slug} onChange={(e) => setSlug(e.target.value.trim())} />
      <select data-testid="new-bot-template" value={from} onChange={(e) => setFrom(e.target.value)}>
        <option value="">Blank</option>
        {templates.map((t) => (
          <option key={t.id} value={t.id} title={t.description}>
            From {t.name || t.id} ({t.nodes} nodes)
          </option>
        ))}
      </select>
      <button data-testid="new-bot-create" type="submit">
        Create draft
      </button>
      {error && <span className="error">{error}</span>}
    </form>
  )
}
