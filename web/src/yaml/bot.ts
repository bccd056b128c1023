// Finding things in a bot file: the `nodes` mapping, a node, a node's fields.
//
// Positions come from the `yaml` package's CST (concrete syntax tree), whose
// tokens keep their source offsets; typed current values come from the
// composed document, so "1" and 1 or "true" and true are told apart.
import { CST, Parser, parseDocument } from 'yaml'
import { column, detectEol, itemEnd, lineEnd, lineStart } from './source'

export interface Bot {
  src: string
  eol: string
  /** The top-level mapping. */
  root: CST.BlockMap
  /** The `nodes:` item of the top-level mapping. */
  nodesItem: CST.CollectionItem
  /** The nodes mapping; null for a `nodes:` written with no value at all. */
  nodes: CST.BlockMap | null
  /** The whole file as plain data. */
  data: Record<string, unknown>
}

export interface BotNode {
  id: string
  item: CST.CollectionItem & { key: CST.Token }
}

/** A mapping token: a block map or a flow `{...}` map. */
export type MapToken = CST.BlockMap | CST.FlowCollection

export function openBot(src: string): Bot {
  // A patch computed on broken YAML could do anything; refuse instead.
  const doc = parseDocument(src)
  if (doc.errors.length > 0) {
    throw new Error(`cannot edit: the YAML has errors: ${doc.errors[0]?.message}`)
  }
  let cstDoc: CST.Document | undefined
  for (const tok of new Parser().parse(src)) if (tok.type === 'document') cstDoc = cstDoc ?? tok
  const root = cstDoc?.value
  if (root?.type !== 'block-map') throw new Error('cannot edit: the file is not a block mapping of keys')
  const nodesItem = findItem(root, 'nodes')
  if (!nodesItem) throw new Error('cannot edit: the file has no top-level `nodes` mapping')
  const value = nodesItem.value
  if (value && value.type !== 'block-map') {
    throw new Error('cannot edit: `nodes` is not a block mapping (write it as `nodes:` with one node per indented key)')
  }
  const data = toData(doc, 'cannot edit')
  return { src, eol: detectEol(src), root, nodesItem, nodes: value ?? null, data }
}

/** The document as plain data; an alias without its anchor is an error here, not at parse time. */
export function toData(doc: ReturnType<typeof parseDocument>, context: string): Record<string, unknown> {
  try {
    return (doc.toJS() ?? {}) as Record<string, unknown>
  } catch (e) {
    throw new Error(`${context}: ${(e as Error).message}`)
  }
}

/** The string value of a key or scalar token, or undefined for anything else. */
export function scalarValue(tok: CST.Token | null | undefined): string | undefined {
  return CST.isScalar(tok) ? CST.resolveAsScalar(tok)?.value : undefined
}

/** The items of a mapping token that have a key. */
export function keyedItems(map: MapToken): Array<CST.CollectionItem & { key: CST.Token }> {
  const items: CST.CollectionItem[] = map.items
  return items.filter((it): it is CST.CollectionItem & { key: CST.Token } => !!it.key)
}

export function findItem(map: MapToken, key: string): (CST.CollectionItem & { key: CST.Token }) | undefined {
  return keyedItems(map).find((it) => scalarValue(it.key) === key)
}

/** The token as a mapping, or null when it is a scalar, sequence, alias or missing. */
export function asMap(tok: CST.Token | null | undefined): MapToken | null {
  if (tok?.type === 'block-map') return tok
  if (tok?.type === 'flow-collection' && tok.start.source === '{') return tok
  return null
}

export function listNodes(bot: Bot): BotNode[] {
  return bot.nodes ? keyedItems(bot.nodes).map((item) => ({ id: scalarValue(item.key) ?? '', item })) : []
}

export function getNode(bot: Bot, id: string): BotNode {
  const node = listNodes(bot).find((n) => n.id === id)
  if (!node) throw new Error(`no node "${id}" in nodes`)
  return node
}

/** The node's field mapping; throws for a node that is not a mapping. */
export function nodeFields(node: BotNode): MapToken {
  const map = asMap(node.item.value)
  if (!map) throw new Error(`node "${node.id}" is not a mapping of fields`)
  return map
}

/** Columns of indentation of a block map's keys. */
export function keyColumn(bot: Bot, map: CST.BlockMap): number {
  const first = keyedItems(map)[0]
  return first ? column(bot.src, first.key.offset) : map.indent
}

/**
 * The lines of a block map item (a node or a field): from the start of its key
 * line to just past its last content line, plus any comment lines after it
 * that are indented deeper than its key (they are inside its block). Comments
 * at the key's own indentation or less, and blank lines, are left out: they
 * introduce whatever follows.
 */
export function itemLines(bot: Bot, item: CST.CollectionItem & { key: CST.Token }): { from: number; to: number } {
  return blockLines(bot, item.key.offset, itemEnd(item))
}

/**
 * The lines of a block collection entry whose first token (key or `-`) is at
 * `anchor` and whose content ends at `end`: from the start of the anchor's
 * line to just past the last content line and the deeper comment lines after.
 */
export function blockLines(bot: Bot, anchor: number, end: number): { from: number; to: number } {
  const { src } = bot
  const keyCol = column(src, anchor)
  let to = lineEnd(src, end - 1)
  for (let at = to; at < src.length; ) {
    const next = lineEnd(src, at)
    const line = src.slice(at, next)
    const text = line.trimStart()
    if (text.startsWith('#') && line.length - text.length > keyCol) to = next
    else if (text !== '') break
    at = next
  }
  return { from: lineStart(src, anchor), to }
}

/** A sequence token: a block seq or a flow `[...]` seq. */
export type SeqToken = CST.BlockSequence | CST.FlowCollection

/** The token as a sequence, or null when it is anything else. */
export function asSeq(tok: CST.Token | null | undefined): SeqToken | null {
  if (tok?.type === 'block-seq') return tok
  if (tok?.type === 'flow-collection' && tok.start.source === '[') return tok
  return null
}

const SKIP = new Set(['space', 'newline', 'comment', 'comma', 'byte-order-mark'])

/**
 * Offset of the first byte of a flow collection item (its anchor, key or
 * value), after the comma and spaces that separate it from the one before.
 */
export function flowItemStart(item: CST.CollectionItem): number {
  const first = item.start.find((t) => !SKIP.has(t.type))
  if (first) return first.offset
  if (item.key) return item.key.offset
  const sep = item.sep?.find((t) => !SKIP.has(t.type))
  if (sep) return sep.offset
  return item.value ? item.value.offset : -1
}
