// The operator inbox (#/inbox, #/inbox/<dialog>): handed-off dialogs on the
// left, the open conversation on the right, kept live by the project's
// event stream. Each event just refetches (the list debounced): simpler
// than patching rows from events, and a dialog's state has one source.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { type DialogSummary, type Queue, type Session, type StreamEvent, api } from '../api'
import { Conversation } from './Conversation'
import { DialogList } from './DialogList'
import { type Tab, mergeRows, operatorIdOf, refreshFor, rowsForTab } from './logic'
import { useEvents } from './useEvents'

const LIST_DEBOUNCE_MS = 300
const DIALOG_DEBOUNCE_MS = 100
const LIST_LIMIT = '200'
// Typing events come every 2 s while someone types: shown a little longer.
const TYPING_SHOWN_MS = 4000

export function Inbox({ session, openId }: { session: Session; openId: string | null }) {
  const me = operatorIdOf(session)
  const [tab, setTab] = useState<Tab>('unassigned')
  const [queue, setQueue] = useState('')
  const [rows, setRows] = useState<DialogSummary[]>([])
  const [queues, setQueues] = useState<Queue[]>([])
  const [error, setError] = useState<string | null>(null)
  // Bumped to make the open conversation fetch itself again.
  const [dialogVersion, setDialogVersion] = useState(0)
  // Who types in which dialog, from typing events, until a few seconds pass.
  const [typing, setTyping] = useState<{ dialog: string; operator: string; until: number } | null>(null)

  // Fetches can finish out of order: only the latest may set the rows.
  const lastLoad = useRef(0)
  const loadList = useCallback(async () => {
    const seq = ++lastLoad.current
    const base: Record<string, string> = { limit: LIST_LIMIT }
    if (queue) base.queue = queue
    try {
      // handoff_status takes one value: All is both queries merged.
      const [requested, active, qs] = await Promise.all([
        api.listDialogs({ ...base, handoff_status: 'requested' }),
        api.listDialogs({ ...base, handoff_status: 'active' }),
        api.listQueues(),
      ])
      if (seq !== lastLoad.current) return
      setRows(mergeRows(requested.dialogs, active.dialogs))
      setQueues(qs)
      setError(null)
    } catch (e) {
      if (seq === lastLoad.current) setError((e as Error).message)
    }
  }, [queue])

  useEffect(() => {
    void loadList()
  }, [loadList])

  // A turn logs several events at once (message, update, handoff): each
  // burst becomes one fetch of the list and one of the open dialog.
  const listTimer = useRef<ReturnType<typeof setTimeout> | null>(null)
  const dialogTimer = useRef<ReturnType<typeof setTimeout> | null>(null)
  const scheduleList = useCallback(() => {
    if (listTimer.current) clearTimeout(listTimer.current)
    listTimer.current = setTimeout(() => void loadList(), LIST_DEBOUNCE_MS)
  }, [loadList])
  const scheduleDialog = useCallback(() => {
    if (dialogTimer.current) clearTimeout(dialogTimer.current)
    dialogTimer.current = setTimeout(() => setDialogVersion((v) => v + 1), DIALOG_DEBOUNCE_MS)
  }, [])
  useEffect(
    () => () => {
      if (listTimer.current) clearTimeout(listTimer.current)
      if (dialogTimer.current) clearTimeout(dialogTimer.current)
    },
    [],
  )

  const onEvent = useCallback(
    (ev: StreamEvent) => {
      if (ev.type === 'typing' && ev.dialog_id && ev.operator && ev.operator !== session.name) {
        const until = Date.now() + TYPING_SHOWN_MS
        setTyping({ dialog: ev.dialog_id, operator: ev.operator, until })
        setTimeout(() => setTyping((t) => (t && t.until <= Date.now() ? null : t)), TYPING_SHOWN_MS + 50)
      }
      const r = refreshFor(ev, openId)
      if (r.list) scheduleList()
      if (r.dialog) scheduleDialog()
    },
    [openId, scheduleDialog, scheduleList, session.name],
  )
  const onOpen = useCallback(() => {
    scheduleList()
    scheduleDialog()
  }, [scheduleDialog, scheduleList])
  useEvents(onEvent, onOpen)

  // After an action of our own, refresh at once rather than wait for its event.
  const changed = useCallback(() => {
    void loadList()
    setDialogVersion((v) => v + 1)
  }, [loadList])

  const shown = useMemo(() => rowsForTab(rows, tab, me, queue), [rows, tab, me, queue])
  const typingHere = typing && typing.dialog === openId && typing.until > Date.now() ? typing.operator : null

  return (
    <main className="inbox">
      <DialogList
        rows={shown}
        tab={tab}
        onTab={setTab}
        queues={queues}
        queue={queue}
        onQueue={setQueue}
        me={me}
        openId={openId}
        error={error}
      />
      {openId ? (
        <Conversation
          key={openId}
          id={openId}
          version={dialogVersion}
          me={me}
          row={rows.find((r) => r.id === openId) ?? null}
          readOnly={session.role === 'viewer'}
          queues={queues}
          typing={typingHere}
          onChanged={changed}
        />
      ) : (
        <section className="inbox-empty muted">Pick a conversation on the left.</section>
      )}
    </main>
  )
}
