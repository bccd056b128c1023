import { describe, expect, it } from 'vitest'
import { nodeIds } from '../yaml/patch'
import { parseCopy, pasteNode, serializeCopy } from './clipboard'

const src = `bot: t
start: greet
nodes:
  greet:
    kind: message
    text: Hi
    next: ask
  ask:
    kind: question
    text: Name?
`

describe('clipboard', () => {
  const copy = { id: 'greet', kind: 'message', fields: { kind: 'message', next: 'ask', on_error: 'x', text: 'Hi', ui: { x: 1, y: 2 } } }

  it('round-trips through text and rejects other text', () => {
    expect(parseCopy(serializeCopy(copy))).toEqual(copy)
    expect(parseCopy('hello')).toBeNull()
    expect(parseCopy('{"id": "x"}')).toBeNull()
  })

  it('pastes under a free id at the given position, appending only lines', () => {
    const { text, id } = pasteNode(src, copy, { x: 40.4, y: 80 })
    expect(id).toBe('greet_2')
    expect(nodeIds(text)).toEqual(['greet', 'ask', 'greet_2'])
    expect(text.startsWith(src)).toBe(true)
    expect(text.slice(src.length)).toBe('  greet_2:\n    kind: message\n    text: Hi\n    on_error: x\n    next: ask\n    ui:\n      x: 40\n      y: 80\n')
  })

  it('keeps the id when it is free', () => {
    expect(pasteNode(src, { ...copy, id: 'other' }, { x: 0, y: 0 }).id).toBe('other')
  })
})
