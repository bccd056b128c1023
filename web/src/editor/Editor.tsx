// The flow editor page: YAML text and canvas side by side, always in step.
//
// The text is the single source of truth. Every canvas or form action is a
// minimal patch of it (yaml/patch.ts) dispatched to CodeMirror, whose history
// is therefore the one undo stack. Each text change is sent (debounced) to
// /v1/flows/graph, and the canvas, badges, lint and problems list are drawn
// from that answer; the UI never parses or validates the flow itself.
import { redo, undo } from '@codemirror/commands'
import { EditorView } from '@codemirror/view'
import {
  Background,
  type Connection,
  Controls,
  type Edge,
  MiniMap,
  type OnSelectionChangeParams,
  ReactFlow,
  ReactFlowProvider,
  useEdgesState,
  useNodesState,
  useReactFlow,
} from '@xyflow/react'
import { parseDocument } from 'yaml'
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { ApiError, type Problem, api } from '../api'
import {
  type FieldValue,
  REF_FIELDS,
  deleteBotField,
  deleteField,
  deleteNode,
  insertNode,
  nodeIds as fileNodeIds,
  renameNode,
  setBotField,
  setField,
  setNodeUI,
  uniqueId,
} from '../yaml/patch'
import { type FlowNodeType, nodeTypes } from './FlowNode'
import { type CopiedNode, parseCopy, pasteNode, serializeCopy } from './clipboard'
import { patchSpec } from './cm'
import { type FlowEdgeData, toFlowEdges, toFlowNodes } from './graphView'
import { NODE_HEIGHT, NODE_WIDTH, arrangeTargets, positions } from './layout'
import { type Loaded, loadBot } from './load'
import { Help, NodeSearch } from './Overlays'
import { NodeForm } from './NodeForm'
import { ProblemsList } from './ProblemsList'
import { type ReplayState, ReplayPanel } from './Replay'
import { newNodeFields, nodeKinds } from './schemaFields'
import { TestChat } from './TestChat'
import { VersionDiff } from './VersionDiff'
import { type Side, VersionsPanel } from './Versions'
import { TestsPanel } from './TestsPanel'
import { BotForm } from './BotForm'
import { useEditorKeys } from './shortcuts'
import { GRAPH_DEBOUNCE_MS, useGraph } from './useGraph'
import { type SidePanel, type Status, Toolbar } from './Toolbar'
import { YamlEditor } from './YamlEditor'

interface EditorProps {
  slug: string
  readOnly: boolean
  /** A node to centre on and select once the graph is drawn (the inbox's "open on canvas"). */
  focus?: string | null
  /** The nodes a dialog went through, marked on the canvas (the inbox's "open on canvas"). */
  path?: string[]
}

export function Editor({ slug, readOnly, focus = null, path }: EditorProps) {
  const [loaded, setLoaded] = useState<Loaded | null>(null)
  const [error, setError] = useState<string | null>(null)
  // Bumped to reload (after publishing, or when the user asks after a 409).
  const [generation, setGeneration] = useState(0)

  useEffect(() => {
    let live = true
    setLoaded(null)
    loadBot(slug).then(
      (l) => live && setLoaded(l),
      (e: Error) => live && setError(e.message),
    )
    return () => {
      live = false
    }
  }, [slug, generation])

  if (error) return <p className="error page-message">{error}</p>
  if (!loaded) return <p className="page-message">Loading {slug}…</p>
  return (
    <ReactFlowProvider>
      <Workspace
        key={generation}
        slug={slug}
        readOnly={readOnly}
        loaded={loaded}
        focus={focus}
        path={path}
        onReload={() => setGeneration((g) => g + 1)}
      />
    </ReactFlowProvider>
  )
}

interface WorkspaceProps {
  slug: string
  readOnly: boolean
  loaded: Loaded
  focus?: string | null
  path?: string[]
  onReload(): void
}

export function Workspace({ slug, readOnly, loaded, focus = null, path, onReload }: WorkspaceProps) {
  const viewRef = useRef<EditorView | null>(null)
  const canvasRef = useRef<HTMLDivElement>(null)
  const flow = useReactFlow<FlowNodeType, Edge<FlowEdgeData>>()

  const [text, setText] = useState(loaded.text)
  const [selectedId, setSelectedId] = useState<string | null>(null)
  const [selectedEdge, setSelectedEdge] = useState<Edge<FlowEdgeData> | null>(null)
  const [checksum, setChecksum] = useState(loaded.checksum)
  const [savedText, setSavedText] = useState(loaded.text)
  const [status, setStatus] = useState<Status>(
    loaded.source === 'draft'
      ? { tone: 'info', message: `Editing the draft${loaded.author ? ` last saved by ${loaded.author}` : ''}.` }
      : { tone: 'info', message: `No draft: editing the ${loaded.source === 'new' ? 'new' : 'published'} flow.` },
  )
  const [publishProblems, setPublishProblems] = useState<Problem[] | null>(null)
  const [busy, setBusy] = useState(false)
  const [overlay, setOverlay] = useState<'help' | 'search' | null>(null)
  // The side panel shown right of the form; the test chat stays mounted
  // (its dialog kept) while another panel is in front of it.
  const [side, setSide] = useState<SidePanel | null>(null)
  const [chatOpened, setChatOpened] = useState(false)
  const [waitingAt, setWaitingAt] = useState<string | null>(null)
  /** Nodes where the last test run failed, marked while the tests are in front. */
  const [failedAt, setFailedAt] = useState<string[]>([])
  /** Bumped when the test chat saved a test, for the tests panel to reload. */
  const [testsGeneration, setTestsGeneration] = useState(0)
  const [replay, setReplay] = useState<ReplayState | null>(null)
  /** The text the last replay ran on: Publish offers a replay when the text moved on since. */
  const [replayedText, setReplayedText] = useState<string | null>(null)
  const [diff, setDiff] = useState<{ older: Side; newer: Side } | null>(null)
  const copied = useRef<CopiedNode | null>(null)
  const unsaved = text !== savedText

  // ---- graph ----

  const { graph, shape: g, graphError, syntaxError } = useGraph(text)
  const drawn = useMemo(() => (g ? positions(g.nodes, g.edges) : new Map<string, { x: number; y: number }>()), [g])
  const [nodes, setNodes, onNodesChange] = useNodesState<FlowNodeType>([])
  // Edges are state too, only so React Flow can mark one selected (for Delete).
  const [edges, setEdges, onEdgesChange] = useEdgesState<Edge<FlowEdgeData>>([])
  useEffect(() => setEdges(g ? toFlowEdges(g) : []), [g, setEdges])
  const selectedRef = useRef(selectedId)
  selectedRef.current = selectedId

  useEffect(() => {
    if (!g) return
    // Keep the measured sizes: fresh node objects without them would be hidden until measured again.
    setNodes((prev) => {
      const measured = new Map(prev.map((n) => [n.id, n.measured]))
      return toFlowNodes(g, drawn, selectedRef.current).map((n) => ({ ...n, measured: measured.get(n.id) }))
    })
  }, [g, drawn, setNodes])

  // Outline the node the test dialog waits at, while the chat is in front;
  // mark the path a dialog took when the inbox opened it here.
  const outlined = side === 'chat' ? waitingAt : null
  const pathKey = path?.join('\n') ?? ''
  const failedKey = side === 'tests' ? failedAt.join('\n') : ''
  useEffect(() => {
    const onPath = new Set(pathKey ? pathKey.split('\n') : [])
    const failed = new Set(failedKey ? failedKey.split('\n') : [])
    setNodes((ns) =>
      ns.map((n) => {
        const classes = [
          n.id === outlined && 'test-waiting',
          onPath.has(n.id) && 'on-path',
          failed.has(n.id) && 'test-failed',
        ].filter(Boolean)
        const className = classes.length ? classes.join(' ') : undefined
        return n.className === className ? n : { ...n, className }
      }),
    )
  }, [g, outlined, pathKey, failedKey, setNodes])

  // Fit the first drawing into view once React Flow has measured it.
  const fitted = useRef(false)
  useEffect(() => {
    if (!g || fitted.current) return
    const t = setTimeout(() => {
      fitted.current = true
      void flow.fitView()
    }, 100)
    return () => clearTimeout(t)
  }, [g, flow])

  const select = useCallback(
    (id: string | null) => {
      setSelectedId(id)
      setNodes((ns) => ns.map((n) => (n.selected === (n.id === id) ? n : { ...n, selected: n.id === id })))
    },
    [setNodes],
  )

  const onSelectionChange = useCallback(({ nodes: ns, edges: es }: OnSelectionChangeParams) => {
    // An empty selection (a re-render, an edge click) keeps the form; a pane click clears it (onPaneClick).
    if (ns[0]) setSelectedId(ns[0].id)
    setSelectedEdge((es[0] as Edge<FlowEdgeData> | undefined) ?? null)
  }, [])

  // ---- edits ----

  /** Apply a patch of the current text as one CodeMirror change (one undo step). */
  const edit = useCallback(
    (patch: (src: string) => string): boolean => {
      const view = viewRef.current
      if (!view || readOnly) return false
      try {
        const spec = patchSpec(view.state, patch(view.state.doc.toString()))
        if (spec) view.dispatch(spec)
        setStatus((s) => (s?.tone === 'error' ? null : s))
        return true
      } catch (e) {
        setStatus({ tone: 'error', message: (e as Error).message })
        return false
      }
    },
    [readOnly],
  )

  const canvasCentre = useCallback(() => {
    const r = canvasRef.current?.getBoundingClientRect()
    if (!r) return { x: 0, y: 0 }
    const p = flow.screenToFlowPosition({ x: r.left + r.width / 2, y: r.top + r.height / 2 })
    return { x: p.x - NODE_WIDTH / 2, y: p.y - NODE_HEIGHT / 2 }
  }, [flow])

  const addNode = (kind: string) => {
    let id = ''
    const ok = edit((src) => {
      id = uniqueId(fileNodeIds(src), kind)
      const pos = canvasCentre()
      return insertNode(src, id, { ...newNodeFields(kind), ui: { x: Math.round(pos.x), y: Math.round(pos.y) } })
    })
    if (ok) setSelectedId(id)
  }

  const onConnect = (c: Connection) => {
    if (!c.source || !c.target) return
    const current = g?.nodes.find((n) => n.id === c.source)?.fields.next
    if (Array.isArray(current)) {
      // Which condition leads there is the author's to say: in the form.
      setSelectedId(c.source)
      setStatus({ tone: 'info', message: `${c.source} has a conditional next: add a condition for ${c.target} under Next in its form.` })
      return
    }
    edit((src) => setField(src, c.source, 'next', c.target))
  }

  const onDragStop = (_: unknown, __: FlowNodeType, dragged: FlowNodeType[]) => {
    edit((src) => dragged.reduce((s, n) => setNodeUI(s, n.id, n.position), src))
  }

  const deleteSelection = () => {
    if (selectedEdge?.data && REF_FIELDS.includes(selectedEdge.data.field)) {
      const { source, target, data } = selectedEdge
      const value = g?.nodes.find((n) => n.id === source)?.fields[data.field]
      if (value === target) {
        edit((src) => deleteField(src, source, data.field))
        setSelectedEdge(null)
        return
      }
    }
    const chosen = nodes.filter((n) => n.selected).map((n) => n.id)
    if (chosen.length === 0) return
    if (edit((src) => chosen.reduce((s, id) => deleteNode(s, id), src))) select(null)
  }

  const copySelected = (): CopiedNode | null => {
    const n = g?.nodes.find((x) => x.id === selectedId)
    if (!n) return null
    const c: CopiedNode = { id: n.id, kind: n.kind, fields: n.fields }
    copied.current = c
    // The system clipboard is best effort (it needs a secure context); the buffer always works.
    void navigator.clipboard?.writeText(serializeCopy(c)).catch(() => {})
    return c
  }

  const paste = async (c: CopiedNode | null, offsetFrom?: string) => {
    // This tab's buffer first: reading the system clipboard may prompt the
    // user, so it is only tried for a node copied in another tab.
    if (!c) c = copied.current
    if (!c) {
      const fromClipboard = await navigator.clipboard?.readText().catch(() => '')
      c = fromClipboard ? parseCopy(fromClipboard) : null
    }
    if (!c) return
    const base = offsetFrom ? nodes.find((n) => n.id === offsetFrom)?.position : undefined
    const pos = base ? { x: base.x + 40, y: base.y + 40 } : canvasCentre()
    let id = ''
    const node = c
    const ok = edit((src) => {
      const r = pasteNode(src, node, pos)
      id = r.id
      return r.text
    })
    if (ok) setSelectedId(id)
  }

  const setBotFieldOf = (key: string, value: FieldValue | undefined) =>
    edit((src) => (value === undefined ? deleteBotField(src, key) : setBotField(src, key, value)))

  const setNodeField = (key: string, value: FieldValue | undefined) => {
    if (!selectedId) return
    edit((src) => (value === undefined ? deleteField(src, selectedId, key) : setField(src, selectedId, key, value)))
  }

  const rename = (newId: string) => {
    if (!selectedId || !newId) return
    if (edit((src) => renameNode(src, selectedId, newId))) setSelectedId(newId)
  }

  const arrange = (all: boolean) => {
    if (!g) return
    const targets = arrangeTargets(g.nodes, g.edges, all)
    if (targets.length === 0) {
      setStatus({ tone: 'info', message: 'Every node already has a position.' })
      return
    }
    edit((src) => targets.reduce((s, t) => setNodeUI(s, t.id, t.pos), src))
    if (all) setTimeout(() => flow.fitView({ duration: 300 }), GRAPH_DEBOUNCE_MS * 3)
  }

  const jumpToLine = (line: number, nodeId?: string) => {
    const view = viewRef.current
    if (view && line > 0) {
      const l = view.state.doc.line(Math.min(line, view.state.doc.lines))
      view.dispatch({ selection: { anchor: l.from }, scrollIntoView: true })
      view.focus()
    }
    if (nodeId) select(nodeId)
  }

  /** Scroll the YAML to a node without moving the focus or the cursor there. */
  const revealInText = (id: string) => {
    const view = viewRef.current
    const n = g?.nodes.find((x) => x.id === id)
    if (!view || !n || view.state.doc.toString() !== graph?.text) return
    const line = view.state.doc.line(Math.min(Math.max(1, n.first_line || n.line), view.state.doc.lines))
    view.dispatch({ effects: EditorView.scrollIntoView(line.from, { y: 'start', yMargin: 40 }) })
  }

  const focusNode = (id: string) => {
    setOverlay(null)
    select(id)
    revealInText(id)
    const p = drawn.get(id)
    if (p) void flow.setCenter(p.x + NODE_WIDTH / 2, p.y + NODE_HEIGHT / 2, { zoom: 1, duration: 300 })
  }

  // Centre on the node the route names, once, when it is first drawn.
  const focused = useRef<string | null>(null)
  useEffect(() => {
    if (focus && focused.current !== focus && drawn.has(focus)) {
      focused.current = focus
      focusNode(focus)
    }
  })

  const onCursorLine = useCallback(
    (line: number) => {
      const n = g?.nodes.find((x) => x.first_line <= line && line <= x.last_line)
      if (n && n.id !== selectedRef.current) select(n.id)
    },
    [g, select],
  )

  // ---- save / publish ----

  const save = async (): Promise<string | null> => {
    const view = viewRef.current
    if (!view || readOnly) return null
    const src = view.state.doc.toString()
    setBusy(true)
    try {
      const r = await api.saveDraft(slug, src, checksum)
      setChecksum(r.checksum)
      setSavedText(src)
      const n = r.problems?.length ?? 0
      setStatus({ tone: 'ok', message: n ? `Saved (${n} problem${n > 1 ? 's' : ''})` : 'Saved' })
      return r.checksum
    } catch (e) {
      setStatus({ tone: 'error', message: saveError(e) })
      return null
    } finally {
      setBusy(false)
    }
  }

  const runReplay = async () => {
    if (readOnly) return
    setSide('replay')
    setReplay({ state: 'running' })
    const src = viewRef.current?.state.doc.toString() ?? text
    // The replay runs the saved draft: save the text first.
    if (!(await save())) {
      setReplay({ state: 'error', message: 'The draft could not be saved.', problems: 0 })
      return
    }
    setBusy(true)
    try {
      const r = await api.replay(slug, REPLAY_DIALOGS)
      setReplay({ state: 'done', result: r })
      setReplayedText(src)
    } catch (e) {
      const problems = e instanceof ApiError && e.status === 422 ? problemsOf(e) : []
      if (problems.length) setPublishProblems(problems)
      setReplay({ state: 'error', message: `Not replayed: ${(e as Error).message}`, problems: problems.length })
    } finally {
      setBusy(false)
    }
  }

  const publish = async () => {
    if (readOnly) return
    const src = viewRef.current?.state.doc.toString() ?? text
    if (
      replayedText !== src &&
      window.confirm(
        'No replay since the last edit. Replay recent dialogs against the draft first?\n\nOK replays (publish afterwards); Cancel publishes now.',
      )
    ) {
      await runReplay()
      return
    }
    // Publishing takes the saved draft: save first when the text differs or no draft exists yet.
    const sum = unsaved || checksum === null ? await save() : checksum
    if (!sum) return
    setBusy(true)
    setPublishProblems(null)
    try {
      const r = await api.publish(slug, sum)
      setStatus({ tone: 'ok', message: `Published version ${r.version}` })
      // Whether the server kept the draft decides the next save's If-Match.
      setChecksum(await api.getDraft(slug).then((d) => d.checksum, () => null))
    } catch (e) {
      if (e instanceof ApiError && e.status === 422) {
        setPublishProblems(problemsOf(e))
        setStatus({ tone: 'error', message: `Not published: ${e.message}` })
      } else {
        setStatus({ tone: 'error', message: saveError(e) })
      }
    } finally {
      setBusy(false)
    }
  }

  const discard = async () => {
    if (readOnly || !checksum || !window.confirm('Discard the draft and go back to the published flow?')) return
    try {
      await api.discardDraft(slug)
      onReload()
    } catch (e) {
      setStatus({ tone: 'error', message: (e as Error).message })
    }
  }

  // ---- keyboard ----

  useEditorKeys((action) => {
    const view = viewRef.current
    switch (action) {
      case 'save':
        return void save()
      case 'search':
        return setOverlay('search')
      case 'close':
        return setOverlay(null)
      case 'undo':
        return void (view && undo(view))
      case 'redo':
        return void (view && redo(view))
      case 'duplicate':
        return void paste(copySelected(), selectedId ?? undefined)
      case 'copy':
        return void copySelected()
      case 'paste':
        return void paste(null)
      case 'delete':
        return deleteSelection()
      case 'help':
        return setOverlay((o) => (o === 'help' ? null : 'help'))
    }
  })

  useEffect(() => {
    if (!unsaved || readOnly) return
    const h = (e: BeforeUnloadEvent) => e.preventDefault()
    window.addEventListener('beforeunload', h)
    return () => window.removeEventListener('beforeunload', h)
  }, [unsaved, readOnly])

  // ---- render ----

  const selectedNode = g?.nodes.find((n) => n.id === selectedId) ?? null
  // The bot's own fields, read from the text only while its form shows.
  const botText = selectedNode ? null : text
  const botFields = useMemo(() => (botText === null ? {} : topFields(botText)), [botText])
  const ids = g?.nodes.map((n) => n.id) ?? []
  const unplaced = g?.nodes.filter((n) => !n.ui).length ?? 0

  return (
    <div className="editor">
      <Toolbar
        readOnly={readOnly}
        busy={busy}
        unsaved={unsaved}
        canDiscard={!!checksum}
        unplaced={unplaced}
        side={side}
        status={status}
        replayDialogs={REPLAY_DIALOGS}
        onSave={() => void save()}
        onPublish={() => void publish()}
        onDiscard={() => void discard()}
        onUndo={() => viewRef.current && undo(viewRef.current)}
        onRedo={() => viewRef.current && redo(viewRef.current)}
        onArrange={arrange}
        onSide={(panel) => {
          if (panel === 'chat') setChatOpened(true)
          setSide((s) => (s === panel ? null : panel))
        }}
        onReplay={() => void runReplay()}
        onOverlay={setOverlay}
        onReload={onReload}
      />
      {diff && (
        <VersionDiff
          slug={slug}
          older={diff.older}
          newer={diff.newer}
          editorText={text}
          onClose={() => setDiff(null)}
        />
      )}
      {!readOnly && !diff && (
        <div className="palette" data-testid="palette">
          {nodeKinds().map((kind) => (
            <button
              key={kind}
              data-testid={`palette-${kind}`}
              className={`palette-item kind-${kind}`}
              onClick={() => addNode(kind)}
            >
              + {kind}
            </button>
          ))}
        </div>
      )}
      {/* Hidden, not unmounted, under the diff: CodeMirror keeps the text and its history. */}
      <div className={`panes${side ? ' with-side' : ''}`} hidden={diff !== null}>
        <section className="text-pane">
          <YamlEditor
            initialText={loaded.text}
            readOnly={readOnly}
            viewRef={viewRef}
            onChange={setText}
            onCursorLine={onCursorLine}
            problems={graph?.graph.problems ?? []}
            problemsFor={graph?.text ?? null}
          />
          <ProblemsList
            problems={graph?.graph.problems ?? []}
            publishProblems={publishProblems}
            stale={graph !== null && graph.text !== text}
            error={graphError}
            onPick={(p) => jumpToLine(p.line, p.node)}
          />
        </section>
        <section className="canvas-pane" ref={canvasRef}>
          {syntaxError && g && (
            <div className="canvas-note">The YAML does not parse: showing the last drawing.</div>
          )}
          <ReactFlow<FlowNodeType, Edge<FlowEdgeData>>
            nodes={nodes}
            edges={edges}
            nodeTypes={nodeTypes}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onSelectionChange={onSelectionChange}
            onNodeDragStop={onDragStop}
            onConnect={onConnect}
            onPaneClick={() => select(null)}
            onNodeClick={(_, n) => revealInText(n.id)}
            nodesDraggable={!readOnly}
            nodesConnectable={!readOnly}
            // Deletion goes through deleteNode (our key handler), never React Flow's own state.
            deleteKeyCode={null}
            fitView
            minZoom={0.1}
          >
            <Background />
            <Controls showInteractive={false} />
            <MiniMap pannable zoomable />
          </ReactFlow>
        </section>
        <aside className="form-pane">
          {selectedNode ? (
            <NodeForm
              key={selectedNode.id}
              node={selectedNode}
              nodeIds={ids}
              readOnly={readOnly}
              onSet={setNodeField}
              onRename={rename}
              onJump={(line) => jumpToLine(line)}
              source={text}
            />
          ) : (
            <BotForm fields={botFields} nodeIds={ids} readOnly={readOnly} onSet={setBotFieldOf} />
          )}
        </aside>
        {(side || chatOpened) && (
          <div className="side-slot" hidden={side === null}>
            {chatOpened && (
              <div className="side-slot-item" hidden={side !== 'chat'}>
                <TestChat
                  slug={slug}
                  save={save}
                  onWaiting={setWaitingAt}
                  onSavedTest={() => setTestsGeneration((n) => n + 1)}
                  onClose={() => setSide(null)}
                />
              </div>
            )}
            {side === 'tests' && (
              <TestsPanel
                slug={slug}
                readOnly={readOnly}
                generation={testsGeneration}
                save={save}
                onFailedNodes={setFailedAt}
                onFocusNode={focusNode}
                onClose={() => setSide(null)}
              />
            )}
            {side === 'replay' && replay && <ReplayPanel replay={replay} onClose={() => setSide(null)} />}
            {side === 'versions' && (
              <VersionsPanel
                slug={slug}
                onCompare={(older, newer) => setDiff({ older, newer })}
                onClose={() => setSide(null)}
              />
            )}
          </div>
        )}
      </div>
      {overlay === 'help' && <Help onClose={() => setOverlay(null)} />}
      {overlay === 'search' && <NodeSearch ids={ids} onPick={focusNode} onClose={() => setOverlay(null)} />}
    </div>
  )
}

/** How many recent real dialogs a replay plays against the draft. */
const REPLAY_DIALOGS = 50

function problemsOf(e: ApiError): Problem[] {
  return (e.details as { problems?: Problem[] } | undefined)?.problems ?? []
}


function saveError(e: unknown): string {
  if (e instanceof ApiError && e.status === 409) {
    // The server's message says what happened; the Reload button next to it gets the current draft.
    return `${e.message} Copy your changes, then reload.`
  }
  return (e as Error).message
}

/** The text's top-level fields; none while it does not parse. */
function topFields(text: string): Record<string, unknown> {
  try {
    const data: unknown = parseDocument(text).toJS()
    return data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}
