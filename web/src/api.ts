// A thin client for the Parley server API. Every non-GET request carries the
// session's CSRF token (the server answers 403 without it), and every error
// answer becomes an ApiError holding the server's message.

export interface Project {
  project_id: number | string
  role?: string
}

export interface Session {
  user: { id: number | string; email: string }
  name: string
  project_id: number | string
  role: 'owner' | 'operator' | 'viewer'
  csrf_token: string
  expires_at: string
  projects?: Project[]
}

export interface BotSummary {
  slug: string
  name: string
  current_version: number | null
  updated_at: string
  draft: null | { author: string; updated_at: string; base_version: number | null }
  dialogs_today: number // started since midnight UTC
}

export interface Problem {
  line: number
  column: number
  severity?: 'error' | 'warning'
  code: string
  message: string
  node?: string
}

export interface Draft {
  bot: string
  source: string
  checksum: string
  base_version: number | null
  author: string
  updated_at: string
  problems: Problem[] | null
}

export interface SavedDraft {
  bot: string
  checksum: string
  base_version: number | null
  author: string
  updated_at: string
  problems: Problem[] | null
}

export interface GraphNode {
  id: string
  kind: string
  line: number
  column: number
  first_line: number
  last_line: number
  ui: { x: number; y: number } | null
  fields: Record<string, unknown>
  valid: boolean
}

export interface GraphEdge {
  from: string
  to: string
  field: string
  kind: string
  condition?: string
  /** True for edges taken when something fails (on_error and the like). */
  error_path?: boolean
  line: number
  column: number
}

export interface Graph {
  bot: string
  name: string
  start: string
  nodes: GraphNode[]
  edges: GraphEdge[]
  problems: Problem[]
}

// The operator desk (inbox): the contract's Handoff, DialogSummary, Dialog,
// Note, Queue, CannedReply and StreamEvent, as far as the inbox reads them.
export type HandoffStatus = 'none' | 'requested' | 'active' | 'released'

export interface OperatorRef {
  /** "user:<id>" for a signed-in user, "key:<name>" for an API key. */
  id: string
  name: string
}

export interface Handoff {
  status: HandoffStatus
  queue?: string
  reason?: string
  requested_at?: string
  last_user_text?: string
  operator?: OperatorRef
  taken_at?: string
  released_at?: string
}

export interface DialogSummary {
  id: string
  number: number
  bot: string
  status: string
  mode: string
  node: string
  title: string
  user_id: string
  /** The person's name from the profile the dialog began with, when given. */
  user_name?: string
  pending: number
  handoff: Handoff
  created_at: string
  updated_at: string
  last_user_at?: string
}

export interface Message {
  id: string
  role: 'user' | 'assistant' | 'operator' | 'system'
  text: string
  /** The node that sent a bot's message. */
  node?: string
  /** Who wrote an operator's message. */
  operator?: string
  /** Files the message carries: a user's upload, an operator's attachments (GET path with the session). */
  files?: { id: number; name: string; type: string; size: number; path: string }[]
  buttons?: string[]
  created_at: string
}

export interface Note {
  id: number
  operator: OperatorRef
  text: string
  created_at: string
}

export interface Dialog {
  id: string
  number: number
  bot: string
  version: number
  status: string
  mode: string
  handoff: Handoff
  node: string
  title: string
  /** The person's profile as the client gave it (id, name, email, phone, ...). */
  user?: Record<string, unknown>
  variables: Record<string, unknown>
  data: { question: string; type: string; answer: string; variable: string }[]
  messages: Message[]
  notes: Note[]
}

export interface Queue {
  name: string
  waiting: number
  oldest_wait_seconds: number
  taken: number
}

export interface CannedReply {
  id: number
  shortcut: string
  text: string
}

/** One server-sent event's data (the contract's StreamEvent). */
export interface StreamEvent {
  type: string
  dialog_id?: string
  operator?: string
  time: string
}

// The editor's test chat, replay and versions: the contract's Turn,
// CreatedDialog, Replay and FlowVersion.
export interface Waiting {
  node: string
  kind: string
  /** The dialog's next timer: what ends the wait unless something comes first. */
  timer?: { at: string; what: string }
  /** What a file question takes (MIME types, image/*); absent for any file. */
  accept?: string[]
}

export interface Turn {
  messages: Message[]
  status: string
  mode: string
  waiting: Waiting | null
}

export interface CreatedDialog extends Turn {
  id: string
  number: number
}

export interface ReplayDialog {
  id: string
  number: number
  turns: number
  replayed_turns: number
  stopped?: string
  first_difference: null | { turn: number; user_text: string; message: string }
}

export interface Replay {
  bot: string
  checksum: string
  replayed: number
  changed: number
  dialogs: ReplayDialog[]
}

export interface FlowVersion {
  version: number
  checksum: string
  author: string
  note: string
  current: boolean
  created_at: string
}

/** A stream event as the dialog's own stream sends it (text-delta, message.created). */
export interface DialogEvent extends StreamEvent {
  node?: string
  attempt?: number
  delta?: string
  message?: Message
  status?: string
}

export type OperatorAction =
  | { action: 'take' | 'close' }
  | { action: 'message' | 'note'; text: string }
  | { action: 'transfer'; queue: string }
  | { action: 'release'; variables?: Record<string, unknown> }

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly details: unknown
  constructor(status: number, code: string, message: string, details: unknown) {
    super(message)
    this.status = status
    this.code = code
    this.details = details
  }
}

/** An example bot a new bot can start from (GET /v1/templates). */
export interface Template {
  id: string
  name: string
  description: string
  nodes: number
  source: string
}

// Set by the session provider once signed in; module state keeps every call
// site free of token plumbing.
let csrfToken = ''
export function setCsrfToken(token: string): void {
  csrfToken = token
}

interface RequestOptions {
  method?: string
  json?: unknown
  yaml?: string
  form?: FormData
  headers?: Record<string, string>
}

async function request(path: string, opts: RequestOptions = {}): Promise<Response> {
  const method = opts.method ?? 'GET'
  const headers: Record<string, string> = { ...opts.headers }
  let body: string | FormData | undefined
  if (opts.form !== undefined) {
    body = opts.form // the browser sets the multipart Content-Type with its boundary
  } else if (opts.json !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(opts.json)
  } else if (opts.yaml !== undefined) {
    headers['Content-Type'] = 'application/yaml'
    body = opts.yaml
  }
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken
  const res = await fetch(path, { method, headers, body, credentials: 'same-origin' })
  if (!res.ok) throw await toError(res)
  return res
}

// A bot's conversation tests (GET|PUT /v1/bots/{slug}/tests, .../tests/run,
// .../tests/from-dialog): the contract's TestFile and TestRun.
export interface TestFile {
  bot: string
  source: string
  checksum: string
  updated_at: string | null
  tests: { name: string; line: number }[]
  problems: Problem[]
  /** from-dialog: the new test's name, and why it ends before the dialog did. */
  added?: string
  stopped?: string
}

export interface TestFailure {
  step: number | null
  line: number
  message: string
  node: string
}

export interface TestResult {
  name: string
  line: number
  passed: boolean
  duration_ms: number
  failure: TestFailure | null
}

export interface TestRun {
  target: 'draft' | 'published'
  version: number
  passed: number
  failed: number
  results: TestResult[]
}

async function toError(res: Response): Promise<ApiError> {
  let code = 'HTTP_' + res.status
  let message = res.statusText || `request failed (${res.status})`
  let details: unknown
  try {
    const data = (await res.json()) as { error?: { code?: string; message?: string; details?: unknown } }
    if (data.error) {
      code = data.error.code ?? code
      message = data.error.message ?? message
      details = data.error.details
    }
  } catch {
    // Not JSON (a proxy error page, say): keep the status text.
  }
  return new ApiError(res.status, code, message, details)
}

async function json<T>(path: string, opts?: RequestOptions): Promise<T> {
  return (await (await request(path, opts)).json()) as T
}

const bot = (slug: string) => `/v1/bots/${encodeURIComponent(slug)}`
const dialog = (id: string) => `/v1/dialogs/${encodeURIComponent(id)}`
const quoted = (checksum: string) => `"${checksum}"`

export const api = {
  getSession: () => json<Session>('/v1/session'),
  signIn: (email: string, password: string) =>
    json<Session>('/v1/session', { method: 'POST', json: { email, password } }),
  /** Trades a JWT (ReplyX's login's) for the app's own cookie session. */
  signInWithToken: (accessToken: string) =>
    json<Session>('/v1/session', { method: 'POST', json: { access_token: accessToken } }),
  signOut: async () => {
    await request('/v1/session', { method: 'DELETE' })
  },
  listBots: async () => (await json<{ bots: BotSummary[] }>('/v1/bots')).bots,
  listTemplates: async () => (await json<{ templates: Template[] }>('/v1/templates')).templates,
  getFlow: async (slug: string) => (await request(`${bot(slug)}/flow`)).text(),
  getDraft: (slug: string) => json<Draft>(`${bot(slug)}/draft`),
  saveDraft: (slug: string, source: string, checksum: string | null) =>
    json<SavedDraft>(`${bot(slug)}/draft`, {
      method: 'PUT',
      yaml: source,
      headers: checksum ? { 'If-Match': quoted(checksum) } : {},
    }),
  getTests: (slug: string) => json<TestFile>(`${bot(slug)}/tests`),
  saveTests: (slug: string, source: string) => json<TestFile>(`${bot(slug)}/tests`, { method: 'PUT', yaml: source }),
  runTests: (slug: string) => json<TestRun>(`${bot(slug)}/tests/run`, { method: 'POST', json: {} }),
  testFromDialog: (slug: string, dialogId: string) =>
    json<TestFile>(`${bot(slug)}/tests/from-dialog`, { method: 'POST', json: { dialog: dialogId } }),
  discardDraft: async (slug: string) => {
    await request(`${bot(slug)}/draft`, { method: 'DELETE' })
  },
  publish: (slug: string, checksum: string) =>
    json<{ bot_id: string; slug: string; version: number }>(`${bot(slug)}/draft/publish`, {
      method: 'POST',
      headers: { 'If-Match': quoted(checksum) },
    }),
  testDraft: (slug: string) => json<CreatedDialog>(`${bot(slug)}/draft/dialogs`, { method: 'POST', json: {} }),
  sendMessage: (id: string, text: string) => json<Turn>(`${dialog(id)}/messages`, { method: 'POST', json: { text } }),
  /** The user's answer as a file (a file question's): multipart `file`. */
  uploadAnswer: (id: string, file: File) => {
    const form = new FormData()
    form.append('file', file)
    return json<Turn>(`${dialog(id)}/files`, { method: 'POST', form })
  },
  skipTimer: (id: string) => json<Turn>(`${dialog(id)}/skip-timer`, { method: 'POST', json: {} }),
  replay: (slug: string, dialogs: number) =>
    json<Replay>(`${bot(slug)}/draft/replay`, { method: 'POST', json: { dialogs } }),
  listVersions: async (slug: string) => (await json<{ versions: FlowVersion[] }>(`${bot(slug)}/versions`)).versions,
  getVersion: async (slug: string, version: number) => (await request(`${bot(slug)}/versions/${version}`)).text(),
  graph: (source: string) => json<Graph>('/v1/flows/graph', { method: 'POST', yaml: source }),
  listDialogs: (params: Record<string, string>) =>
    json<{ dialogs: DialogSummary[]; next_cursor: string | null }>('/v1/dialogs?' + new URLSearchParams(params)),
  getDialog: (id: string) => json<Dialog>(dialog(id)),
  listQueues: async () => (await json<{ queues: Queue[] }>('/v1/queues')).queues,
  operator: (id: string, act: OperatorAction) => json<unknown>(`${dialog(id)}/operator`, { method: 'POST', json: act }),
  typing: async (id: string) => {
    await request(`${dialog(id)}/typing`, { method: 'POST' })
  },
  cannedReplies: async (prefix: string) =>
    (await json<{ canned_replies: CannedReply[] }>('/v1/canned-replies?' + new URLSearchParams({ prefix }))).canned_replies,
}
