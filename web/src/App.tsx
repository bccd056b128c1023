import { Suspense, lazy } from 'react'
import { Bots } from './pages/Bots'
import { Login } from './pages/Login'
import { useRoute } from './route'
import { useSession } from './session'

// The editor (CodeMirror, React Flow, dagre, yaml) is most of the bundle:
// loaded only when a bot is opened, so sign-in and the bots list come up fast.
const Editor = lazy(() => import('./editor/Editor').then((m) => ({ default: m.Editor })))

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
          <Editor key={route.slug} slug={route.slug} readOnly={session.role === 'viewer'} />
        </Suspense>
      ) : (
        <Bots />
      )}
    </div>
  )
}
