import { describe, expect, it } from 'vitest'
import type { Graph, GraphNode } from '../api'
import { diffGraphs, stable } from './graphDiff'

const node = (id: string, kind: string, fields: Record<string, unknown>, ui: GraphNode['ui'] = null): GraphNode => ({
  id,
  kind,
  fields,
  ui,
  line: 1,
  column: 1,
  first_line: 1,
  last_line: 1,
  valid: true,
})
const graph = (nodes: GraphNode[]): Graph => ({ bot: 'b', name: 'b', start: nodes[0]?.id ?? '', nodes, edges: [], problems: [] })

describe('diffGraphs', () => {
  it('marks added, removed, changed and unchanged nodes', () => {
    const older = graph([
      node('a', 'message', { text: 'Hi', next: 'b' }, { x: 0, y: 0 }),
      node('b', 'question', { text: 'Size?' }),
      node('c', 'end', {}, { x: 5, y: 6 }),
      node('k', 'message', { text: 'x' }),
    ])
    const newer = graph([
      node('a', 'message', { next: 'b', text: 'Hi' }, { x: 100, y: 0 }),
      node('b', 'question', { text: 'Which size?' }),
      node('d', 'end', {}),
      node('k', 'end', { text: 'x' }),
    ])
    const d = diffGraphs(older, newer)
    expect(Object.fromEntries(d.status)).toEqual({ a: 'same', b: 'changed', c: 'removed', d: 'added', k: 'changed' })
    expect(d.removed.map((n) => [n.id, n.ui])).toEqual([['c', { x: 5, y: 6 }]])
    expect(d.counts).toEqual({ added: 1, removed: 1, changed: 2, same: 1 })
  })
  it('finds nothing between equal graphs', () => {
    const g = graph([node('a', 'message', { text: 'Hi' })])
    expect(diffGraphs(g, g).counts).toEqual({ added: 0, removed: 0, changed: 0, same: 1 })
  })
})

describe('stable', () => {
  it('ignores key order, nested too, but not array order', () => {
    expect(stable({ a: 1, b: { y: 2, x: [1, 2] } })).toBe(stable({ b: { x: [1, 2], y: 2 }, a: 1 }))
    expect(stable({ x: [1, 2] })).not.toBe(stable({ x: [2, 1] }))
  })
})
