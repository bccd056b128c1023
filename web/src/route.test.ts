import { describe, expect, it } from 'vitest'
import { botHref, inboxHref, parseRoute, takeAccessToken } from './route'

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

  it('takes an access token out of the hash', () => {
    expect(takeAccessToken('#/inbox')).toEqual({ token: null, hash: '#/inbox' })
    expect(takeAccessToken('')).toEqual({ token: null, hash: '' })
    expect(takeAccessToken('#access_token=a.b.c')).toEqual({ token: 'a.b.c', hash: '' })
    expect(takeAccessToken('#/inbox?access_token=a.b.c')).toEqual({ token: 'a.b.c', hash: '#/inbox' })
    expect(takeAccessToken('#/bots/desk?access_token=a.b.c&node=x')).toEqual({ token: 'a.b.c', hash: '#/bots/desk?node=x' })
    expect(takeAccessToken('#/bots/desk?node=x&access_token=a%2Eb.c')).toEqual({ token: 'a.b.c', hash: '#/bots/desk?node=x' })
    expect(takeAccessToken('#access_token=')).toEqual({ token: null, hash: '#access_token=' })
  })
})
