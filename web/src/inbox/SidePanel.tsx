// The side box: who the person is, why the bot handed off, where the flow
// stands, the variables and the answers collected, and the variables to
// set on release.
import type { Dialog, DialogSummary } from '../api'

interface Props {
  dialog: Dialog
  row: DialogSummary | null
  readOnly: boolean
  releaseVars: string
  onReleaseVars(v: string): void
}

export function SidePanel({ dialog, row, readOnly, releaseVars, onReleaseVars }: Props) {
  const h = dialog.handoff
  const vars = Object.entries(dialog.variables ?? {})
  // The profile the dialog began with: name first, then what else the client gave.
  const profile = Object.entries(dialog.user ?? {}).sort(([a], [b]) => profileRank(a) - profileRank(b))
  return (
    <aside className="side-panel" data-testid="side-panel">
      <section>
        <h3>Person</h3>
        <dl data-testid="person">
          {profile.length === 0 && (
            <>
              <dt>User id</dt>
              <dd className="mono">{row?.user_id || '—'}</dd>
            </>
          )}
          {profile.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
            </div>
          ))}
          {dialog.title && (
            <>
              <dt>Title</dt>
              <dd>{dialog.title}</dd>
            </>
          )}
        </dl>
      </section>
      <section>
        <h3>Handoff</h3>
        <dl>
          <dt>Status</dt>
          <dd>{h.status}</dd>
          {h.reason && (
            <>
              <dt>Why</dt>
              <dd>{h.reason}</dd>
            </>
          )}
          {h.queue && (
            <>
              <dt>Queue</dt>
              <dd>{h.queue}</dd>
            </>
          )}
          <dt>Bot at node</dt>
          <dd className="mono">{dialog.node || '—'}</dd>
        </dl>
      </section>
      <section>
        <h3>Variables</h3>
        {vars.length === 0 ? (
          <p className="muted small">None set.</p>
        ) : (
          <dl className="vars">
            {vars.map(([k, v]) => (
              <div key={k}>
                <dt className="mono">{k}</dt>
                <dd className="mono">{JSON.stringify(v)}</dd>
              </div>
            ))}
          </dl>
        )}
      </section>
      {dialog.data?.length > 0 && (
        <section>
          <h3>Answers</h3>
          <ul className="answers small">
            {dialog.data.map((d, i) => (
              <li key={i}>
                <span className="muted">{d.question}</span> {d.answer}
              </li>
            ))}
          </ul>
        </section>
      )}
      {!readOnly && (
        <section>
          <h3>On release, set</h3>
          <textarea
            className="mono"
            rows={3}
            placeholder='{"refund": 25}'
            value={releaseVars}
            onChange={(e) => onReleaseVars(e.target.value)}
            data-testid="release-variables"
          />
          <p className="muted small">Optional JSON object; each must fit the type the flow declares.</p>
        </section>
      )}
    </aside>
  )
}

const PROFILE_ORDER = ['name', 'email', 'phone', 'id']

function profileRank(key: string): number {
  const i = PROFILE_ORDER.indexOf(key)
  return i < 0 ? PROFILE_ORDER.length : i
}
