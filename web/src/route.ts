// Hash routing (#/, #/bots/:slug, #/inbox, #/inbox/:dialog): the Go server
// then only serves index.html and the assets under /ui/, whatever the route.
import { useEffect, useState } from 'react'

export type Route =
  | { page: 'bots' }
  // node: to centre on, from ?node=; path: the nodes a dialog went through, from &path=a,b
  | { page: 'editor'; slug: string; node: string | null; path?: string[] }
  | { page: 'inbox'; dialog: string | null }

export function parseRoute(hash: string): Route {
  const m = /^#\/bots\/([^/?#]+)(?:\?node=([^&#]+))?(?:&path=([^&#]+))?/.exec(hash)
  if (m?.[1]) {
    const route: Route = { page: 'editor', slug: decodeURIComponent(m[1]), node: m[2] ? decodeURIComponent(m[2]) : null }
    if (m[3]) route.path = m[3].split(',').map(decodeURIComponent)
    return route
  }
  const inbox = /^#\/inbox(?:\/([^/?#]+))?\/?$/.exec(hash)
  if (inbox) return { page: 'inbox', dialog: inbox[1] ? decodeURIComponent(inbox[1]) : null }
  return { page: 'bots' }
}

export function botHref(slug: string, node?: string, path?: string[]): string {
  let at = node ? `?node=${encodeURIComponent(node)}` : ''
  if (at && path?.length) at += `&path=${path.map(encodeURIComponent).join(',')}`
  return `#/bots/${encodeURIComponent(slug)}${at}`
}

export function inboxHref(dialog?: string | null): string {
  return dialog ? `#/inbox/${encodeURIComponent(dialog)}` : '#/inbox'
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash))
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash))
    window.addEventListener('hashchange', onChange)
    return () => window.removeEventListener('hashchange', onChange)
  }, [])
  return route
}

// takeAccessToken finds a JWT handed to the app in the hash, alone
// (#access_token=<jwt>) or after a route (#/inbox?access_token=<jwt>), and
// returns it with the hash left without it. The hash, unlike a query, is
// never sent to a server or written in its logs.
export function takeAccessToken(hash: string): { token: string | null; hash: string } {
  const m = /([#?&])access_token=([^&]*)&?/.exec(hash)
  if (!m?.[2]) return { token: null, hash }
  const before = hash.slice(0, m.index + (m[1] === '#' ? 1 : 0))
  const after = hash.slice(m.index + m[0].length)
  let rest = before + (m[1] === '&' && after ? '&' : m[1] === '?' && after ? '?' : '') + after
  if (rest === '#') rest = ''
  return { token: decodeURIComponent(m[2]), hash: rest }
}
