// The server's drawing of the text (POST /v1/flows/graph), asked for a
// moment after typing stops: the app never parses flows itself.
import { useEffect, useState } from 'react'
import { type Graph, api } from '../api'

/** How long after the last keystroke the text is drawn again. */
export const GRAPH_DEBOUNCE_MS = 250

export interface GraphState {
  /** The latest answer and the text it is for (its problems belong to that text). */
  graph: { graph: Graph; text: string } | null
  /**
   * The graph the canvas draws: the latest answer that parsed. While the
   * YAML does not parse (mid-typing, say) the canvas keeps the last flow
   * rather than blanking; problems still update.
   */
  shape: Graph | null
  /** Why the server could not be asked, when it could not. */
  graphError: string | null
  /** The latest answer is a file that does not parse. */
  syntaxError: boolean
}

export function useGraph(text: string): GraphState {
  const [graph, setGraph] = useState<GraphState['graph']>(null)
  const [shape, setShape] = useState<Graph | null>(null)
  const [graphError, setGraphError] = useState<string | null>(null)
  useEffect(() => {
    let live = true
    const t = setTimeout(() => {
      api.graph(text).then(
        (g) => {
          if (!live) return
          setGraph({ graph: g, text })
          if (!isSyntaxError(g)) setShape(g)
          setGraphError(null)
        },
        (e: Error) => live && setGraphError(e.message),
      )
    }, GRAPH_DEBOUNCE_MS)
    return () => {
      live = false
      clearTimeout(t)
    }
  }, [text])
  return { graph, shape, graphError, syntaxError: graph !== null && isSyntaxError(graph.graph) }
}

export function isSyntaxError(g: Graph): boolean {
  return g.nodes.length === 0 && g.problems.some((p) => p.code === 'yaml_syntax')
}
