// The project's live events (GET /v1/events) through EventSource: the
// session cookie goes with it, and the browser reconnects by itself with
// Last-Event-ID, so the server replays what was missed.
import { useEffect, useRef, useState } from 'react'
import type { StreamEvent } from '../api'

// The server names each event (`event: <type>`), and EventSource hands
// named events only to listeners for that name: there is no catch-all.
const TYPES = [
  'dialog.created',
  'dialog.updated',
  'message.created',
  'dialog.pending',
  'handoff.requested',
  'handoff.started',
  'handoff.released',
  'dialog.completed',
  'note.created',
  'typing',
  'log.trimmed',
]

/**
 * Calls onEvent for each event, and onOpen whenever the stream (re)opens:
 * a page refreshes then, as it may have missed changes before the log
 * replay reaches it.
 */
export function useEvents(onEvent: (ev: StreamEvent) => void, onOpen: () => void): void {
  const handlers = useRef({ onEvent, onOpen })
  handlers.current = { onEvent, onOpen }
  useEffect(() => {
    if (typeof EventSource === 'undefined') return
    const source = new EventSource('/v1/events')
    const listener = (e: Event) => {
      try {
        handlers.current.onEvent(JSON.parse((e as MessageEvent<string>).data) as StreamEvent)
      } catch {
        // A malformed line is the server's bug; the next event refreshes anyway.
      }
    }
    for (const t of TYPES) source.addEventListener(t, listener)
    source.onopen = () => handlers.current.onOpen()
    return () => source.close()
  }, [])
}

/** The current time, ticking every `ms`, for live wait times. */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms)
    return () => clearInterval(id)
  }, [ms])
  return now
}
