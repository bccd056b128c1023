// The signed-in session, shared through context. On load GET /v1/session
// tells whether a cookie is still good; 401 means show the login page.
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react'
import { ApiError, type Session, api, setCsrfToken } from './api'
import { takeAccessToken } from './route'

interface SessionState {
  /** undefined while the first check runs, null when signed out. */
  session: Session | null | undefined
  error: string | null
  signIn(email: string, password: string): Promise<void>
  signOut(): Promise<void>
}

const SessionContext = createContext<SessionState | null>(null)

// The app opened with a JWT in the hash (a ReplyX front end's link) trades
// it for a session. It is taken out of the address bar and the history as
// this module loads, before anything reads the route from the hash.
let linkToken: string | null = (() => {
  const { token, hash } = takeAccessToken(window.location.hash)
  if (token) window.history.replaceState(null, '', window.location.pathname + window.location.search + hash)
  return token
})()

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null | undefined>(undefined)
  const [error, setError] = useState<string | null>(null)

  const adopt = useCallback((s: Session | null) => {
    setCsrfToken(s?.csrf_token ?? '')
    setSession(s)
  }, [])

  useEffect(() => {
    const token = linkToken
    linkToken = null // used once: a later mount checks the cookie
    const first = token ? api.signInWithToken(token) : api.getSession()
    first.then(adopt, (e: unknown) => {
      if (!(e instanceof ApiError && e.status === 401)) setError(String((e as Error).message))
      else if (token) setError('The link’s access token is expired or signed out: sign in with your email and password.')
      adopt(null)
    })
  }, [adopt])

  const signIn = useCallback(
    async (email: string, password: string) => {
      adopt(await api.signIn(email, password))
      setError(null)
    },
    [adopt],
  )

  const signOut = useCallback(async () => {
    try {
      await api.signOut()
    } finally {
      adopt(null)
    }
  }, [adopt])

  return <SessionContext value={{ session, error, signIn, signOut }}>{children}</SessionContext>
}

export function useSession(): SessionState {
  const s = useContext(SessionContext)
  if (!s) throw new Error('useSession outside SessionProvider')
  return s
}
