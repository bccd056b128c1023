// The conversation's messages and the operators' notes in one timeline;
// notes look different and say they never reach the user.
import { useEffect, useMemo, useRef } from 'react'
import type { Dialog } from '../api'
import { timeline } from './logic'

const ROLE_LABEL: Record<string, string> = { user: 'User', assistant: 'Bot', operator: 'Operator', system: 'System' }

export function Transcript({ dialog, typing }: { dialog: Dialog; typing: string | null }) {
  const entries = useMemo(() => timeline(dialog.messages, dialog.notes ?? []), [dialog])
  const end = useRef<HTMLDivElement>(null)
  // Keep the newest line in view as the conversation grows. In braces:
  // newer browsers return a promise from scrollIntoView, and an effect may
  // return nothing but a cleanup function.
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: 'end' })
  }, [entries.length, typing])
  return (
    <div className="transcript" data-testid="transcript">
      {entries.length === 0 && <p className="muted">No messages yet.</p>}
      {entries.map((e) =>
        e.kind === 'message' ? (
          <div key={`m${e.message.id}`} className={`msg msg-${e.message.role}`} data-testid="transcript-message">
            <div className="msg-meta small">
              {e.message.operator ?? ROLE_LABEL[e.message.role] ?? e.message.role} · {time(e.message.created_at)}
              {e.message.node && (
                <span className="msg-node mono" data-testid="transcript-node" title="The node that sent this message">
                  {' '}
                  · {e.message.node}
                </span>
              )}
            </div>
            <div className="msg-text">{e.message.text}</div>
            {e.message.buttons && e.message.buttons.length > 0 && (
              <div className="msg-buttons small">{e.message.buttons.map((b) => `[${b}]`).join(' ')}</div>
            )}
          </div>
        ) : (
          <div key={`n${e.note.id}`} className="msg msg-note" data-testid="transcript-note">
            <div className="msg-meta small">
              {e.note.operator.name} · {time(e.note.created_at)} · <strong>note: never sent to the user</strong>
            </div>
            <div className="msg-text">{e.note.text}</div>
          </div>
        ),
      )}
      {typing && <p className="muted small typing">{typing} is typing…</p>}
      <div ref={end} />
    </div>
  )
}

function time(iso: string): string {
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
}
