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
  type SeqToken,
  asMap,
  asSeq,
  blockLines,
  findItem,
  flowItemStart,
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
import {
  BLOCK,
  type CollectionStyle,
  FLOW,
  type FieldValue,
  type YamlValue,
  flowText,
  isCollectionValue,
  isEmptyCollection,
  keyText,
  pickStyle,
  renderBlock,
  renderEntry,
  renderFlow,
  scalarText,
  styleOf,
} from './render'
import { type Edit, applyEdits, colonEnd, column, contentEnd, hasBlankLine, itemEnd, lineEnd, lineStart } from './source'

export type { CollectionStyle, FieldValue, YamlValue } from './render'

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
  const ctx = newCtx(bot)
  const fields = nodeFields(getNode(bot, nodeId))
  const current = nodeData(bot, nodeId).ui
  const uiMap = asMap(findItem(fields, 'ui')?.value)
  const uiCtx = { ...ctx, inFlow: fields.type === 'flow-collection', path: ['ui'] }
  const edits = uiMap
    ? [
        ...setEntry(uiCtx, uiMap, 'x', x, isRecord(current) ? current.x : undefined),
        ...setEntry(uiCtx, uiMap, 'y', y, isRecord(current) ? current.y : undefined),
      ]
    : setEntry(ctx, fields, 'ui', { x, y }, current)
  return finish(bot, edits, (data) => {
    const ui = nodeOf(data, nodeId).ui
    return isRecord(ui) && ui.x === x && ui.y === y
  })
}

/**
 * Set a top-level field of a node to any value, changing only the bytes of
 * that field's value that must change:
 *
 * - a scalar is rewritten in place, keeping its quoting style when the new
 *   value allows it (a comment after it survives);
 * - a list or map that stays a list or map is patched entry by entry: an
 *   edited entry is rewritten where it is, an added one is inserted (in a
 *   map before the next entry it precedes, in a list at its index), a removed
 *   one is cut out with its lines, a reordered list has its entries' texts
 *   moved, and a renamed map key (one key gone, one new) has only the key
 *   rewritten. A map's key order is not taken as a change: its entries stay
 *   where they are. Comments inside the value stay with their entries, and
 *   the value keeps its style: flow (`[a, b]`, `{ a: 1 }` with its padding)
 *   or block, at its indentation;
 * - anything else (a list becoming a string, a scalar becoming a list, a
 *   change too tangled to patch entry by entry) replaces the field's value,
 *   flow where it was flow, block where it was block, and for a value that
 *   was neither in the style the same field has in the file's other nodes
 *   (else flow for short lists and flat maps, block for the rest);
 * - a missing field is added as a new last line of the node, at its key column.
 *
 * The result is checked to hold exactly `value` at the field.
 */
export function setField(src: string, nodeId: string, key: string, value: FieldValue): string {
  const bot = openBot(src)
  const fields = nodeFields(getNode(bot, nodeId))
  const edits = setEntry(newCtx(bot), fields, key, value, nodeData(bot, nodeId)[key])
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
  return finish(bot, [removeFlowItem(fields.items, fields.items.indexOf(item))])
}

/** Top-level keys the bot form may not set: the bot's slug and its nodes have their own edits. */
const FIXED_BOT_FIELDS = new Set(['bot', 'nodes'])

/**
 * Set a top-level field of the bot (name, description, start, variables,
 * settings) as setField sets a node's: a scalar in place, a list or map
 * entry by entry in its style; a missing field goes just before `nodes:`.
 */
export function setBotField(src: string, key: string, value: FieldValue): string {
  if (FIXED_BOT_FIELDS.has(key)) throw new Error(`cannot edit: \`${key}\` is not set through the bot's form`)
  const bot = openBot(src)
  const ctx: Ctx = { ...newCtx(bot), path: null }
  const item = findItem(bot.root, key)
  const edits = item ? patchValue(ctx, item, key, bot.data[key], value) : [insertEntries(ctx, bot.root, [[key, value]], bot.nodesItem)]
  return finish(bot, edits, (data) => same(data[key], value))
}

/** Remove a top-level field of the bot: exactly its lines. A missing field is a no-op. */
export function deleteBotField(src: string, key: string): string {
  if (FIXED_BOT_FIELDS.has(key)) throw new Error(`cannot edit: \`${key}\` is not removed through the bot's form`)
  const bot = openBot(src)
  const item = findItem(bot.root, key)
  if (!item) return src
  const { from, to } = itemLines(bot, item)
  return finish(bot, [removeLines(bot, from, to)])
}

/**
 * Append a node at the end of `nodes`: after the last node's last line, so
 * before any later top-level key and the comments above it. Indented like the
 * other nodes, separated by a blank line when they are, fields in the given
 * order. A list or map field is written in the style the same field has in the
 * other nodes (`ui: { x: 1, y: 2 }` where they write ui flow), else block.
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
  const inner = ' '.repeat(step)
  const entries = Object.entries(fields)
  const body =
    entries.length === 0
      ? renderEntry(id, {}, step)
      : [
          `${keyText(id)}:`,
          ...entries.flatMap(([k, v]) => {
            const style = isCollectionValue(v) ? (precedent(bot, [k], v) ?? BLOCK) : BLOCK
            return renderEntry(k, v, step, style).map((l) => (l ? inner + l : l))
          }),
        ]
  const lines = body.map((l) => (l ? pad + l : l))
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
  const edits = [scalarEdit(bot.src, node.item.key, newId, { implicitKey: true })]
  for (const n of listNodes(bot)) {
    const map = asMap(n.item.value)
    if (map) edits.push(...refEdits(bot.src, map, REF_FIELDS, oldId, newId))
  }
  edits.push(...refEdits(bot.src, bot.root, ['start'], oldId, newId))
  const settings = asMap(findItem(bot.root, 'settings')?.value)
  const tools = settings && asMap(findItem(settings, 'tools')?.value)
  for (const tool of tools ? keyedItems(tools) : []) {
    const map = asMap(tool.value)
    if (map) edits.push(...refEdits(bot.src, map, ['block'], oldId, newId))
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

/** Where an edit happens. */
interface Ctx {
  bot: Bot
  /** Spaces per indentation level, as the file's nodes are indented. */
  step: number
  /** Inside a flow collection, where only flow text can go. */
  inFlow: boolean
  /** The map keys from the node's fields down to the map being edited; null below a list item. */
  path: string[] | null
}

function newCtx(bot: Bot): Ctx {
  let step = 2
  if (bot.nodes) {
    const firstBlock = listNodes(bot)
      .map((n) => n.item.value)
      .find((v) => v?.type === 'block-map')
    if (firstBlock?.type === 'block-map') step = Math.max(1, keyColumn(bot, firstBlock) - keyColumn(bot, bot.nodes))
  }
  return { bot, step, inFlow: false, path: [] }
}

/** Edits setting map[key] to value; none when it already holds that value. `ctx` is the map's. */
function setEntry(ctx: Ctx, map: MapToken, key: string, value: YamlValue, current: unknown): Edit[] {
  const inner = { ...ctx, inFlow: ctx.inFlow || map.type === 'flow-collection' }
  const item = findItem(map, key)
  if (!item) return [insertEntries(inner, map, [[key, value]], null)]
  return patchValue(inner, item, key, current, value)
}

/**
 * Edits turning the value of a map entry (key) or a list item (key null)
 * from `current` into `value`. `ctx` is the collection's that holds it.
 */
function patchValue(ctx: Ctx, item: CST.CollectionItem, key: string | null, current: unknown, value: YamlValue): Edit[] {
  if (same(current, value)) return []
  const v = item.value
  if (CST.isScalar(v) && !isCollectionValue(value)) {
    return [scalarEdit(ctx.bot.src, v, value, { inFlow: ctx.inFlow, blockIndent: blockIndentOf(ctx, item) })]
  }
  const inner: Ctx = {
    ...ctx,
    inFlow: ctx.inFlow || v?.type === 'flow-collection',
    path: key !== null && ctx.path ? [...ctx.path, key] : null,
  }
  const map = asMap(v)
  if (map && isRecord(current) && isRecord(value) && !isEmptyCollection(value)) {
    const edits = patchMap(inner, map, current, value as Record<string, YamlValue>)
    if (edits) return edits
  }
  const seq = asSeq(v)
  if (seq && Array.isArray(current) && Array.isArray(value) && value.length > 0) {
    const edits = patchSeq(inner, seq, current, value)
    if (edits) return edits
  }
  return replaceValue(ctx, item, key, value)
}

/**
 * Entry-by-entry edits of a map, or null when the change is better written as
 * a whole new value. Key order is not meaningful (a YAML map has none, and
 * the editor's data may come with sorted keys): existing entries are never
 * moved, new ones go before the next existing key of the new value, or last.
 */
function patchMap(ctx: Ctx, map: MapToken, current: Record<string, unknown>, value: Record<string, YamlValue>): Edit[] | null {
  const items = keyedItems(map)
  if (items.length !== map.items.length) return null
  const oldKeys = items.map((it) => scalarValue(it.key))
  // Merge keys, complex keys and the like: the text is not the data.
  if (!sameList([...oldKeys].sort(), Object.keys(current).sort())) return null
  const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k)
  const newKeys = Object.keys(value)
  const byKey = new Map(items.map((it) => [scalarValue(it.key) ?? '', it]))
  const removed = items.filter((it) => !has(value, scalarValue(it.key) ?? ''))
  const added = newKeys.filter((k) => !has(current, k))

  const edits: Edit[] = []
  for (const k of newKeys) if (has(current, k)) edits.push(...patchValue(ctx, byKey.get(k)!, k, current[k], value[k]!))

  // One key gone and one new: rename it where it stands, then set its value.
  const gone = removed[0]
  const renamed = added[0]
  if (removed.length === 1 && added.length === 1 && gone && renamed !== undefined) {
    const from = scalarValue(gone.key) ?? ''
    edits.push(scalarEdit(ctx.bot.src, gone.key, renamed, { inFlow: ctx.inFlow, implicitKey: true }))
    edits.push(...patchValue(ctx, gone, renamed, current[from], value[renamed]!))
    return edits
  }

  const flow = map.type === 'flow-collection'
  if (flow && removed.length + added.length > 1) return null
  // Added keys go before the next kept key, as in the new value, or last.
  let pending: Array<[string, YamlValue]> = []
  for (const k of newKeys) {
    if (!has(current, k)) pending.push([k, value[k]!])
    else if (pending.length > 0) {
      edits.push(insertEntries(ctx, map, pending, byKey.get(k)!))
      pending = []
    }
  }
  if (pending.length > 0) {
    // Appending after an entry that goes would splice into its lines.
    if (removed.includes(items[items.length - 1]!)) return null
    edits.push(insertEntries(ctx, map, pending, null))
  }
  for (const item of removed) {
    const edit = flow ? removeFlowItem(map.items, map.items.indexOf(item)) : removeBlockMapItem(ctx.bot, items, item)
    if (!edit) return null
    edits.push(edit)
  }
  return edits
}

/** Item-by-item edits of a list, or null when the change is better written as a whole new value. */
function patchSeq(ctx: Ctx, seq: SeqToken, current: unknown[], value: YamlValue[]): Edit[] | null {
  const items = seq.items
  if (items.length !== current.length || items.some((it) => it.key || it.sep?.length)) return null
  const n = current.length
  const m = value.length
  if (m === n) {
    const order = permutation(current, value)
    if (order) return moveItems(ctx, seq, order)
    return items.flatMap((item, i) => patchValue(ctx, item, null, current[i], value[i]!))
  }
  // One item removed or inserted: the first index where they differ.
  let i = 0
  while (i < Math.min(m, n) && same(current[i], value[i])) i++
  if (m === n - 1 && current.slice(i + 1).every((c, j) => same(c, value[i + j]))) {
    const edit = removeSeqItem(ctx, seq, i)
    return edit ? [edit] : null
  }
  if (m === n + 1 && current.slice(i).every((c, j) => same(c, value[i + 1 + j]))) {
    const edit = insertSeqItem(ctx, seq, i, value[i]!)
    return edit ? [edit] : null
  }
  return null
}

/** For a reordering of `current`: order[i] is the old index of new item i; null for anything else. */
function permutation(current: unknown[], value: YamlValue[]): number[] | null {
  const used = new Set<number>()
  const order: Array<number | undefined> = value.map((v, i) => {
    if (!same(current[i], v)) return undefined
    used.add(i)
    return i
  })
  for (let i = 0; i < value.length; i++) {
    if (order[i] !== undefined) continue
    const j = current.findIndex((c, k) => !used.has(k) && same(c, value[i]))
    if (j < 0) return null
    used.add(j)
    order[i] = j
  }
  return order as number[]
}

/** The text span of each list item: whole lines in a block list, `item` in a flow one; null when a block item does not start its line. */
function itemSpans(ctx: Ctx, seq: SeqToken): Array<{ from: number; to: number; end: number }> | null {
  const { src } = ctx.bot
  const spans = []
  for (const item of seq.items) {
    if (seq.type === 'flow-collection') {
      spans.push({ from: flowItemStart(item), to: itemEnd(item), end: itemEnd(item) })
      continue
    }
    const dash = item.start.find((t) => t.type === 'seq-item-ind')
    if (!dash || src.slice(lineStart(src, dash.offset), dash.offset).trim() !== '') return null
    const { from, to } = blockLines(ctx.bot, dash.offset, itemEnd(item))
    spans.push({ from, to, end: lineBreakAt(src, to) })
  }
  return spans
}

/** Move the items' texts (with their comments) into the new order. */
function moveItems(ctx: Ctx, seq: SeqToken, order: number[]): Edit[] | null {
  const spans = itemSpans(ctx, seq)
  if (!spans) return null
  const text = (i: number) => ctx.bot.src.slice(spans[i]!.from, spans[i]!.end)
  return order.flatMap((old, i) => (old === i ? [] : [{ from: spans[i]!.from, to: spans[i]!.end, text: text(old) }]))
}

function removeSeqItem(ctx: Ctx, seq: SeqToken, i: number): Edit | null {
  if (seq.type === 'flow-collection') return removeFlowItem(seq.items, i)
  const span = itemSpans(ctx, seq)?.[i]
  return span ? removeLines(ctx.bot, span.from, span.to) : null
}

function insertSeqItem(ctx: Ctx, seq: SeqToken, i: number, value: YamlValue): Edit | null {
  const n = seq.items.length
  if (seq.type === 'flow-collection') {
    const sibling = seq.items[Math.min(i, n - 1)]?.value
    const text = flowText(value, sibling?.type === 'flow-collection' && isPadded(ctx.bot, sibling))
    if (n === 0) return { from: seq.start.offset + 1, to: seq.start.offset + 1, text }
    if (i < n) {
      const at = flowItemStart(seq.items[i]!)
      return { from: at, to: at, text: `${text}, ` }
    }
    const at = itemEnd(seq.items[n - 1]!)
    return { from: at, to: at, text: `, ${text}` }
  }
  const spans = itemSpans(ctx, seq)
  if (!spans) return null
  const pad = ' '.repeat(column(ctx.bot.src, spans[0]!.from + indentOf(ctx.bot.src, spans[0]!.from)))
  const lines = renderBlock([value], ctx.step).map((l) => (l ? pad + l : l))
  if (i < n) {
    const at = spans[i]!.from
    return { from: at, to: at, text: lines.join('\n') + '\n' }
  }
  return appendLines(ctx.bot, spans[n - 1]!.to, lines)
}

/** Insert map entries before the entry `before`, or after the last one. `ctx` is the map's. */
function insertEntries(ctx: Ctx, map: MapToken, entries: Array<[string, YamlValue]>, before: CST.CollectionItem | null): Edit {
  const { bot } = ctx
  if (map.type === 'flow-collection') {
    const text = entries.map(([k, v]) => `${keyText(k, true)}: ${flowText(v)}`).join(', ')
    if (before) {
      const at = flowItemStart(before)
      return { from: at, to: at, text: `${text}, ` }
    }
    const last = map.items[map.items.length - 1]
    const at = last ? itemEnd(last) : map.start.offset + 1
    return { from: at, to: at, text: last ? `, ${text}` : text }
  }
  const lines = entries.flatMap(([k, v]) => renderEntry(k, v, ctx.step, newStyle(ctx, ctx.path && [...ctx.path, k], v)))
  if (before?.key) {
    // At the key itself: also right for a first key after `- `.
    const at = before.key.offset
    const pad = ' '.repeat(column(bot.src, at))
    const text = lines.map((l, i) => (i === 0 || !l ? l : pad + l)).join('\n')
    return { from: at, to: at, text: `${text}\n${pad}` }
  }
  const pad = ' '.repeat(keyColumn(bot, map))
  return appendLines(bot, lineEnd(bot.src, contentEnd(map) - 1), lines.map((l) => (l ? pad + l : l)))
}

/** Remove an entry of a block map: its lines, or from its key to the next key when it shares its line with a `- `. */
function removeBlockMapItem(bot: Bot, items: Array<CST.CollectionItem & { key: CST.Token }>, item: CST.CollectionItem & { key: CST.Token }): Edit | null {
  const at = item.key.offset
  if (bot.src.slice(lineStart(bot.src, at), at).trim() === '') {
    const { from, to } = itemLines(bot, item)
    return removeLines(bot, from, to)
  }
  const next = items[items.indexOf(item) + 1]
  return next ? { from: at, to: next.key.offset, text: '' } : null
}

/** Remove the i-th item of a flow collection and one comma. */
function removeFlowItem(items: CST.CollectionItem[], i: number): Edit {
  const item = items[i]!
  const prev = items[i - 1]
  const next = items[i + 1]
  if (prev) return { from: itemEnd(prev), to: itemEnd(item), text: '' }
  if (next) return { from: flowItemStart(item), to: flowItemStart(next), text: '' }
  return { from: flowItemStart(item), to: itemEnd(item), text: '' }
}

/**
 * Replace the value of a map entry (key) or list item (key null) as a whole.
 * A flow value stays flow (with its padding), a block one block at its
 * indentation; a scalar, alias or missing value becoming a list or map takes
 * the style newStyle picks. `ctx` is the collection's that holds the item.
 */
function replaceValue(ctx: Ctx, item: CST.CollectionItem, key: string | null, value: YamlValue): Edit[] {
  const { bot } = ctx
  const { src } = bot
  const v = item.value
  const blockValue = v?.type === 'block-map' || v?.type === 'block-seq'
  let style: CollectionStyle
  if (!isCollectionValue(value) || isEmptyCollection(value) || ctx.inFlow) style = FLOW
  else if (v?.type === 'flow-collection') style = { flow: true, pad: isPadded(bot, v) }
  else if (blockValue) style = BLOCK
  else style = newStyle(ctx, key !== null && ctx.path ? [...ctx.path, key] : null, value)

  if (style.flow || !isCollectionValue(value)) {
    const text = isCollectionValue(value) ? flowText(value, style.flow && style.pad) : ctx.inFlow ? flowText(value) : renderFlow(value)
    if (!v || blockValue) {
      if (key === null) {
        // A list item: the block value starts on the `- ` line.
        if (v) return [{ from: v.offset, to: lineBreakAt(src, contentEnd(v)), text }]
        const dash = item.start.find((t) => t.type === 'seq-item-ind')
        if (!dash) throw new Error('cannot edit a list item without a `-`')
        return [{ from: dash.offset + 1, to: dash.offset + 1, text: ` ${text}` }]
      }
      const from = valueStart(item)
      // The value's lines go, with the comment on its last line (it was about the value).
      return [{ from, to: v ? lineBreakAt(src, contentEnd(v)) : from, text: ` ${text}` }]
    }
    const to = contentEnd(v)
    return [{ from: v.offset, to, text: src[to - 1] === '\n' ? `${text}\n` : text }]
  }

  const lines = renderBlock(value, ctx.step)
  const joinAt = (pad: string) => lines.map((l, i) => (i === 0 || !l ? l : pad + l)).join('\n')
  if (v && (blockValue || key === null)) {
    // In place: a block value under a key starts its own line; a list item's value follows its `- `.
    const to = v.type === 'block-scalar' || blockValue ? lineBreakAt(src, contentEnd(v)) : contentEnd(v)
    return [{ from: v.offset, to, text: joinAt(' '.repeat(column(src, v.offset))) }]
  }
  if (key === null) throw new Error('cannot edit a list item without a value')
  // A scalar (or nothing) after `key:` becomes a block on the lines below.
  const start = valueStart(item)
  const pad = ' '.repeat(column(src, item.key!.offset) + ctx.step)
  const padded = lines.map((l) => (l ? pad + l : l))
  if (!v) return [appendLines(bot, lineEnd(src, start - 1), padded)]
  let from = v.offset
  while (from > start && src[from - 1] === ' ') from--
  const end = contentEnd(v)
  if (v.type !== 'block-scalar' && !src.slice(v.offset, end).includes('\n')) {
    // One line: the comment after it stays on the key's line.
    return [{ from, to: end, text: '' }, appendLines(bot, lineEnd(src, end), padded)]
  }
  return [{ from, to: lineBreakAt(src, end), text: `\n${padded.join('\n')}` }]
}

/** The column a block scalar's lines go at as the value of this item: a step in from its key, two from its `-`. */
function blockIndentOf(ctx: Ctx, item: CST.CollectionItem): number | undefined {
  const { src } = ctx.bot
  if (item.key) return column(src, item.key.offset) + ctx.step
  const dash = item.start.find((t) => t.type === 'seq-item-ind')
  return dash ? column(src, dash.offset) + 2 : undefined
}

/** Offset just past a map entry's `:` and the anchor or tag after it (`key: &a`), which a new value keeps. */
function valueStart(item: CST.CollectionItem): number {
  const colon = colonEnd(item)
  if (colon < 0) throw new Error('cannot edit a complex mapping key')
  const props = (item.sep ?? []).filter((t) => (t.type === 'anchor' || t.type === 'tag') && t.offset >= colon)
  const last = props[props.length - 1]
  return last ? last.offset + last.source.length : colon
}

/**
 * The style for a list or map written where there was none: the style the
 * same field has in the file's nodes (by majority), else flow for short lists
 * of scalars and flat maps, block for anything else.
 */
function newStyle(ctx: Ctx, path: string[] | null, value: YamlValue): CollectionStyle {
  if (!isCollectionValue(value) || isEmptyCollection(value) || ctx.inFlow) return FLOW
  const found = path && precedent(ctx.bot, path, value)
  if (found) return found
  const scalar = (x: unknown) => !isCollectionValue(x) && !(typeof x === 'string' && x.includes('\n'))
  const simple = Array.isArray(value)
    ? value.every(scalar)
    : Object.values(value).every((x) => scalar(x) || (Array.isArray(x) && x.every(scalar)))
  return simple && renderFlow(value).length <= 80 ? FLOW : BLOCK
}

/** The style the value at `path` has in the file's nodes when it is a collection like `value`: the majority's, none on a tie. */
function precedent(bot: Bot, path: string[], value: YamlValue): CollectionStyle | null {
  let flow = 0
  let padded = 0
  let block = 0
  for (const node of listNodes(bot)) {
    let tok: CST.Token | null | undefined = node.item.value
    for (const k of path) {
      const map = asMap(tok)
      tok = map ? findItem(map, k)?.value : undefined
    }
    const coll = Array.isArray(value) ? asSeq(tok) : asMap(tok)
    if (!coll || coll.items.length === 0) continue
    if (coll.type === 'flow-collection') {
      flow++
      if (isPadded(bot, coll)) padded++
    } else block++
  }
  if (flow > block) return { flow: true, pad: padded * 2 > flow }
  if (block > flow) return BLOCK
  return null
}

/** `{ a: 1 }` rather than `{a: 1}`. */
function isPadded(bot: Bot, tok: CST.FlowCollection): boolean {
  return tok.items.length > 0 && bot.src[tok.start.offset + 1] === ' '
}

/** Offset of the line break ending the line that holds the byte before `offset` (or the end of the file). */
function lineBreakAt(src: string, offset: number): number {
  const end = lineEnd(src, Math.max(0, offset - 1))
  if (src[end - 1] !== '\n') return end
  return src[end - 2] === '\r' ? end - 2 : end - 1
}

/** Columns of spaces at `offset` (a line start). */
function indentOf(src: string, offset: number): number {
  let i = offset
  while (src[i] === ' ') i++
  return i - offset
}

/** Rewrite a scalar token in place, keeping its style and trailing comment where possible. */
function scalarEdit(
  src: string,
  token: CST.Token,
  value: string | number | boolean | null,
  ctx: { inFlow?: boolean; implicitKey?: boolean; blockIndent?: number } = {},
): Edit {
  // On a copy: setScalarValue rewrites the token, and other edits of the same
  // patch still measure the tree as the file has it.
  const tok = structuredClone(token)
  const from = tok.offset
  const to = from + CST.stringify(tok).length
  // A block scalar's lines go at blockIndent: setScalarValue indents them by
  // the token's own indent, which means different things for different tokens.
  let afterKey = !ctx.implicitKey
  if (ctx.blockIndent !== undefined && 'indent' in tok) {
    tok.indent = ctx.blockIndent
    afterKey = false
  }
  const opts = { afterKey, inFlow: ctx.inFlow, implicitKey: ctx.implicitKey }
  if (typeof value === 'string') {
    const type = pickStyle(value, styleOf(tok), ctx)
    // As an implicit key a double-quoted string is kept on one line (\n
    // escapes) instead of being folded over several.
    const oneLine = type === 'QUOTE_DOUBLE' || opts.implicitKey
    CST.setScalarValue(tok, value, { ...opts, implicitKey: oneLine, type })
  } else {
    CST.setScalarValue(tok, scalarText(value), { ...opts, type: 'PLAIN' })
  }
  // The token's text includes what follows the scalar (spaces, a comment):
  // leave out the unchanged tail, so an insertion right after the scalar
  // (`, min: 1` in `{ type: number }`) does not fall inside this edit.
  const old = src.slice(from, to)
  let text = CST.stringify(tok)
  let end = to
  // (Only within the line: the new text's line ends are "\n", the file's may be CRLF.)
  while (end > from && text.length > 0 && old[end - from - 1] === text[text.length - 1] && !'\r\n'.includes(text[text.length - 1]!)) {
    end--
    text = text.slice(0, -1)
  }
  return { from, to: end, text }
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
function refEdits(src: string, map: MapToken, keys: readonly string[], oldId: string, newId: string): Edit[] {
  const edits: Edit[] = []
  for (const item of keyedItems(map)) {
    if (!keys.includes(scalarValue(item.key) ?? '')) continue
    const v = item.value
    if (CST.isScalar(v) && v.type !== 'block-scalar' && scalarValue(v) === oldId) {
      edits.push(scalarEdit(src, v, newId, { inFlow: map.type === 'flow-collection' }))
    } else if (v?.type === 'block-seq' || (v?.type === 'flow-collection' && v.start.source === '[')) {
      for (const el of v.items) {
        const m = asMap(el.value)
        if (m) edits.push(...refEdits(src, m, keys, oldId, newId))
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

function sameList(a: unknown[], b: unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
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
