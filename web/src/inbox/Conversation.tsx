// The right pane: one conversation with its actions, transcript, composer
// and a side box about the person. Viewers get all of it but the actions
// and the composer (the server would refuse them anyway).
import { useCallback, useEffect, useState } from 'react'
import { type Dialog, type DialogSummary, type OperatorAction, type Queue, api } from '../api'
import { botHref } from '../route'
import { Composer } from './Composer'
import { Help } from './Help'
import { isTypingTarget, parseVariables, pathOf, whoOf } from './logic'
import { SidePanel } from './SidePanel'
import { Transcript } from './Transcript'

interface Props {
  id: string
  /** Bumped by the page when an event says this dialog changed. */
  version: number
  me: string
  row: DialogSummary | null
  readOnly: boolean
  queues: Queue[]
  typing: string | null
  onChanged(): void
}

export function Conversation({ id, version, me, row, readOnly, queues, typing, onChanged }: Props) {
  const [dialog, setDialog] = useState<Dialog | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [help, setHelp] = useState(false)
  const [releaseVars, setReleaseVars] = useState('')
  const [transferTo, setTransferTo] = useState('')

  useEffect(() => {
    let live = true
    api.getDialog(id).then(
      (d) => live && (setDialog(d), setError(null)),
      (e: Error) => live && setError(e.message),
    )
    return () => {
      live = false
    }
  }, [id, version])

  const act = useCallback(
    async (a: OperatorAction) => {
      setBusy(true)
      setError(null)
      try {
        await api.operator(id, a)
        onChanged()
      } catch (e) {
        setError((e as Error).message)
      } finally {
        setBusy(false)
      }
    },
    [id, onChanged],
  )

  const h = dialog?.handoff
  const handedOff = h?.status === 'requested' || h?.status === 'active'
  const ended = dialog?.status === 'completed'
  const mine = h?.status === 'active' && h.operator?.id === me
  const can = {
    take: !!dialog && !ended && !mine,
    release: !!dialog && handedOff,
    transfer: !!dialog && handedOff,
    close: !!dialog && !ended,
  }

  const release = useCallback(() => {
    const { variables, error: bad } = parseVariables(releaseVars)
    if (bad) return setError(bad)
    void act(variables ? { action: 'release', variables } : { action: 'release' }).then(() => setReleaseVars(''))
  }, [act, releaseVars])
  const close = useCallback(() => {
    if (window.confirm('Close this conversation? It ends as completed.')) void act({ action: 'close' })
  }, [act])

  // Page shortcuts, unless the focus is in a field (the composer has its own keys).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return
      if (e.key === 'Escape') return setHelp(false)
      if (isTypingTarget(e.target)) return
      if (e.key === '?') return setHelp((v) => !v)
      if (readOnly || busy) return
      if (e.key === 't' && can.take) void act({ action: 'take' })
      else if (e.key === 'r' && can.release) release()
      else if (e.key === 'c' && can.close) close()
      else return
      e.preventDefault()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [act, busy, can.close, can.release, can.take, close, readOnly, release])

  if (!dialog) return <section className="conversation page-message">{error ?? 'Loading the conversation…'}</section>
  return (
    <section className="conversation">
      <header className="conversation-head">
        <div>
          <strong>{row ? whoOf(row) : dialog.title || `Dialog #${dialog.number}`}</strong>
          <span className="muted small">
            {' '}
            · {dialog.bot} #{dialog.number} · {dialog.status} ·{' '}
            <a
              data-testid="open-on-canvas"
              href={botHref(dialog.bot, dialog.node || undefined, pathOf(dialog.messages))}
              title="The bot's graph with the path this dialog took, centred on the node it is at"
            >
              open on canvas
            </a>
            {h?.queue && ` · queue ${h.queue}`}
            {h?.status === 'active' && ` · with ${mine ? 'you' : (h.operator?.name ?? 'an operator')}`}
          </span>
        </div>
        {h?.reason && (
          <div className="handoff-reason" data-testid="handoff-reason">
            Handed off: {h.reason}
          </div>
        )}
        <div className="conversation-actions">
          {!readOnly && (
            <>
              <button data-testid="take" disabled={busy || !can.take} onClick={() => void act({ action: 'take' })} title="Take (t)">
                Take
              </button>
              <button data-testid="release" disabled={busy || !can.release} onClick={release} title="Release to the bot (r)">
                Release
              </button>
              <span className="transfer">
                <input
                  list="inbox-queues"
                  placeholder="queue"
                  value={transferTo}
                  onChange={(e) => setTransferTo(e.target.value)}
                  data-testid="transfer-queue"
                />
                <datalist id="inbox-queues">
                  {queues.map((q) => (
                    <option key={q.name} value={q.name} />
                  ))}
                </datalist>
                <button
                  data-testid="transfer"
                  disabled={busy || !can.transfer || !transferTo.trim()}
                  onClick={() => void act({ action: 'transfer', queue: transferTo.trim() }).then(() => setTransferTo(''))}
                >
                  Transfer
                </button>
              </span>
              <button data-testid="close" disabled={busy || !can.close} onClick={close} title="Close (c)">
                Close
              </button>
            </>
          )}
          <button className="help-button" onClick={() => setHelp(true)} title="Shortcuts (?)">
            ?
          </button>
        </div>
        {error && (
          <p className="error small" role="alert">
            {error}
          </p>
        )}
      </header>
      <div className="conversation-body">
        <div className="conversation-main">
          <Transcript dialog={dialog} typing={typing} />
          {!readOnly && !ended && <Composer dialogId={id} onSent={onChanged} />}
        </div>
        <SidePanel
          dialog={dialog}
          row={row}
          readOnly={readOnly}
          releaseVars={releaseVars}
          onReleaseVars={setReleaseVars}
        />
      </div>
      {help && <Help onClose={() => setHelp(false)} />}
    </section>
  )
}
