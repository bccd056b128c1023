import { describe, expect, it } from 'vitest'
import type { CannedReply, DialogSummary, Handoff, Message, Note } from '../api'
import {
  formatWait,
  holderOf,
  isTypingTarget,
  matchCanned,
  mergeRows,
  operatorIdOf,
  parseVariables,
  pathOf,
  refreshFor,
  rowsForTab,
  shouldSendTyping,
  slashQuery,
  timeline,
  whoOf,
} from './logic'

const me = 'user:7'

function row(id: string, handoff: Handoff, extra: Partial<DialogSummary> = {}): DialogSummary {
  return {
    id,
    number: Number(id.replace(/\D/g, '')) || 1,
    bot: 'desk',
    status: 'operator',
    mode: 'operator',
    node: 'human',
    title: '',
    user_id: '',
    pending: 0,
    handoff,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    ...extra,
  }
}

const rows = [
  row('d1', { status: 'requested', queue: 'billing', requested_at: '2026-01-01T10:05:00Z' }),
  row('d2', { status: 'active', queue: 'billing', requested_at: '2026-01-01T10:00:00Z', operator: { id: me, name: 'Me' } }),
  row('d3', { status: 'active', queue: 'vip', requested_at: '2026-01-01T09:00:00Z', operator: { id: 'user:8', name: 'Olga' } }),
  row('d4', { status: 'requested', queue: 'vip', requested_at: '2026-01-01T08:00:00Z' }),
  row('d5', { status: 'released', queue: 'vip', requested_at: '2026-01-01T07:00:00Z' }),
  row('d6', { status: 'none' }),
]
const ids = (rs: DialogSummary[]) => rs.map((r) => r.id)

describe('tabs', () => {
  it('Mine is what I have taken', () => {
    expect(ids(rowsForTab(rows, 'mine', me))).toEqual(['d2'])
  })
  it('Unassigned waits for anyone, the longest waiting first', () => {
    expect(ids(rowsForTab(rows, 'unassigned', me))).toEqual(['d4', 'd1'])
  })
  it('All is every handoff waiting or taken, never the released or the bot’s', () => {
    expect(ids(rowsForTab(rows, 'all', me))).toEqual(['d4', 'd3', 'd2', 'd1'])
  })
  it('filters by queue', () => {
    expect(ids(rowsForTab(rows, 'all', me, 'vip'))).toEqual(['d4', 'd3'])
    expect(ids(rowsForTab(rows, 'mine', me, 'vip'))).toEqual([])
  })
  it('merges the requested and active pages by id, the later winning', () => {
    const taken = row('d1', { status: 'active', operator: { id: me, name: 'Me' } })
    expect(mergeRows([rows[0]!], [taken, rows[1]!]).map((r) => [r.id, r.handoff.status])).toEqual([
      ['d1', 'active'],
      ['d2', 'active'],
    ])
  })
  it('knows the signed-in user as the server names operators', () => {
    expect(operatorIdOf({ user: { id: 7, email: 'a@b' } })).toBe(me)
  })
})

describe('rows', () => {
  it('formats how long someone waited', () => {
    const t0 = Date.parse('2026-01-01T10:00:00Z')
    const at = (s: number) => formatWait('2026-01-01T10:00:00Z', t0 + s * 1000)
    expect(at(0)).toBe('0s')
    expect(at(59)).toBe('59s')
    expect(at(60)).toBe('1m')
    expect(at(3599)).toBe('59m')
    expect(at(3600 + 5 * 60)).toBe('1h 05m')
    expect(at(26 * 3600)).toBe('1d 2h')
    expect(at(-30)).toBe('0s') // a clock a little behind the server's
    expect(formatWait(undefined, t0)).toBe('')
    expect(formatWait('soon', t0)).toBe('')
  })
  it('names the person and who has the dialog', () => {
    expect(whoOf({ user_id: 'u-42', user_name: 'Ann Lee', title: 'Refund', number: 3 })).toBe('Ann Lee')
    expect(whoOf({ user_id: 'u-42', title: 'Refund', number: 3 })).toBe('u-42')
    expect(whoOf({ user_id: '', title: 'Refund', number: 3 })).toBe('Refund')
    expect(whoOf({ user_id: '', title: '', number: 3 })).toBe('Dialog #3')
    expect(holderOf(rows[0]!, me)).toBe('waiting for a person')
    expect(holderOf(rows[1]!, me)).toBe('you')
    expect(holderOf(rows[2]!, me)).toBe('Olga')
    expect(holderOf(rows[4]!, me)).toBe('bot')
  })
})

describe('canned replies', () => {
  const replies: CannedReply[] = [
    { id: 1, shortcut: 'refund', text: 'We have refunded your order.' },
    { id: 2, shortcut: 'hello', text: 'Hello!' },
    { id: 3, shortcut: 'ref-policy', text: 'Our policy…' },
  ]
  it('opens on a leading / and one word', () => {
    expect(slashQuery('/')).toBe('')
    expect(slashQuery('/Ref')).toBe('ref')
    expect(slashQuery('/ref now')).toBeNull()
    expect(slashQuery('hi /ref')).toBeNull()
    expect(slashQuery('/ref\n')).toBeNull()
    expect(slashQuery('//')).toBeNull()
    expect(slashQuery('')).toBeNull()
  })
  it('matches shortcuts by prefix, sorted', () => {
    expect(matchCanned(replies, '').map((r) => r.shortcut)).toEqual(['hello', 'ref-policy', 'refund'])
    expect(matchCanned(replies, 'ref').map((r) => r.shortcut)).toEqual(['ref-policy', 'refund'])
    expect(matchCanned(replies, 'REFU').map((r) => r.id)).toEqual([1])
    expect(matchCanned(replies, 'x')).toEqual([])
  })
  it('sends typing at most every 2 s', () => {
    expect(shouldSendTyping(0, 10_000)).toBe(true)
    expect(shouldSendTyping(10_000, 11_999)).toBe(false)
    expect(shouldSendTyping(10_000, 12_000)).toBe(true)
  })
})

describe('events', () => {
  const ev = (type: string, dialog_id?: string) => ({ type, dialog_id, time: '2026-01-01T00:00:00Z' })
  it('refetches the list, and the open dialog when it is the one', () => {
    expect(refreshFor(ev('handoff.requested', 'a'), 'b')).toEqual({ list: true, dialog: false })
    expect(refreshFor(ev('message.created', 'a'), 'a')).toEqual({ list: true, dialog: true })
    expect(refreshFor(ev('dialog.completed', 'a'), null)).toEqual({ list: true, dialog: false })
  })
  it('refetches only the open transcript for a note', () => {
    expect(refreshFor(ev('note.created', 'a'), 'a')).toEqual({ list: false, dialog: true })
    expect(refreshFor(ev('note.created', 'a'), 'b')).toEqual({ list: false, dialog: false })
  })
  it('ignores what stores nothing', () => {
    expect(refreshFor(ev('typing', 'a'), 'a')).toEqual({ list: false, dialog: false })
    expect(refreshFor(ev('text-delta', 'a'), 'a')).toEqual({ list: false, dialog: false })
  })
  it('refetches everything when the log was trimmed', () => {
    expect(refreshFor(ev('log.trimmed'), 'a')).toEqual({ list: true, dialog: true })
    expect(refreshFor(ev('log.trimmed'), null)).toEqual({ list: true, dialog: false })
  })
})

describe('transcript', () => {
  const msg = (id: string, at: string): Message => ({ id, role: 'user', text: id, created_at: at })
  const note = (id: number, at: string): Note => ({ id, operator: { id: me, name: 'Me' }, text: 'n', created_at: at })
  it('puts notes between messages by time', () => {
    const t = timeline(
      [msg('m1', '2026-01-01T10:00:00Z'), msg('m2', '2026-01-01T10:02:00Z')],
      [note(1, '2026-01-01T10:01:00Z'), note(2, '2026-01-01T10:02:00Z')],
    )
    expect(t.map((e) => (e.kind === 'message' ? e.message.id : `n${e.note.id}`))).toEqual(['m1', 'n1', 'm2', 'n2'])
  })
})

describe('release variables', () => {
  it('takes an empty box or a JSON object', () => {
    expect(parseVariables('  ')).toEqual({})
    expect(parseVariables('{"refund": 25}')).toEqual({ variables: { refund: 25 } })
    expect(parseVariables('[1]').error).toMatch(/JSON object/)
    expect(parseVariables('{').error).toMatch(/Not JSON/)
  })
})

describe('shortcut targets', () => {
  it('leaves keys typed in fields alone', () => {
    expect(isTypingTarget({ tagName: 'TEXTAREA' } as unknown as EventTarget)).toBe(true)
    expect(isTypingTarget({ tagName: 'INPUT' } as unknown as EventTarget)).toBe(true)
    expect(isTypingTarget({ tagName: 'DIV', isContentEditable: false } as unknown as EventTarget)).toBe(false)
    expect(isTypingTarget(null)).toBe(false)
  })
})

describe('pathOf', () => {
  it('lists the nodes the bot spoke from, in order, each once in a row', () => {
    const m = (role: Message['role'], node?: string) => ({ role, node })
    expect(
      pathOf([m('assistant', 'hello'), m('assistant', 'ask'), m('user'), m('assistant', 'ask'), m('operator'), m('system', 'human'), m('assistant', 'ask')]),
    ).toEqual(['hello', 'ask', 'human', 'ask'])
    expect(pathOf([m('user'), m('operator')])).toEqual([])
  })
})
