// The bot's conversation tests beside the canvas: the stored test file
// (GET|PUT /v1/bots/{slug}/tests), a run against the draft as it is
// (.../tests/run, the draft saved first) with each result, and the nodes
// where tests failed reported up for the canvas to mark.
import { useEffect, useState } from 'react'
import { ApiError, type Problem, type TestFile, type TestRun, api } from '../api'

interface Props {
  slug: string
  readOnly: boolean
  /** Bumped when a test was added elsewhere (the test chat's Save as test): reload the file. */
  generation: number
  /** Saves the draft; null when saving failed (the editor's status says why). */
  save(): Promise<string | null>
  onFailedNodes(ids: string[]): void
  onFocusNode(id: string): void
  onClose(): void
}

export function TestsPanel({ slug, readOnly, generation, save, onFailedNodes, onFocusNode, onClose }: Props) {
  const [file, setFile] = useState<TestFile | null>(null)
  const [text, setText] = useState('')
  const [run, setRun] = useState<TestRun | null>(null)
  const [problems, setProblems] = useState<Problem[]>([])
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    let live = true
    api.getTests(slug).then(
      (f) => {
        if (!live) return
        setFile(f)
        setText(f.source)
      },
      (e: Error) => live && setError(e.message),
    )
    return () => {
      live = false
    }
  }, [slug, generation])

  // Leaving the panel leaves no marks on the canvas.
  useEffect(() => () => onFailedNodes([]), [onFailedNodes])

  const runAll = async () => {
    setError(null)
    setBusy(true)
    try {
      if (!(await save())) {
        setError('The draft could not be saved (see the status above).')
        return
      }
      const r = await api.runTests(slug)
      setRun(r)
      onFailedNodes(failedNodes(r))
    } catch (e) {
      setError(describe(e))
    } finally {
      setBusy(false)
    }
  }

  const saveFile = async () => {
    setError(null)
    setProblems([])
    setBusy(true)
    try {
      const f = await api.saveTests(slug, text)
      setFile(f)
      setRun(null)
      onFailedNodes([])
    } catch (e) {
      setError(describe(e))
      if (e instanceof ApiError) setProblems((e.details as { problems?: Problem[] } | undefined)?.problems ?? [])
    } finally {
      setBusy(false)
    }
  }

  const results = new Map(run?.results.map((r) => [r.name, r]) ?? [])
  const tests = file?.tests ?? []
  return (
    <aside className="tests-panel" data-testid="tests-panel">
      <div className="test-chat-head">
        <strong>Conversation tests</strong>
        <span className="spacer" />
        <button data-testid="tests-run" onClick={() => void runAll()} disabled={busy || tests.length === 0}>
          {busy ? 'Running…' : 'Run all'}
        </button>
        <button onClick={onClose} title="Close the tests">
          ×
        </button>
      </div>
      {run && (
        <p className="small test-chat-note" data-testid="tests-summary">
          {run.passed} passed, {run.failed} failed · against the {run.target === 'draft' ? 'draft' : `published version ${run.version}`}
        </p>
      )}
      {error && (
        <p className="error small test-chat-note" role="alert" data-testid="tests-error">
          {error}
        </p>
      )}
      {!file && !error && <p className="muted small pad">Loading…</p>}
      {file && tests.length === 0 && (
        <p className="muted small pad">
          No tests yet. Talk to the draft in the test chat and press “Save as test”, or write them below.
        </p>
      )}
      <ul className="tests-list" data-testid="tests-list">
        {tests.map((t) => {
          const r = results.get(t.name)
          return (
            <li key={t.name} className={r ? (r.passed ? 'test-passed' : 'test-failed') : ''} data-testid="tests-item">
              <span className="test-mark">{r ? (r.passed ? '✓' : '✗') : '·'}</span> {t.name}
              {r && <span className="muted small"> · {r.duration_ms} ms</span>}
              {r?.failure && (
                <div className="small test-failure" data-testid="tests-failure">
                  {r.failure.step !== null && <>step {r.failure.step + 1} (line {r.failure.line}): </>}
                  {r.failure.message}
                  {r.failure.node && (
                    <>
                      {' '}
                      <button className="link mono" onClick={() => onFocusNode(r.failure!.node)} title="Show the node on the canvas">
                        {r.failure.node}
                      </button>
                    </>
                  )}
                </div>
              )}
            </li>
          )
        })}
      </ul>
      <details className="tests-source" open={file !== null && tests.length === 0 && file.source !== ''}>
        <summary className="small">The tests file (YAML)</summary>
        <textarea
          className="mono"
          data-testid="tests-source"
          rows={12}
          spellCheck={false}
          value={text}
          readOnly={readOnly}
          placeholder={`bot: ${slug}\ntests:\n  - name: greets\n    steps:\n      - expect: { says: ["Hello!"] }`}
          onChange={(e) => setText(e.target.value)}
        />
        {problems.length > 0 && (
          <ul className="small error" data-testid="tests-problems">
            {problems.map((p, i) => (
              <li key={i}>
                line {p.line}:{p.column} {p.message}
              </li>
            ))}
          </ul>
        )}
        {!readOnly && (
          <button data-testid="tests-save" onClick={() => void saveFile()} disabled={busy || text === (file?.source ?? '')}>
            Save tests
          </button>
        )}
      </details>
    </aside>
  )
}

/** The nodes where tests failed, each once. */
export function failedNodes(run: TestRun): string[] {
  const ids = run.results.flatMap((r) => (r.failure?.node ? [r.failure.node] : []))
  return [...new Set(ids)]
}

function describe(e: unknown): string {
  if (e instanceof ApiError && e.status === 422) {
    const problems = (e.details as { problems?: Problem[] } | undefined)?.problems ?? []
    return [e.message, ...problems.slice(0, 5).map((p) => `line ${p.line}: ${p.message}`)].join('\n')
  }
  return (e as Error).message
}
