// Where nodes are drawn. A node's `ui` in the file wins; nodes without one are
// laid out top-to-bottom with dagre (a conversation reads downwards, and the canvas pane is taller than wide). Computed positions stay in memory: the
// file only changes when the user presses Arrange (arrangeTargets).
import dagre from '@dagrejs/dagre'

export interface Position {
  x: number
  y: number
}

export interface LayoutNode {
  id: string
  ui: Position | null
}

export interface LayoutEdge {
  from: string
  to: string
}

export const NODE_WIDTH = 220
export const NODE_HEIGHT = 80
const GAP = 80

/** Top-left positions of a top-to-bottom dagre layout of the given nodes and the edges between them. */
export function dagreLayout(nodes: LayoutNode[], edges: LayoutEdge[]): Map<string, Position> {
  const g = new dagre.graphlib.Graph()
  g.setGraph({ rankdir: 'TB', nodesep: 40, ranksep: 60 })
  g.setDefaultEdgeLabel(() => ({}))
  const ids = new Set(nodes.map((n) => n.id))
  for (const n of nodes) g.setNode(n.id, { width: NODE_WIDTH, height: NODE_HEIGHT })
  for (const e of edges) if (ids.has(e.from) && ids.has(e.to) && e.from !== e.to) g.setEdge(e.from, e.to)
  dagre.layout(g)
  const out = new Map<string, Position>()
  for (const n of nodes) {
    const p = g.node(n.id) as { x: number; y: number } | undefined
    // dagre gives centres; React Flow wants top-left corners.
    out.set(n.id, p ? { x: Math.round(p.x - NODE_WIDTH / 2), y: Math.round(p.y - NODE_HEIGHT / 2) } : { x: 0, y: 0 })
  }
  return out
}

/**
 * Every node's position: its `ui`, or for nodes without one a dagre layout
 * of those nodes, placed below the nodes that have one so they don't overlap.
 */
export function positions(nodes: LayoutNode[], edges: LayoutEdge[]): Map<string, Position> {
  const out = new Map<string, Position>()
  const unplaced = nodes.filter((n) => !n.ui)
  let bottom = -Infinity
  let left = Infinity
  for (const n of nodes) {
    if (!n.ui) continue
    out.set(n.id, n.ui)
    bottom = Math.max(bottom, n.ui.y + NODE_HEIGHT)
    left = Math.min(left, n.ui.x)
  }
  if (unplaced.length === 0) return out
  const laid = dagreLayout(unplaced, edges)
  const dy = Number.isFinite(bottom) ? bottom + GAP : 0
  const dx = Number.isFinite(left) ? left : 0
  for (const n of unplaced) {
    const p = laid.get(n.id) ?? { x: 0, y: 0 }
    out.set(n.id, { x: p.x + dx, y: p.y + dy })
  }
  return out
}

/**
 * The `ui` positions Arrange writes: for the nodes without one, where they are
 * drawn now (so nothing moves); with `all`, a fresh dagre layout of every node.
 */
export function arrangeTargets(
  nodes: LayoutNode[],
  edges: LayoutEdge[],
  all: boolean,
): { id: string; pos: Position }[] {
  if (all) {
    const laid = dagreLayout(nodes, edges)
    return nodes.map((n) => ({ id: n.id, pos: laid.get(n.id) ?? { x: 0, y: 0 } }))
  }
  const drawn = positions(nodes, edges)
  return nodes.filter((n) => !n.ui).map((n) => ({ id: n.id, pos: drawn.get(n.id) ?? { x: 0, y: 0 } }))
}
