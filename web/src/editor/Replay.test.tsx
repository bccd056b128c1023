import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import type { Replay } from '../api'
import { ReplayPanel } from './Replay'

const result: Replay = {
  bot: 'shop',
  checksum: 'c',
  replayed: 3,
  changed: 1,
  dialogs: [
    { id: 'a', number: 7, turns: 2, replayed_turns: 2, first_difference: { turn: 1, user_text: 'M', message: 'the bot said X, want Y' } },
    { id: 'b', number: 8, turns: 1, replayed_turns: 1, first_difference: null },
    { id: 'c', number: 9, turns: 3, replayed_turns: 1, stopped: 'an operator joined', first_difference: null },
  ],
}

const render = (r: Parameters<typeof ReplayPanel>[0]['replay']) =>
  renderToStaticMarkup(<ReplayPanel replay={r} onClose={() => {}} />)

describe('ReplayPanel', () => {
  it('lists the changed dialogs and folds the unchanged ones', () => {
    const html = render({ state: 'done', result })
    expect(html).toContain('<strong>1 of 3</strong> recent dialogs would go differently.')
    expect(html.match(/data-testid="replay-changed"/g)).toHaveLength(1)
    expect(html).toContain('#7')
    expect(html).toContain('the bot said X, want Y')
    expect(html).toContain('<summary>2 unchanged dialogs</summary>')
    expect(html).toContain('(an operator joined)')
  })
  it('says when there is nothing to replay, and shows refusals', () => {
    expect(render({ state: 'done', result: { ...result, replayed: 0, changed: 0, dialogs: [] } })).toContain(
      'No real dialogs to replay yet.',
    )
    expect(render({ state: 'error', message: 'Not replayed: the draft has errors', problems: 2 })).toContain(
      'Not replayed: the draft has errors (2 problems',
    )
  })
})
