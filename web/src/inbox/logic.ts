// The inbox's pure logic, kept apart from React so it is unit tested:
// which rows a tab shows, how long someone has waited, what the /shortcut
// menu offers, and what an event makes the page fetch again.
import type { CannedReply, DialogSummary, Message, Note, Session, StreamEvent } from '../api'

export type Tab = 'mine' | 'unassigned' | 'all'
export const TABS: [Tab, string][] = [
  ['mine', 'Mine'],
  ['unassigned', 'Unassigned'],
  ['all', 'All'],
]

/** The id the server gives a signed-in user acting as an operator (server.Caller.Operator). */
export function operatorIdOf(session: Pick<Session, 'user'>): string {
  return `user:${session.user.id}`
}

/**
 * The rows of a tab, the longest waiting first: Mine is what I have taken,
 * Unassigned what waits for anyone, All every dialog handed off (waiting or
 * taken). The queue filter is applied by the server; this applies it again
 * so a row that moved queues disappears before the next fetch lands.
 */
export function rowsForTab(rows: DialogSummary[], tab: Tab, me: string, queue = ''): DialogSummary[] {
  const keep = rows.filter((r) => {
    const h = r.handoff
    if (queue && h.queue !== queue) return false
    switch (tab) {
      case 'mine':
        return h.status === 'active' && h.operator?.id === me
      case 'unassigned':
        return h.status === 'requested'
      case 'all':
        return h.status === 'requested' || h.status === 'active'
    }
  })
  return keep.sort((a, b) => waitStart(a).localeCompare(waitStart(b)) || a.number - b.number)
}

// ISO times in UTC sort as strings; a row without one goes last.
function waitStart(r: DialogSummary): string {
  return r.handoff.requested_at ?? '9999'
}

/** Merges pages of rows by id (the later wins), as two status queries overlap while a dialog changes. */
export function mergeRows(...pages: DialogSummary[][]): DialogSummary[] {
  const byId = new Map<string, DialogSummary>()
  for (const page of pages) for (const r of page) byId.set(r.id, r)
  return [...byId.values()]
}

/** How long since `from`, short: 45s, 12m, 1h 05m, 2d 3h. */
export function formatWait(from: string | undefined, now: number): string {
  if (!from) return ''
  const t = Date.parse(from)
  if (Number.isNaN(t)) return ''
  const s = Math.max(0, Math.floor((now - t) / 1000))
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m`
  const h = Math.floor(m / 60)
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, '0')}m`
  return `${Math.floor(h / 24)}d ${h % 24}h`
}

/** Who the person is, as far as a list row knows: the client's user id, else the title, else the number. */
export function whoOf(r: Pick<DialogSummary, 'user_id' | 'user_name' | 'title' | 'number'>): string {
  return r.user_name || r.user_id || r.title || `Dialog #${r.number}`
}

/**
 * The nodes a dialog's bot spoke from, in order, each once in a row: the
 * path it took through the flow, as far as its messages tell.
 */
export function pathOf(messages: Pick<Message, 'role' | 'node'>[]): string[] {
  const path: string[] = []
  for (const m of messages) {
    if (m.node && (m.role === 'assistant' || m.role === 'system') && path[path.length - 1] !== m.node) path.push(m.node)
  }
  return path
}

/** Who has the dialog now: the bot, nobody yet, me, or an operator by name. */
export function holderOf(r: Pick<DialogSummary, 'handoff'>, me: string): string {
  const h = r.handoff
  if (h.status === 'requested') return 'waiting for a person'
  if (h.status === 'active') return h.operator?.id === me ? 'you' : (h.operator?.name ?? 'an operator')
  return 'bot'
}

/**
 * The /shortcut being typed: what follows a leading / while it is one word
 * (the menu closes at the first space or line), else null.
 */
export function slashQuery(text: string): string | null {
  const m = /^\/([^\s/]*)$/.exec(text)
  return m ? (m[1] ?? '').toLowerCase() : null
}

/** The replies whose shortcut starts with the query, by shortcut; the server filters too, but an answer may be stale. */
export function matchCanned(replies: CannedReply[], query: string): CannedReply[] {
  const q = query.toLowerCase()
  return replies.filter((r) => r.shortcut.startsWith(q)).sort((a, b) => a.shortcut.localeCompare(b.shortcut))
}

export interface Refresh {
  list: boolean
  dialog: boolean
}

// Typing and text deltas change nothing stored; the rest of the log does.
const NOTHING_STORED = new Set(['typing', 'text-delta'])
// Events that only add to a transcript, not to what a list row shows.
const TRANSCRIPT_ONLY = new Set(['note.created'])

/** What an event from GET /v1/events makes the inbox fetch again. */
export function refreshFor(ev: StreamEvent, openId: string | null): Refresh {
  if (NOTHING_STORED.has(ev.type)) return { list: false, dialog: false }
  // The log was trimmed past where this stream resumed: anything may have changed.
  if (ev.type === 'log.trimmed' || !ev.dialog_id) return { list: true, dialog: openId !== null }
  return { list: !TRANSCRIPT_ONLY.has(ev.type), dialog: ev.dialog_id === openId }
}

export type Entry = { kind: 'message'; message: Message } | { kind: 'note'; note: Note }

/** Messages and notes in one timeline by time (stable: a tie keeps messages first). */
export function timeline(messages: Message[], notes: Note[]): Entry[] {
  const entries: Entry[] = [
    ...messages.map((message): Entry => ({ kind: 'message', message })),
    ...notes.map((note): Entry => ({ kind: 'note', note })),
  ]
  const at = (e: Entry) => Date.parse(e.kind === 'message' ? e.message.created_at : e.note.created_at)
  return entries.map((e, i) => ({ e, i, t: at(e) })).sort((a, b) => a.t - b.t || a.i - b.i).map((x) => x.e)
}

/** Release variables typed as JSON: undefined when empty, an error message when not an object. */
export function parseVariables(text: string): { variables?: Record<string, unknown>; error?: string } {
  if (!text.trim()) return {}
  try {
    const v: unknown = JSON.parse(text)
    if (v && typeof v === 'object' && !Array.isArray(v)) return { variables: v as Record<string, unknown> }
    return { error: 'Variables must be a JSON object, such as {"refund": 25}.' }
  } catch (e) {
    return { error: `Not JSON: ${(e as Error).message}` }
  }
}

/** Whether a key press is for the page's shortcuts rather than a field the user types in. */
export function isTypingTarget(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null
  if (!el || typeof el.tagName !== 'string') return false
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName)
}

/** The typing signal goes out at most once per interval while the operator types. */
export const TYPING_EVERY_MS = 2000
export function shouldSendTyping(lastSent: number, now: number): boolean {
  return now - lastSent >= TYPING_EVERY_MS
}
