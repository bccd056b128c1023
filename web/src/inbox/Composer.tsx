// The composer: a reply to the user or an internal note. A / at the start
// opens the canned replies whose shortcut starts with what follows; Enter
// sends (Shift-Enter is a new line). While a reply is typed the user's side
// is told, at most every 2 s (notes are private: no typing signal).
import { useEffect, useRef, useState, type KeyboardEvent } from 'react'
import { type CannedReply, api } from '../api'
import { matchCanned, shouldSendTyping, slashQuery } from './logic'

type Mode = 'reply' | 'note'

export function Composer({ dialogId, onSent }: { dialogId: string; onSent(): void }) {
  const [mode, setMode] = useState<Mode>('reply')
  const [text, setText] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [replies, setReplies] = useState<CannedReply[]>([])
  const [pick, setPick] = useState(0)
  // The query the user closed the menu for with Esc: it stays closed until the text changes.
  const [dismissed, setDismissed] = useState<string | null>(null)
  const lastTyping = useRef(0)
  const input = useRef<HTMLTextAreaElement>(null)

  const query = slashQuery(text)
  const menuOpen = query !== null && query !== dismissed
  const matches = menuOpen ? matchCanned(replies, query) : []

  useEffect(() => {
    if (query === null) return
    let live = true
    api.cannedReplies(query).then(
      (r) => live && setReplies(r),
      () => live && setReplies([]),
    )
    return () => {
      live = false
    }
  }, [query])

  function change(value: string) {
    setText(value)
    setPick(0)
    setDismissed(null)
    const now = Date.now()
    if (mode === 'reply' && value && shouldSendTyping(lastTyping.current, now)) {
      lastTyping.current = now
      api.typing(dialogId).catch(() => {}) // a lost typing signal matters to nobody
    }
  }

  function insert(r: CannedReply) {
    setText(r.text)
    setDismissed(null)
    input.current?.focus()
  }

  async function send() {
    const body = text.trim()
    if (!body || busy) return
    setBusy(true)
    setError(null)
    try {
      await api.operator(dialogId, { action: mode === 'note' ? 'note' : 'message', text: body })
      setText('')
      onSent()
    } catch (e) {
      setError((e as Error).message)
    } finally {
      setBusy(false)
      input.current?.focus()
    }
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (menuOpen && matches.length > 0) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault()
        const step = e.key === 'ArrowDown' ? 1 : -1
        setPick((p) => (p + step + matches.length) % matches.length)
        return
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault()
        const r = matches[Math.min(pick, matches.length - 1)]
        if (r) insert(r)
        return
      }
    }
    if (menuOpen && e.key === 'Escape') {
      e.preventDefault()
      setDismissed(query)
      return
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault()
      void send()
    }
  }

  return (
    <div className={`composer composer-${mode}`}>
      {menuOpen && (
        <ul className="canned-menu" data-testid="canned-menu" role="listbox">
          {matches.length === 0 && <li className="muted small">No canned reply starts with /{query}</li>}
          {matches.map((r, i) => (
            <li
              key={r.id}
              role="option"
              aria-selected={i === pick}
              className={i === pick ? 'picked' : ''}
              onMouseDown={(e) => {
                e.preventDefault() // keep the focus in the composer
                insert(r)
              }}
            >
              <span className="mono">/{r.shortcut}</span> <span className="muted">{r.text}</span>
            </li>
          ))}
        </ul>
      )}
      <div className="composer-modes">
        <button
          className={mode === 'reply' ? 'active' : ''}
          aria-pressed={mode === 'reply'}
          data-testid="composer-mode-reply"
          onClick={() => setMode('reply')}
        >
          Reply
        </button>
        <button
          className={mode === 'note' ? 'active' : ''}
          aria-pressed={mode === 'note'}
          data-testid="composer-mode-note"
          onClick={() => setMode('note')}
        >
          Note
        </button>
        <span className="muted small">
          {mode === 'note' ? 'Internal note: never sent to the user.' : 'To the user. / for canned replies.'}
        </span>
      </div>
      <div className="composer-row">
        <textarea
          ref={input}
          data-testid="composer"
          rows={3}
          value={text}
          placeholder={mode === 'note' ? 'Write a note for operators…' : 'Write a reply…'}
          onChange={(e) => change(e.target.value)}
          onKeyDown={onKeyDown}
        />
        <button data-testid="composer-send" disabled={busy || !text.trim()} onClick={() => void send()}>
          {mode === 'note' ? 'Add note' : 'Send'}
        </button>
      </div>
      {error && (
        <p className="error small" role="alert">
          {error}
        </p>
      )}
    </div>
  )
}
