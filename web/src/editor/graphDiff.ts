// What changed between two graphs of a flow (two versions, or a version and
// the editor's text), node by node, for the diff view's colouring. Pure, so
// it is tested without a canvas.
import type { Graph, GraphNode } from '../api'

export type NodeChange = 'added' | 'removed' | 'changed' | 'same'

export interface GraphDiff {
  /** Every node of either graph by id. */
  status: Map<string, NodeChange>
  /** Nodes only the older graph has, to draw at their old position. */
  removed: GraphNode[]
  counts: Record<NodeChange, number>
}

/** A node changed when its kind or its fields differ (its `ui` position alone is not a change). */
export function diffGraphs(older: Graph, newer: Graph): GraphDiff {
  const before = new Map(older.nodes.map((n) => [n.id, n]))
  const after = new Set(newer.nodes.map((n) => n.id))
  const status = new Map<string, NodeChange>()
  const counts: Record<NodeChange, number> = { added: 0, removed: 0, changed: 0, same: 0 }
  for (const n of newer.nodes) {
    const old = before.get(n.id)
    const s: NodeChange = !old ? 'added' : old.kind !== n.kind || stable(old.fields) !== stable(n.fields) ? 'changed' : 'same'
    status.set(n.id, s)
    counts[s]++
  }
  const removed = older.nodes.filter((n) => !after.has(n.id))
  for (const n of removed) {
    status.set(n.id, 'removed')
    counts.removed++
  }
  return { status, removed, counts }
}

/** JSON with object keys sorted, so field order in the file does not count as a change. */
export function stable(v: unknown): string {
  return JSON.stringify(v, (_, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  )
}
