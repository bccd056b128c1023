// The graph answer of /v1/flows/graph turned into React Flow nodes and edges.
import { MarkerType, type Edge } from '@xyflow/react'
import type { Graph } from '../api'
import type { FlowNodeType } from './FlowNode'
import type { Position } from './layout'
import { keyText } from './schemaFields'

const DASHED = new Set(['on_timeout', 'on_error', 'on_invalid', 'on_reject'])

export function toFlowNodes(graph: Graph, pos: Map<string, Position>, selected: string | null): FlowNodeType[] {
  return graph.nodes.map((n) => ({
    id: n.id,
    type: 'flow',
    position: pos.get(n.id) ?? { x: 0, y: 0 },
    selected: n.id === selected,
    data: {
      kind: n.kind,
      summary: keyText(n.fields),
      problems: graph.problems.filter((p) => p.node === n.id),
      valid: n.valid,
      start: n.id === graph.start,
    },
  }))
}

export interface FlowEdgeData extends Record<string, unknown> {
  field: string
  kind: string
}

export function toFlowEdges(graph: Graph): Edge<FlowEdgeData>[] {
  const ids = new Set(graph.nodes.map((n) => n.id))
  return graph.edges
    .filter((e) => ids.has(e.from) && ids.has(e.to))
    .map((e, i) => {
      const label = [e.kind !== 'next' ? e.kind : '', e.condition ?? ''].filter(Boolean).join(': ')
      return {
        id: `${e.from}>${e.to}#${i}`,
        source: e.from,
        target: e.to,
        label: label || undefined,
        className: `edge-${e.kind}`,
        style: DASHED.has(e.kind) || e.error_path ? { strokeDasharray: '6 4' } : undefined,
        markerEnd: { type: MarkerType.ArrowClosed },
        data: { field: e.field, kind: e.kind },
      }
    })
}
