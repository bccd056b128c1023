import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import type { Dialog } from '../api'
import { Composer } from './Composer'
import { Transcript } from './Transcript'

// Server renders run no effects: they check what the first render shows.
const dialog: Dialog = {
  id: 'd1',
  number: 1,
  bot: 'desk',
  version: 1,
  status: 'operator',
  mode: 'operator',
  handoff: { status: 'active', reason: 'Refund' },
  node: 'human',
  title: '',
  variables: {},
  data: [],
  messages: [
    { id: '1', role: 'user', text: 'A-17', created_at: '2026-01-01T10:00:00Z' },
    { id: '2', role: 'operator', text: 'On it', created_at: '2026-01-01T10:02:00Z' },
  ],
  notes: [{ id: 1, operator: { id: 'user:1', name: 'Kate' }, text: 'VIP', created_at: '2026-01-01T10:01:00Z' }],
}

describe('inbox first renders', () => {
  it('marks notes as never sent and styles each role', () => {
    const html = renderToStaticMarkup(<Transcript dialog={dialog} typing={null} />)
    expect(html).toContain('data-testid="transcript"')
    expect(html).toContain('note: never sent to the user')
    expect(html).toContain('msg-user')
    expect(html).toContain('msg-operator')
    expect(html.indexOf('A-17')).toBeLessThan(html.indexOf('VIP'))
    expect(html.indexOf('VIP')).toBeLessThan(html.indexOf('On it'))
  })

  it('has the composer controls', () => {
    const html = renderToStaticMarkup(<Composer dialogId="d1" onSent={() => {}} />)
    for (const id of ['composer', 'composer-mode-note', 'composer-send']) expect(html).toContain(`data-testid="${id}"`)
  })
})
