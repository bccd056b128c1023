import { Suspense, lazy } from 'react'
import { Bots } from './pages/Bots'
import { Login } from './pages/Login'
import { inboxHref, useRoute } from './route'
import { useSession } from './session'

// The editor (CodeMirror, React Flow, dagre, yaml) is most of the bundle:
// loaded only when a bot is opened, so sign-in and the bots list come up fast.
const Editor = lazy(() => import('./editor/Editor').then((m) => ({ default: m.Editor })))
// The inbox is a chunk of its own too: authors who only edit flows never load it.
const Inbox = lazy(() => import('./inbox/Inbox').then((m) => ({ default: m.Inbox })))

export function App() {
  const { session, signOut } = useSession()
  const route = useRoute()
  if (session === undefined) return <p className="page-message">Loading…</p>
  if (session === null) return <Login />
  return (
    <div className="app">
      <header className="topbar">
        <a href="#/" className="brand">
          Parley
        </a>
        <a href="#/" data-testid="nav-bots" className={route.page === 'bots' ? 'current' : ''}>
          Bots
        </a>
        <a href={inboxHref()} data-testid="nav-inbox" className={route.page === 'inbox' ? 'current' : ''}>
          Inbox
        </a>
        {route.page === 'editor' && <span className="crumb">/ {route.slug}</span>}
        <span className="spacer" />
        <span data-testid="user-email">{session.user.email}</span>
        {session.role === 'viewer' && <span className="badge-viewer">read-only</span>}
        <button data-testid="sign-out" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      {route.page === 'editor' ? (
        <Suspense fallback={<p className="page-message">Loading the editor…</p>}>
          <Editor key={route.slug} slug={route.slug} focus={route.node} path={route.path} readOnly={session.role === 'viewer'} />
        </Suspense>
      ) : route.page === 'inbox' ? (
        <Suspense fallback={<p className="page-message">Loading the inbox…</p>}>
          <Inbox session={session} openId={route.dialog} />
        </Suspense>
      ) : (
        <Bots />
      )}
    </div>
  )
}
