import { describe, expect, it } from 'vitest'
import type { Graph } from '../api'
import { toFlowEdges, toFlowNodes } from './graphView'

const graph: Graph = {
  bot: 't',
  name: '',
  start: 'a',
  nodes: [
    { id: 'a', kind: 'branch', line: 4, column: 3, first_line: 4, last_line: 9, ui: null, valid: true, fields: { kind: 'branch' } },
    { id: 'b', kind: 'message', line: 10, column: 3, first_line: 10, last_line: 12, ui: { x: 5, y: 6 }, valid: false, fields: { text: 'Hi' } },
  ],
  edges: [
    { from: 'a', to: 'b', field: 'next', kind: 'next', condition: 'x == 1', line: 8, column: 13 },
    { from: 'b', to: 'a', field: 'on_timeout', kind: 'on_timeout', condition: '', line: 11, column: 5 },
    { from: 'a', to: 'gone', field: 'next', kind: 'next', line: 9, column: 13 },
  ],
  problems: [
    { line: 9, column: 13, severity: 'error', code: 'unknown_node', message: 'no gone', node: 'a' },
    { line: 1, column: 1, severity: 'warning', code: 'x', message: 'file-level', node: '' },
  ],
}

describe('graph view', () => {
  it('makes nodes with their problems, start and validity', () => {
    const nodes = toFlowNodes(graph, new Map([['a', { x: 1, y: 2 }], ['b', { x: 5, y: 6 }]]), 'b')
    expect(nodes.map((n) => [n.id, n.position, n.selected])).toEqual([
      ['a', { x: 1, y: 2 }, false],
      ['b', { x: 5, y: 6 }, true],
    ])
    expect(nodes[0]!.data).toMatchObject({ kind: 'branch', start: true, valid: true })
    expect(nodes[0]!.data.problems.map((p) => p.message)).toEqual(['no gone'])
    expect(nodes[1]!.data).toMatchObject({ summary: 'Hi', start: false, valid: false, problems: [] })
  })

  it('labels edges, dashes failure paths and drops edges to missing nodes', () => {
    const edges = toFlowEdges(graph)
    expect(edges.map((e) => [e.source, e.target, e.label])).toEqual([
      ['a', 'b', 'x == 1'],
      ['b', 'a', 'on_timeout'],
    ])
    expect(edges[0]!.style).toBeUndefined()
    expect(edges[1]!.style).toEqual({ strokeDasharray: '6 4' })
  })
})
