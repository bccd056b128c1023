import { describe, expect, it } from 'vitest'
import { SLUG, newBotSource } from './newBot'

describe('newBotSource', () => {
  it('renames the template bot and keeps the rest byte for byte', () => {
    const src = '# yaml-language-server: $schema=x\nbot: support\nname: Support\nnodes: {}\n'
    expect(newBotSource('help', { id: 'support', source: src })).toBe(
      '# yaml-language-server: $schema=x\nbot: help\nname: Support\nnodes: {}\n',
    )
  })
  it('starts a blank bot with one message', () => {
    expect(newBotSource('blank')).toBe('bot: blank\nnodes:\n  hello:\n    kind: message\n    text: Hello!\n')
  })
  it('takes slugs the server takes', () => {
    expect(SLUG.test('my-bot_2')).toBe(true)
    expect(SLUG.test('My Bot')).toBe(false)
    expect(SLUG.test('2bot')).toBe(false)
  })
})
