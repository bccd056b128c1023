// The left pane: tabs, the queue filter and the handed-off dialogs.
import type { DialogSummary, Queue } from '../api'
import { inboxHref } from '../route'
import { TABS, type Tab, formatWait, holderOf, whoOf } from './logic'
import { useNow } from './useEvents'

interface Props {
  rows: DialogSummary[]
  tab: Tab
  onTab(tab: Tab): void
  queues: Queue[]
  queue: string
  onQueue(queue: string): void
  me: string
  openId: string | null
  error: string | null
}

export function DialogList({ rows, tab, onTab, queues, queue, onQueue, me, openId, error }: Props) {
  const now = useNow()
  return (
    <aside className="inbox-list-pane">
      <div className="inbox-tabs" role="tablist">
        {TABS.map(([id, label]) => (
          <button
            key={id}
            role="tab"
            aria-selected={tab === id}
            className={tab === id ? 'active' : ''}
            data-testid={`inbox-tab-${id}`}
            onClick={() => onTab(id)}
          >
            {label}
          </button>
        ))}
      </div>
      <label className="inbox-queue">
        <span className="muted small">Queue</span>
        <select data-testid="inbox-queue" value={queue} onChange={(e) => onQueue(e.target.value)}>
          <option value="">All queues</option>
          {/* GET /v1/queues lists only queues with dialogs: keep the chosen one even when it empties. */}
          {queue && !queues.some((q) => q.name === queue) && <option value={queue}>{queue} (empty)</option>}
          {queues.map((q) => (
            <option key={q.name} value={q.name}>
              {q.name} ({q.waiting} waiting, {q.taken} taken)
            </option>
          ))}
        </select>
      </label>
      {error && <p className="error pad">{error}</p>}
      <ul className="inbox-list" data-testid="inbox-list">
        {rows.length === 0 && <li className="muted pad">Nothing here.</li>}
        {rows.map((r) => (
          <li key={r.id}>
            <a
              href={inboxHref(r.id)}
              data-testid={`inbox-row-${r.id}`}
              className={`inbox-row${r.id === openId ? ' open' : ''} handoff-${r.handoff.status}`}
            >
              <span className="inbox-row-head">
                <strong className="inbox-who">{whoOf(r)}</strong>
                <span className="inbox-wait" title={`Waiting since ${r.handoff.requested_at ?? '?'}`}>
                  {formatWait(r.handoff.requested_at, now)}
                </span>
              </span>
              <span className="inbox-row-meta small">
                <span className="inbox-queue-name">{r.handoff.queue ?? 'default'}</span> · {r.bot} ·{' '}
                <span className="inbox-holder">{holderOf(r, me)}</span>
                {r.pending > 0 && <span className="inbox-pending">{r.pending}</span>}
              </span>
              <span className="inbox-last small muted">{r.handoff.last_user_text || '—'}</span>
            </a>
          </li>
        ))}
      </ul>
    </aside>
  )
}
