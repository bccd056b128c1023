import { describe, expect, it } from 'vitest'
import { botHref, inboxHref, parseRoute } from './route'

describe('routes', () => {
  it('parses the hash', () => {
    expect(parseRoute('')).toEqual({ page: 'bots' })
    expect(parseRoute('#/')).toEqual({ page: 'bots' })
    expect(parseRoute('#/bots/support')).toEqual({ page: 'editor', slug: 'support', node: null })
    expect(parseRoute(botHref('a b'))).toEqual({ page: 'editor', slug: 'a b', node: null })
    expect(parseRoute(botHref('desk', 'human'))).toEqual({ page: 'editor', slug: 'desk', node: 'human' })
    expect(parseRoute(botHref('desk', 'human', ['ask', 'a,b', 'human']))).toEqual({
      page: 'editor',
      slug: 'desk',
      node: 'human',
      path: ['ask', 'a,b', 'human'],
    })
  })

  it('parses the inbox and its open dialog', () => {
    expect(parseRoute('#/inbox')).toEqual({ page: 'inbox', dialog: null })
    expect(parseRoute('#/inbox/')).toEqual({ page: 'inbox', dialog: null })
    expect(parseRoute(inboxHref('0b6c-1'))).toEqual({ page: 'inbox', dialog: '0b6c-1' })
    expect(inboxHref(null)).toBe('#/inbox')
    expect(parseRoute('#/inboxes')).toEqual({ page: 'bots' })
  })
})
