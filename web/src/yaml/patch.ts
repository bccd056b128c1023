// Minimal text patches of a bot's YAML for the flow editor.
//
// Each function takes the file's text and returns the new text. Only the bytes
// an edit must change are replaced: unchanged files come back byte for byte,
// moving a node rewrites only its `ui` position, and comments, quoting, blank
// lines and line endings elsewhere are never touched. Errors are thrown for a
// missing node or a file whose `nodes` is not a block mapping.
import { CST, parseDocument } from 'yaml'
import {
  type Bot,
  type MapToken,
  asMap,
  findItem,
  getNode,
  itemLines,
  keyColumn,
  keyedItems,
  listNodes,
  nodeFields,
  openBot,
  scalarValue,
  toData,
} from './bot'
import { type FieldValue, type YamlValue, pickStyle, renderEntry, renderFlow, scalarText, styleOf } from './render'
import { type Edit, applyEdits, colonEnd, contentEnd, hasBlankLine, itemEnd, lineEnd, lineStart } from './source'

export type { FieldValue, YamlValue } from './render'

/** Node fields whose scalar value is the id of another node. */
export const REF_FIELDS: readonly string[] = [
  'next',
  'to',
  'on_timeout',
  'on_invalid',
  'on_error',
  'on_reject',
  'on_approve',
]

export interface Position {
  x: number
  y: number
}

/** The ids of the file's nodes, in file order. */
export function nodeIds(src: string): string[] {
  return listNodes(openBot(src)).map((n) => n.id)
}

/**
 * Set where the editor draws a node. An existing `ui` keeps its style (flow
 * `{x: 1, y: 2}` or block) and only its numbers change; a missing one is added
 * as `ui: {x: N, y: N}` on a new last line of the node. Rounds to integers.
 */
export function setNodeUI(src: string, nodeId: string, pos: Position): string {
  const x = toInt(pos.x, 'x')
  const y = toInt(pos.y, 'y')
  const bot = openBot(src)
  const fields = nodeFields(getNode(bot, nodeId))
  const current = nodeData(bot, nodeId).ui
  const uiMap = asMap(findItem(fields, 'ui')?.value)
  const edits = uiMap
    ? [
        ...setEntry(bot, uiMap, 'x', x, isRecord(current) ? current.x : undefined),
        ...setEntry(bot, uiMap, 'y', y, isRecord(current) ? current.y : undefined),
      ]
    : setEntry(bot, fields, 'ui', { x, y }, current)
  return finish(bot, edits, (data) => {
    const ui = nodeOf(data, nodeId).ui
    return isRecord(ui) && ui.x === x && ui.y === y
  })
}

/**
 * Set a top-level field of a node. An existing scalar is rewritten in place,
 * keeping its quoting style when the new value allows it (comments after it
 * survive); a missing field is added as a new last line of the node.
 */
export function setField(src: string, nodeId: string, key: string, value: FieldValue): string {
  const bot = openBot(src)
  const fields = nodeFields(getNode(bot, nodeId))
  const edits = setEntry(bot, fields, key, value, nodeData(bot, nodeId)[key])
  return finish(bot, edits, (data) => same(nodeOf(data, nodeId)[key], value))
}

/** Remove a top-level field of a node: exactly its lines. A missing field is a no-op. */
export function deleteField(src: string, nodeId: string, key: string): string {
  const bot = openBot(src)
  const fields = nodeFields(getNode(bot, nodeId))
  const item = findItem(fields, key)
  if (!item) return src
  if (fields.type === 'block-map') {
    const { from, to } = itemLines(bot, item)
    return finish(bot, [removeLines(bot, from, to)])
  }
  // A flow node `{kind: end, text: x}`: remove the pair and one comma.
  const i = fields.items.indexOf(item)
  const prev = fields.items[i - 1]
  const next = fields.items[i + 1]
  let edit: Edit
  if (prev) edit = { from: itemEnd(prev), to: itemEnd(item), text: '' }
  else if (next?.key) edit = { from: item.key.offset, to: next.key.offset, text: '' }
  else edit = { from: item.key.offset, to: itemEnd(item), text: '' }
  return finish(bot, [edit])
}

/**
 * Append a node at the end of `nodes`: after the last node's last line, so
 * before any later top-level key and the comments above it. Indented like the
 * other nodes, separated by a blank line when they are, fields in block style
 * in the given order.
 */
export function insertNode(src: string, id: string, fields: Record<string, YamlValue>): string {
  if (!id) throw new Error('a node id must not be empty')
  const bot = openBot(src)
  const nodes = listNodes(bot)
  if (nodes.some((n) => n.id === id)) throw new Error(`node "${id}" already exists`)
  let at: number
  let indent = 2
  let step = 2
  let blank = false
  const last = nodes[nodes.length - 1]
  if (!bot.nodes || !last) {
    // `nodes:` with no value (as left by deleting the only node): first node.
    at = lineEnd(bot.src, colonEnd(bot.nodesItem) - 1)
  } else {
    indent = keyColumn(bot, bot.nodes)
    const firstBlock = nodes.map((n) => n.item.value).find((v) => v?.type === 'block-map')
    if (firstBlock?.type === 'block-map') step = Math.max(1, keyColumn(bot, firstBlock) - indent)
    at = itemLines(bot, last.item).to
    const prev = nodes[nodes.length - 2]
    blank = !!prev && hasBlankLine(bot.src, itemLines(bot, prev.item).to, itemLines(bot, last.item).from)
  }
  const pad = ' '.repeat(indent)
  const lines = renderEntry(id, fields, step).map((l) => (l ? pad + l : l))
  if (blank) lines.unshift('')
  return finish(bot, [appendLines(bot, at, lines)])
}

/**
 * Remove a node: its key line through its last line. Comments and blank lines
 * before the next node stay; the blank lines just above the removed node go
 * too when blank lines (or the end of the file) follow it, so the neighbours
 * stay separated as before instead of by a double gap.
 */
export function deleteNode(src: string, id: string): string {
  const bot = openBot(src)
  let { from, to } = itemLines(bot, getNode(bot, id).item)
  const after = bot.src.slice(to, lineEnd(bot.src, to))
  if (to === bot.src.length || after.trim() === '') {
    while (from > 0) {
      const prev = lineStart(bot.src, from - 1)
      if (bot.src.slice(prev, from).trim() !== '') break
      from = prev
    }
  }
  return finish(bot, [removeLines(bot, from, to)])
}

/**
 * Rename a node and every reference to it: scalar values equal to oldId under
 * the REF_FIELDS of any node (also inside branch lists such as
 * `next: [{if: ..., to: x}]`), the top-level `start`, and the `block` of a tool
 * in `settings.tools`. Text fields that happen to contain the id are not touched.
 */
export function renameNode(src: string, oldId: string, newId: string): string {
  const bot = openBot(src)
  const node = getNode(bot, oldId)
  if (oldId === newId) return src
  if (!newId) throw new Error('a node id must not be empty')
  if (listNodes(bot).some((n) => n.id === newId)) throw new Error(`node "${newId}" already exists`)
  const edits = [scalarEdit(node.item.key, newId, { implicitKey: true })]
  for (const n of listNodes(bot)) {
    const map = asMap(n.item.value)
    if (map) edits.push(...refEdits(map, REF_FIELDS, oldId, newId))
  }
  edits.push(...refEdits(bot.root, ['start'], oldId, newId))
  const settings = asMap(findItem(bot.root, 'settings')?.value)
  const tools = settings && asMap(findItem(settings, 'tools')?.value)
  for (const tool of tools ? keyedItems(tools) : []) {
    const map = asMap(tool.value)
    if (map) edits.push(...refEdits(map, ['block'], oldId, newId))
  }
  return finish(bot, edits, (data) => isRecord(data.nodes) && newId in data.nodes && !(oldId in data.nodes))
}

/** `wanted`, or `wanted_2`, `wanted_3`, ... whichever is first not in `existing`. */
export function uniqueId(existing: string[], wanted: string): string {
  const taken = new Set(existing)
  if (!taken.has(wanted)) return wanted
  for (let n = 2; ; n++) {
    const id = `${wanted}_${n}`
    if (!taken.has(id)) return id
  }
}

// ---- edits ----

/** Edits setting map[key] to value; none when it already holds that value. */
function setEntry(bot: Bot, map: MapToken, key: string, value: YamlValue, current: unknown): Edit[] {
  const item = findItem(map, key)
  if (!item) return [addEntry(bot, map, key, value)]
  if (same(current, value)) return []
  const inFlow = map.type === 'flow-collection'
  if (CST.isScalar(item.value) && (value === null || typeof value !== 'object')) {
    return [scalarEdit(item.value, value, { inFlow })]
  }
  return [replaceValue(bot, item, value)]
}

/** Rewrite a scalar token in place, keeping its style and trailing comment where possible. */
function scalarEdit(
  tok: CST.Token,
  value: string | number | boolean | null,
  ctx: { inFlow?: boolean; implicitKey?: boolean } = {},
): Edit {
  const from = tok.offset
  const to = from + CST.stringify(tok).length
  const opts = { afterKey: !ctx.implicitKey, inFlow: ctx.inFlow, implicitKey: ctx.implicitKey }
  if (typeof value === 'string') {
    const type = pickStyle(value, styleOf(tok), ctx)
    // As an implicit key a double-quoted string is kept on one line (\n
    // escapes) instead of being folded over several.
    const oneLine = type === 'QUOTE_DOUBLE' || opts.implicitKey
    CST.setScalarValue(tok, value, { ...opts, implicitKey: oneLine, type })
  } else {
    CST.setScalarValue(tok, scalarText(value), { ...opts, type: 'PLAIN' })
  }
  return { from, to, text: CST.stringify(tok) }
}

/** Replace a non-scalar value (or an alias, or nothing) with flow text on the key's line. */
function replaceValue(bot: Bot, item: CST.CollectionItem, value: YamlValue): Edit {
  const text = renderFlow(value)
  const colon = colonEnd(item)
  const v = item.value
  if (!v || v.type === 'block-map' || v.type === 'block-seq') {
    if (colon < 0) throw new Error('cannot edit a complex mapping key')
    return { from: colon, to: Math.max(colon, contentEnd(v)), text: ' ' + text }
  }
  const to = contentEnd(v)
  return { from: v.offset, to, text: bot.src[to - 1] === '\n' ? text + '\n' : text }
}

/** Add `key: value` as the last entry of a mapping. */
function addEntry(bot: Bot, map: MapToken, key: string, value: YamlValue): Edit {
  if (map.type === 'flow-collection') {
    const text = renderFlow({ [key]: value }).slice(1, -1)
    const last = map.items[map.items.length - 1]
    const at = last ? itemEnd(last) : map.start.offset + 1
    return { from: at, to: at, text: last ? ', ' + text : text }
  }
  const pad = ' '.repeat(keyColumn(bot, map))
  const lines = renderEntry(key, value, 2, true).map((l) => (l ? pad + l : l))
  return appendLines(bot, lineEnd(bot.src, contentEnd(map) - 1), lines)
}

/** Insert whole lines at a line start; at the end of a file without a final newline, keep it without. */
function appendLines(bot: Bot, at: number, lines: string[]): Edit {
  const body = lines.join('\n')
  const noFinalNewline = at === bot.src.length && at > 0 && !bot.src.endsWith('\n')
  return { from: at, to: at, text: noFinalNewline ? '\n' + body : body + '\n' }
}

/** Remove whole lines [from, to); at the end of a file without a final newline, keep it without. */
function removeLines(bot: Bot, from: number, to: number): Edit {
  if (to === bot.src.length && !bot.src.endsWith('\n') && from > 0) {
    from -= bot.src[from - 2] === '\r' ? 2 : 1
  }
  return { from, to, text: '' }
}

/** Edits renaming scalar references oldId -> newId under the given keys of a map, and in lists of maps there. */
function refEdits(map: MapToken, keys: readonly string[], oldId: string, newId: string): Edit[] {
  const edits: Edit[] = []
  for (const item of keyedItems(map)) {
    if (!keys.includes(scalarValue(item.key) ?? '')) continue
    const v = item.value
    if (CST.isScalar(v) && v.type !== 'block-scalar' && scalarValue(v) === oldId) {
      edits.push(scalarEdit(v, newId, { inFlow: map.type === 'flow-collection' }))
    } else if (v?.type === 'block-seq' || (v?.type === 'flow-collection' && v.start.source === '[')) {
      for (const el of v.items) {
        const m = asMap(el.value)
        if (m) edits.push(...refEdits(m, keys, oldId, newId))
      }
    }
  }
  return edits
}

/**
 * Apply the edits and check the result: it must parse (deleting a node whose
 * anchor an alias elsewhere uses would not), and `verify` (the intended value)
 * must hold. Throwing beats handing back a file that means something else.
 */
function finish(bot: Bot, edits: Edit[], verify?: (data: Record<string, unknown>) => boolean): string {
  if (edits.length === 0) return bot.src
  const out = applyEdits(bot.src, edits, bot.eol)
  const doc = parseDocument(out)
  if (doc.errors.length > 0) throw new Error(`cannot apply: the result would not parse: ${doc.errors[0]?.message}`)
  const data = toData(doc, 'cannot apply: the result would not load')
  if (verify && !verify(data)) throw new Error('internal error: the edit did not produce the intended value')
  return out
}

// ---- values ----

function nodeData(bot: Bot, id: string): Record<string, unknown> {
  return nodeOf(bot.data, id)
}

function nodeOf(data: Record<string, unknown>, id: string): Record<string, unknown> {
  const nodes = data.nodes
  const node = isRecord(nodes) ? nodes[id] : undefined
  return isRecord(node) ? node : {}
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Deep equality of plain data. */
function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b) || a === b) return true
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => same(v, b[i]))
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a)
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && same(a[k], b[k]))
  }
  return false
}

function toInt(n: number, name: string): number {
  if (!Number.isFinite(n)) throw new Error(`ui.${name} must be a finite number, got ${n}`)
  return Math.round(n) || 0
}
