// The replay's answer (POST /v1/bots/{slug}/draft/replay): which of the
// bot's recent real dialogs the draft would answer otherwise, at which turn,
// and what it would say against what the user heard. Unchanged dialogs are
// folded away: the changed ones are what an author must look at.
import type { Replay } from '../api'

export type ReplayState =
  | { state: 'running' }
  | { state: 'done'; result: Replay }
  | { state: 'error'; message: string; problems: number }

export function ReplayPanel({ replay, onClose }: { replay: ReplayState; onClose(): void }) {
  return (
    <aside className="replay-results" data-testid="replay-results">
      <div className="test-chat-head">
        <strong>Replay</strong>
        <span className="spacer" />
        <button onClick={onClose} title="Close the replay">
          ×
        </button>
      </div>
      <div className="replay-body">
        {replay.state === 'running' && <p className="muted">Replaying recent dialogs against the draft…</p>}
        {replay.state === 'error' && (
          <p className="error" role="alert">
            {replay.message}
            {replay.problems > 0 && ` (${replay.problems} problem${replay.problems > 1 ? 's' : ''}: see the list under the YAML)`}
          </p>
        )}
        {replay.state === 'done' && <Results r={replay.result} />}
      </div>
    </aside>
  )
}

function Results({ r }: { r: Replay }) {
  const changed = r.dialogs.filter((d) => d.first_difference)
  const same = r.dialogs.filter((d) => !d.first_difference)
  if (r.replayed === 0) return <p className="muted" data-testid="replay-summary">No real dialogs to replay yet.</p>
  return (
    <>
      <p data-testid="replay-summary">
        <strong>
          {r.changed} of {r.replayed}
        </strong>{' '}
        recent dialog{r.replayed > 1 ? 's' : ''} would go differently.
      </p>
      <ul className="replay-list">
        {changed.map((d) => (
          <li key={d.id} className="replay-changed" data-testid="replay-changed">
            <div>
              <strong>#{d.number}</strong> <span className="muted small">turn {d.first_difference!.turn}</span>
              {d.stopped && <span className="muted small"> · replayed {d.replayed_turns} of {d.turns}: {d.stopped}</span>}
            </div>
            {d.first_difference!.turn > 0 && (
              <div className="small">
                User: <q>{d.first_difference!.user_text}</q>
              </div>
            )}
            <pre className="replay-message">{d.first_difference!.message}</pre>
          </li>
        ))}
      </ul>
      {same.length > 0 && (
        <details data-testid="replay-unchanged">
          <summary>
            {same.length} unchanged dialog{same.length > 1 ? 's' : ''}
          </summary>
          <ul className="replay-list">
            {same.map((d) => (
              <li key={d.id} className="small">
                #{d.number}: {d.replayed_turns} of {d.turns} turn{d.turns === 1 ? '' : 's'} replayed
                {d.stopped ? ` (${d.stopped})` : ''}
              </li>
            ))}
          </ul>
        </details>
      )}
    </>
  )
}
