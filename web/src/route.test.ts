import { describe, expect, it } from 'vitest'
import { botHref, parseRoute } from './route'

describe('routes', () => {
  it('parses the hash', () => {
    expect(parseRoute('')).toEqual({ page: 'bots' })
    expect(parseRoute('#/')).toEqual({ page: 'bots' })
    expect(parseRoute('#/bots/support')).toEqual({ page: 'editor', slug: 'support' })
    expect(parseRoute(botHref('a b'))).toEqual({ page: 'editor', slug: 'a b' })
  })
})
