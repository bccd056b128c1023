import { describe, expect, it } from 'vitest'
import { parseDocument } from 'yaml'
import { deleteBotField, setBotField } from './patch'

const bot = `# The shop.
bot: shop
name: Shop   # shown in lists
variables:
  size: { type: string }
nodes:
  ask:
    kind: question
    text: Size?
    save: size
`

/** The lines of b that differ from a's line at the same number. */
function changed(a: string, b: string): string[] {
  const al = a.split('\n')
  const bl = b.split('\n')
  return bl.filter((l, i) => al[i] !== l)
}

describe('setBotField', () => {
  it('rewrites a scalar in place, keeping its comment', () => {
    const out = setBotField(bot, 'name', 'Shop of shirts')
    expect(out).toBe(bot.replace('name: Shop   # shown', 'name: Shop of shirts   # shown'))
  })

  it('adds a variable as one entry in the map, nothing else moved', () => {
    const out = setBotField(bot, 'variables', { size: { type: 'string' }, email: { type: 'string', default: '' } })
    expect(parseDocument(out).toJS().variables).toEqual({ size: { type: 'string' }, email: { type: 'string', default: '' } })
    expect(out.split('\n').length).toBe(bot.split('\n').length + 1)
    expect(changed(bot, out)[0]).toMatch(/^ {2}email: /)
    expect(out.slice(out.indexOf('nodes:'))).toBe(bot.slice(bot.indexOf('nodes:')))
  })

  it('puts a missing field just before nodes', () => {
    const out = setBotField(bot, 'start', 'ask')
    expect(out).toBe(bot.replace('nodes:\n', 'start: ask\nnodes:\n'))
    expect(changed(bot, out)[0]).toBe('start: ask')
  })

  it('removes a field with exactly its lines', () => {
    expect(deleteBotField(bot, 'variables')).toBe(bot.replace('variables:\n  size: { type: string }\n', ''))
    expect(deleteBotField(bot, 'description')).toBe(bot)
  })

  it('refuses the slug and the nodes', () => {
    expect(() => setBotField(bot, 'bot', 'other')).toThrow(/not set through/)
    expect(() => deleteBotField(bot, 'nodes')).toThrow(/not removed through/)
  })
})
