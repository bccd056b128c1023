// The test chat: talk to the draft as it is, in a test dialog
// (POST /v1/bots/{slug}/draft/dialogs), beside the canvas. The node the
// dialog waits at is reported up (onWaiting) for the canvas to outline; the
// dialog's own event stream adds what a turn's answer did not carry (a
// timer's message, a model's text as it is written).
import { useEffect, useRef, useState } from 'react'
import { ApiError, type Dialog, type DialogEvent, type Message, type Turn, api } from '../api'

interface Props {
  slug: string
  /** Saves the draft; null when saving failed (the editor's status says why). */
  save(): Promise<string | null>
  onWaiting(node: string | null): void
  /** A test was made of this chat and added to the bot's tests. */
  onSavedTest(name: string): void
  onClose(): void
}

interface Chat {
  id: string
  number: number
  status: string
  waiting: Turn['waiting']
}

export function TestChat({ slug, save, onWaiting, onSavedTest, onClose }: Props) {
  const [chat, setChat] = useState<Chat | null>(null)
  const [messages, setMessages] = useState<Message[]>([])
  // A model's answer while it is written: text-delta events, until its message.created.
  const [streamed, setStreamed] = useState({ attempt: 0, text: '' })
  const streaming = streamed.text
  const setStreaming = (text: string) => setStreamed({ attempt: 0, text })
  const [details, setDetails] = useState<Pick<Dialog, 'variables' | 'data'> | null>(null)
  const [input, setInput] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [saved, setSaved] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const endRef = useRef<HTMLDivElement>(null)

  // Messages arrive twice (the turn's answer and the stream): keep each id once.
  const addMessages = (ms: Message[]) =>
    setMessages((prev) => {
      const seen = new Set(prev.map((m) => m.id))
      const fresh = ms.filter((m) => !seen.has(m.id))
      return fresh.length ? [...prev, ...fresh] : prev
    })

  const refresh = (id: string) =>
    api.getDialog(id).then(
      // Empty lists may come as null.
      (d) => setDetails({ variables: d.variables ?? {}, data: d.data ?? [] }),
      () => {},
    )

  const applyTurn = (id: string, t: Turn) => {
    addMessages(t.messages ?? [])
    setStreaming('')
    setChat((c) => (c && c.id === id ? { ...c, status: t.status, waiting: t.waiting } : c))
    onWaiting(t.waiting?.node ?? null)
    void refresh(id)
  }

  const start = async () => {
    setError(null)
    setBusy(true)
    try {
      // The test dialog runs the saved draft: save the text first.
      if (!(await save())) {
        setError('The draft could not be saved (see the status above).')
        return
      }
      const d = await api.testDraft(slug)
      setMessages([])
      setSaved(null)
      setDetails(null)
      setChat({ id: d.id, number: d.number, status: d.status, waiting: d.waiting })
      applyTurn(d.id, d)
    } catch (e) {
      setError(startError(e))
    } finally {
      setBusy(false)
    }
  }

  const send = async (text: string) => {
    if (!chat || !text.trim()) return
    setError(null)
    setBusy(true)
    setInput('')
    try {
      applyTurn(chat.id, await api.sendMessage(chat.id, text))
    } catch (e) {
      setError((e as Error).message)
    } finally {
      setBusy(false)
    }
  }

  // The chat so far becomes a conversation test in the bot's tests file.
  const saveAsTest = async () => {
    if (!chat) return
    setError(null)
    setBusy(true)
    try {
      const f = await api.testFromDialog(slug, chat.id)
      const name = f.added ?? 'the test'
      setSaved(`Saved as the test “${name}”${f.stopped ? ` (it stops early: ${f.stopped})` : ''}. Run it from Tests.`)
      onSavedTest(name)
    } catch (e) {
      setError((e as Error).message)
    } finally {
      setBusy(false)
    }
  }

  // A file question's answer: the file goes up as the user's message.
  const upload = async (file: File) => {
    if (!chat) return
    setError(null)
    setBusy(true)
    try {
      applyTurn(chat.id, await api.uploadAnswer(chat.id, file))
    } catch (e) {
      setError((e as Error).message)
    } finally {
      setBusy(false)
    }
  }

  // Time travel: the dialog's next timer fires now (test dialogs only).
  const skip = async () => {
    if (!chat) return
    setError(null)
    setBusy(true)
    try {
      applyTurn(chat.id, await api.skipTimer(chat.id))
    } catch (e) {
      setError((e as Error).message)
    } finally {
      setBusy(false)
    }
  }

  // The dialog's live events, for as long as this dialog is the one shown.
  const id = chat?.id
  useEffect(() => {
    if (!id || typeof EventSource === 'undefined') return
    const source = new EventSource(`/v1/dialogs/${encodeURIComponent(id)}/events`)
    const parse = (e: Event) => {
      try {
        return JSON.parse((e as MessageEvent<string>).data) as DialogEvent
      } catch {
        return null
      }
    }
    source.addEventListener('message.created', (e) => {
      const ev = parse(e)
      if (!ev?.message) return
      addMessages([ev.message])
      if (ev.message.role !== 'user') setStreaming('')
    })
    source.addEventListener('text-delta', (e) => {
      const ev = parse(e)
      if (ev?.delta === undefined) return
      const delta = ev.delta
      const attempt = ev.attempt ?? 0
      // A new attempt (a retry of the model) starts the text over.
      setStreamed((s) => (attempt !== s.attempt ? { attempt, text: delta } : { attempt, text: s.text + delta }))
    })
    source.addEventListener('dialog.completed', () => {
      setChat((c) => (c && c.id === id ? { ...c, status: 'completed', waiting: null } : c))
      onWaiting(null)
    })
    source.addEventListener('dialog.updated', () => void refresh(id))
    return () => source.close()
    // Only the dialog's id decides the stream; onWaiting is the editor's stable setter.
  }, [id])

  // Braces: Chromium's scrollIntoView returns a promise, which React would take for a cleanup.
  useEffect(() => {
    endRef.current?.scrollIntoView({ block: 'end' })
  }, [messages, streaming])

  // Leaving the panel leaves no outline on the canvas.
  useEffect(() => () => onWaiting(null), [onWaiting])

  const lastButtons = [...messages].reverse().find((m) => m.role !== 'user')?.buttons ?? []
  const done = chat !== null && chat.waiting === null && chat.status !== 'in-process'
  const timer = chat?.waiting?.timer

  return (
    <aside className="test-chat" data-testid="test-chat">
      <div className="test-chat-head">
        <strong>Test chat</strong>
        {chat && <span className="muted small">#{chat.number} · {chat.status}{chat.waiting ? ` · waits at ${chat.waiting.node}` : ''}</span>}
        <span className="spacer" />
        {chat && messages.length > 0 && (
          <button data-testid="test-chat-save-test" onClick={() => void saveAsTest()} disabled={busy} title="Keep this conversation as a test of the bot">
            Save as test
          </button>
        )}
        <button data-testid="test-chat-start" onClick={() => void start()} disabled={busy}>
          {chat ? 'Restart' : 'Start'}
        </button>
        <button onClick={onClose} title="Close the test chat">
          ×
        </button>
      </div>
      <p className="muted small test-chat-note">Runs the draft as it is (saved first).</p>
      {timer && !done && (
        <p className="small test-chat-timer" data-testid="test-chat-timer">
          Next: {timer.what} {fromNow(timer.at)}{' '}
          <button data-testid="test-chat-skip" onClick={() => void skip()} disabled={busy} title="Fire this timer now, as if its time had come">
            Skip to it
          </button>
        </p>
      )}
      {saved && (
        <p className="small test-chat-note ok" data-testid="test-chat-saved">
          {saved}
        </p>
      )}
      {error && (
        <p className="error small test-chat-note" role="alert" data-testid="test-chat-error">
          {error}
        </p>
      )}
      <div className="test-chat-log" data-testid="test-chat-log">
        {!chat && <p className="muted small">Start a test dialog to talk to the draft.</p>}
        {messages.map((m) => (
          <div key={m.id} className={`chat-msg chat-${m.role}`} data-testid={`chat-msg-${m.role}`}>
            {m.text}
            {m.files?.map((f) => (
              <a key={f.id} className="chat-file" href={f.path} target="_blank" rel="noreferrer" data-testid="chat-file">
                📎 {f.name}
              </a>
            ))}
            {m.buttons && m.buttons.length > 0 && (
              <div className="chat-buttons">
                {m.buttons.map((b) => (
                  <button key={b} className="chip" data-testid="chat-chip" onClick={() => void send(b)} disabled={busy || done}>
                    {b}
                  </button>
                ))}
              </div>
            )}
          </div>
        ))}
        {streaming && <div className="chat-msg chat-assistant streaming">{streaming}</div>}
        {done && <p className="muted small">The dialog has ended ({chat.status}). Restart to talk again.</p>}
        <div ref={endRef} />
      </div>
      <div className="test-chat-compose">
        <input
          data-testid="test-chat-input"
          placeholder={chat ? (lastButtons.length ? `Type or pick: ${lastButtons.join(', ')}` : 'Message…') : 'Start first'}
          value={input}
          disabled={!chat || done}
          onChange={(e) => setInput(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !busy) void send(input)
          }}
        />
        <label className="chip test-chat-attach" title="Send a file (the answer to a file question)">
          📎
          <input
            type="file"
            data-testid="test-chat-file"
            hidden
            accept={chat?.waiting?.accept?.join(',')}
            disabled={!chat || done || busy}
            onChange={(e) => {
              const file = e.target.files?.[0]
              e.target.value = ''
              if (file) void upload(file)
            }}
          />
        </label>
      </div>
      {details && (
        <div className="test-chat-state" data-testid="test-chat-state">
          <h3>Variables</h3>
          {Object.keys(details.variables).length === 0 ? (
            <p className="muted small">None set.</p>
          ) : (
            <dl>
              {Object.entries(details.variables).map(([k, v]) => (
                <div key={k}>
                  <dt className="mono">{k}</dt>
                  <dd className="mono">{JSON.stringify(v)}</dd>
                </div>
              ))}
            </dl>
          )}
          <h3>Collected data</h3>
          {details.data.length === 0 ? (
            <p className="muted small">Nothing collected yet.</p>
          ) : (
            <ul className="answers">
              {details.data.map((a, i) => (
                <li key={i}>
                  {a.question}: <strong>{a.answer}</strong> {a.variable && <span className="muted mono">→ {a.variable}</span>}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </aside>
  )
}

function startError(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 404) return `${e.message} (a test chat needs the bot published once, and a saved draft)`
    if (e.status === 422) {
      const problems = (e.details as { problems?: { message: string; line: number }[] } | undefined)?.problems ?? []
      return [e.message, ...problems.map((p) => `line ${p.line}: ${p.message}`)].join('\n')
    }
  }
  return (e as Error).message
}

/** "in 15 min", "in 2 h 5 min", "now": how far off a timer is. */
export function fromNow(at: string, now = Date.now()): string {
  const minutes = Math.round((Date.parse(at) - now) / 60000)
  if (minutes <= 0) return 'now'
  if (minutes < 60) return `in ${minutes} min`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return `in ${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`
  return `in ${Math.round(hours / 24)} days`
}
