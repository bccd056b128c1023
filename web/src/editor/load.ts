// Which text the editor opens: the draft when there is one, else the
// published flow, else (never published) a minimal bot to start from.
import { ApiError, api } from '../api'

export interface Loaded {
  text: string
  /** The draft's checksum for If-Match; null when there is no draft yet. */
  checksum: string | null
  source: 'draft' | 'published' | 'new'
  author?: string
}

export async function loadBot(slug: string): Promise<Loaded> {
  try {
    const d = await api.getDraft(slug)
    return { text: d.source, checksum: d.checksum, source: 'draft', author: d.author }
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404)) throw e
  }
  try {
    return { text: await api.getFlow(slug), checksum: null, source: 'published' }
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404)) throw e
  }
  return { text: newBotText(slug), checksum: null, source: 'new' }
}

export function newBotText(slug: string): string {
  return `bot: ${slug}\nstart: hello\nnodes:\n  hello:\n    kind: message\n    text: Hello!\n`
}
