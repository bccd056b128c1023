// Copy, paste and duplicate of nodes. A copied node is its id and fields as
// plain JSON (what /v1/flows/graph reported), so it can go through the
// system clipboard as text and back; pasting inserts it under a free id.
import { REF_FIELDS, insertNode, nodeIds, uniqueId, type YamlValue } from '../yaml/patch'
import type { Position } from './layout'

export interface CopiedNode {
  id: string
  kind: string
  fields: Record<string, unknown>
}

const MARK = 'parley/node'

export function serializeCopy(node: CopiedNode): string {
  return JSON.stringify({ type: MARK, ...node })
}

/** A copied node from clipboard text, or null when the text is something else. */
export function parseCopy(text: string): CopiedNode | null {
  try {
    const v = JSON.parse(text) as Partial<CopiedNode> & { type?: string }
    if (v.type !== MARK || typeof v.id !== 'string' || typeof v.kind !== 'string') return null
    if (!v.fields || typeof v.fields !== 'object' || Array.isArray(v.fields)) return null
    return { id: v.id, kind: v.kind, fields: v.fields }
  } catch {
    return null
  }
}

/** Insert a copy of a node at `pos`; its id is renamed when taken. Returns the new text and id. */
export function pasteNode(src: string, node: CopiedNode, pos: Position): { text: string; id: string } {
  const id = uniqueId(nodeIds(src), node.id)
  // The graph answer lists fields alphabetically; write them in the usual
  // reading order instead: kind, content, then where the flow goes.
  const keys = Object.keys(node.fields).filter((k) => k !== 'kind' && k !== 'ui' && node.fields[k] !== undefined)
  const rank = (k: string) => (k === 'next' ? 2 : REF_FIELDS.includes(k) ? 1 : 0)
  keys.sort((a, b) => rank(a) - rank(b))
  const fields: Record<string, YamlValue> = { kind: node.kind }
  for (const k of keys) fields[k] = node.fields[k] as YamlValue
  fields.ui = { x: Math.round(pos.x), y: Math.round(pos.y) }
  return { text: insertNode(src, id, fields), id }
}
