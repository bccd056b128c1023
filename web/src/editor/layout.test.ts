import { describe, expect, it } from 'vitest'
import { NODE_HEIGHT, arrangeTargets, dagreLayout, positions } from './layout'

const edges = [
  { from: 'a', to: 'b' },
  { from: 'b', to: 'c' },
]

describe('layout', () => {
  it('lays out top to bottom', () => {
    const p = dagreLayout([{ id: 'a', ui: null }, { id: 'b', ui: null }, { id: 'c', ui: null }], edges)
    expect(p.get('a')!.y).toBeLessThan(p.get('b')!.y)
    expect(p.get('b')!.y).toBeLessThan(p.get('c')!.y)
  })

  it('keeps ui positions and puts unplaced nodes below them', () => {
    const p = positions([{ id: 'a', ui: { x: 100, y: 50 } }, { id: 'b', ui: null }, { id: 'c', ui: null }], edges)
    expect(p.get('a')).toEqual({ x: 100, y: 50 })
    expect(p.get('b')!.y).toBeGreaterThanOrEqual(50 + NODE_HEIGHT)
    expect(p.get('c')!.y).toBeGreaterThanOrEqual(50 + NODE_HEIGHT)
  })

  it('Arrange writes only nodes without ui, where they are drawn', () => {
    const nodes = [{ id: 'a', ui: { x: 0, y: 0 } }, { id: 'b', ui: null }]
    const drawn = positions(nodes, edges)
    expect(arrangeTargets(nodes, edges, false)).toEqual([{ id: 'b', pos: drawn.get('b') }])
  })

  it('Arrange all writes every node', () => {
    const nodes = [{ id: 'a', ui: { x: 999, y: 999 } }, { id: 'b', ui: null }]
    const t = arrangeTargets(nodes, edges, true)
    expect(t.map((x) => x.id)).toEqual(['a', 'b'])
    expect(t[0]!.pos).not.toEqual({ x: 999, y: 999 })
  })

  it('has nothing to arrange when every node is placed', () => {
    expect(arrangeTargets([{ id: 'a', ui: { x: 1, y: 2 } }], [], false)).toEqual([])
  })
})
