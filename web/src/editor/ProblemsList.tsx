// Problems of the current text (from the graph answer) and, after a refused
// publish, the server's publish problems. Clicking one jumps to its line.
import type { Problem } from '../api'

interface Props {
  problems: Problem[]
  publishProblems: Problem[] | null
  stale: boolean
  error: string | null
  onPick(p: Problem): void
}

export function ProblemsList({ problems, publishProblems, stale, error, onPick }: Props) {
  return (
    <div className="problems" data-testid="problems-list">
      <div className="problems-head">
        Problems ({problems.length}){stale && <span className="muted"> · checking…</span>}
        {error && <span className="error"> · {error}</span>}
      </div>
      <ul>
        {problems.map((p, i) => (
          <Item key={i} p={p} onPick={onPick} />
        ))}
      </ul>
      {publishProblems && publishProblems.length > 0 && (
        <>
          <div className="problems-head">Publish refused ({publishProblems.length})</div>
          <ul>
            {publishProblems.map((p, i) => (
              <Item key={i} p={p} onPick={onPick} />
            ))}
          </ul>
        </>
      )}
    </div>
  )
}

function Item({ p, onPick }: { p: Problem; onPick(p: Problem): void }) {
  return (
    <li className={`problem ${p.severity ?? 'error'}`}>
      <button className="link" onClick={() => onPick(p)}>
        <span className="mono">
          {p.line}:{p.column}
        </span>{' '}
        {p.node && <span className="mono">[{p.node}]</span>} {p.message} <span className="muted">{p.code}</span>
      </button>
    </li>
  )
}
