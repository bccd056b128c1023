// Two versions of a flow side by side: the newer one's canvas coloured by
// what changed (green added, amber changed, red removed, drawn where it
// was), and a line diff of the two YAML files. Both graphs come from the
// server (/v1/flows/graph), like the editor's own canvas.
import { Background, Controls, type Edge, ReactFlow, ReactFlowProvider } from '@xyflow/react'
import { useEffect, useMemo, useState } from 'react'
import { type Graph, api } from '../api'
import { type FlowNodeType, nodeTypes } from './FlowNode'
import { type GraphDiff, diffGraphs } from './graphDiff'
import { type FlowEdgeData, toFlowEdges, toFlowNodes } from './graphView'
import { positions } from './layout'
import { lineDiff } from './lineDiff'
import type { Side } from './Versions'

interface Props {
  slug: string
  older: Side
  newer: Side
  editorText: string
  onClose(): void
}

interface Loaded {
  texts: [string, string]
  graphs: [Graph, Graph]
}

const label = (s: Side) => (s === 'editor' ? 'the editor’s text' : `v${s}`)

export function VersionDiff({ slug, older, newer, editorText, onClose }: Props) {
  const [loaded, setLoaded] = useState<Loaded | null>(null)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    let live = true
    const text = (s: Side) => (s === 'editor' ? Promise.resolve(editorText) : api.getVersion(slug, s))
    Promise.all([text(older), text(newer)])
      .then(async (texts) => {
        const graphs = await Promise.all(texts.map((t) => api.graph(t)))
        if (live) setLoaded({ texts, graphs: [graphs[0]!, graphs[1]!] })
      })
      .catch((e: Error) => live && setError(e.message))
    return () => {
      live = false
    }
    // The editor's text is read once, when the comparison opens.
  }, [slug, older, newer])

  const diff = useMemo(() => (loaded ? diffGraphs(loaded.graphs[0], loaded.graphs[1]) : null), [loaded])
  const lines = useMemo(() => (loaded ? lineDiff(loaded.texts[0], loaded.texts[1]) : []), [loaded])

  return (
    <div className="version-diff" data-testid="version-diff">
      <div className="toolbar">
        <button data-testid="diff-close" onClick={onClose}>
          Back to editing
        </button>
        <strong>
          {label(older)} → {label(newer)}
        </strong>
        {diff && (
          <span className="small" data-testid="diff-counts">
            <span className="diff-key diff-added">{diff.counts.added} added</span>{' '}
            <span className="diff-key diff-changed">{diff.counts.changed} changed</span>{' '}
            <span className="diff-key diff-removed">{diff.counts.removed} removed</span>
          </span>
        )}
        {error && <span className="error">{error}</span>}
      </div>
      <div className="diff-panes">
        <section className="canvas-pane">
          {loaded && diff ? (
            <ReactFlowProvider>
              <DiffCanvas older={loaded.graphs[0]} newer={loaded.graphs[1]} diff={diff} />
            </ReactFlowProvider>
          ) : (
            !error && <p className="page-message muted">Loading both versions…</p>
          )}
        </section>
        <section className="line-diff" data-testid="line-diff">
          {lines.map((l, i) => (
            <div key={i} className={`diff-line diff-${l.op}`}>
              <span className="diff-no">{l.oldLine || ''}</span>
              <span className="diff-no">{l.newLine || ''}</span>
              <span className="diff-op">{l.op === 'add' ? '+' : l.op === 'del' ? '-' : ' '}</span>
              <span className="diff-text">{l.text}</span>
            </div>
          ))}
        </section>
      </div>
    </div>
  )
}

function DiffCanvas({ older, newer, diff }: { older: Graph; newer: Graph; diff: GraphDiff }) {
  const { nodes, edges } = useMemo(() => {
    const drawnNew = positions(newer.nodes, newer.edges)
    const drawnOld = positions(older.nodes, older.edges)
    // Removed nodes join the newer graph where they were, with the older graph's edges to them.
    const removedIds = new Set(diff.removed.map((n) => n.id))
    const merged: Graph = {
      ...newer,
      nodes: [...newer.nodes, ...diff.removed],
      edges: [...newer.edges, ...older.edges.filter((e) => removedIds.has(e.from) || removedIds.has(e.to))],
    }
    const pos = new Map([...drawnNew, ...diff.removed.map((n) => [n.id, drawnOld.get(n.id) ?? { x: 0, y: 0 }] as const)])
    const nodes: FlowNodeType[] = toFlowNodes(merged, pos, null).map((n) => ({
      ...n,
      className: `diff-${diff.status.get(n.id) ?? 'same'}`,
      draggable: false,
      connectable: false,
    }))
    const edges: Edge<FlowEdgeData>[] = toFlowEdges(merged).map((e) =>
      removedIds.has(e.source) || removedIds.has(e.target) ? { ...e, className: `${e.className ?? ''} diff-removed-edge` } : e,
    )
    return { nodes, edges }
  }, [older, newer, diff])

  return (
    <ReactFlow<FlowNodeType, Edge<FlowEdgeData>>
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      nodesDraggable={false}
      nodesConnectable={false}
      elementsSelectable={false}
      fitView
      minZoom={0.1}
    >
      <Background />
      <Controls showInteractive={false} />
    </ReactFlow>
  )
}
