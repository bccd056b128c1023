// Turning values into YAML text for the bytes an edit writes.
//
// All quoting decisions are left to the `yaml` package's stringifier, so a
// string like "true", "123", "" or "{{ name }}" is quoted exactly when YAML
// would otherwise read it as something else, and never otherwise.
import { CST, Document, Pair, Scalar, YAMLMap, YAMLSeq, isCollection, isScalar, parseDocument, visit } from 'yaml'

/** A value insertNode and setField can write: scalars, lists and maps, nested. */
export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue }

/**
 * A value setField can write. Once only scalars and string lists, now any
 * YamlValue; the name is kept for the callers that use it.
 */
export type FieldValue = YamlValue

/**
 * How a collection is written: flow `{a: 1}` / `[a, b]` (pad: `{ a: 1 }`,
 * `[ a, b ]`), or block, one entry per line.
 */
export type CollectionStyle = { flow: true; pad: boolean } | { flow: false }

export const FLOW: CollectionStyle = { flow: true, pad: false }
export const BLOCK: CollectionStyle = { flow: false }

// lineWidth 0: never fold long lines (a fold would touch more lines than needed).
// flowCollectionPadding false: `{x: 1, y: 2}`, the style the bot files use.
const OPTIONS = { lineWidth: 0, blockQuote: 'literal', flowCollectionPadding: false } as const

export function isCollectionValue(value: unknown): value is YamlValue[] | { [key: string]: YamlValue } {
  return typeof value === 'object' && value !== null
}

/** True for [] and {}. */
export function isEmptyCollection(value: YamlValue): boolean {
  return isCollectionValue(value) && Object.keys(value).length === 0
}

/** One-line flow-style text of a value: `[a, b]`, `{x: 1, y: 2}`, `"true"`. */
export function renderFlow(value: YamlValue): string {
  const doc = new Document(value)
  // Double-quote multi-line strings: written plain, they would spread the
  // collection over several lines.
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'string' && node.value.includes('\n')) node.type = Scalar.QUOTE_DOUBLE
    },
  })
  return doc.toString({ ...OPTIONS, collectionStyle: 'flow' }).replace(/\n$/, '')
}

/**
 * Flow text of a value for a place inside a flow collection, or after a key:
 * like renderFlow, and with `pad` a space inside the outer brackets
 * (`{ type: yes_no }`, the way some files write them). A scalar is quoted as
 * a flow collection needs (`"a, b"`).
 */
export function flowText(value: YamlValue, pad = false): string {
  if (!isCollectionValue(value)) return renderFlow([value]).slice(1, -1)
  const text = renderFlow(value)
  return pad && !isEmptyCollection(value) ? `${text[0]} ${text.slice(1, -1)} ${text.slice(-1)}` : text
}

/** The text of a mapping key: plain when YAML allows, quoted otherwise. */
export function keyText(key: string, inFlow = false): string {
  if (inFlow) return renderFlow({ [key]: null }).slice(1, -1).replace(/: null$/, '')
  return new Document({ [key]: null }).toString(OPTIONS).replace(/\n$/, '').replace(/: null$/, '')
}

/**
 * Block-style lines of a one-key mapping `key: value`, indented by `step`
 * spaces per level and not yet indented as a whole. Multi-line strings become
 * `|` blocks. A collection value is written in `style` (flow on the key's
 * line: `key: [a, b]`, `ui: {x: 1, y: 2}`; empty ones always so); inside a
 * block value, lists of one-line scalars are written flow (`options: [a, b]`).
 */
export function renderEntry(key: string, value: YamlValue, step: number, style: CollectionStyle | boolean = BLOCK): string[] {
  const s: CollectionStyle = typeof style === 'boolean' ? (style ? FLOW : BLOCK) : style
  if (isCollectionValue(value) && (s.flow || isEmptyCollection(value))) {
    return [`${keyText(key)}: ${flowText(value, s.flow && s.pad)}`]
  }
  const doc = new Document({ [key]: value })
  const node = (doc.contents as YAMLMap).items[0]?.value
  flowInnerLists(doc, node)
  return doc.toString({ ...OPTIONS, indent: step }).replace(/\n$/, '').split('\n')
}

/**
 * Block-style lines of a value on its own (`- a` items for a list, `k: v`
 * lines for a map), indented by `step` per level and not as a whole. Lists of
 * one-line scalars nested inside are written flow.
 */
export function renderBlock(value: YamlValue, step: number): string[] {
  const doc = new Document(value)
  flowInnerLists(doc, doc.contents)
  return doc.toString({ ...OPTIONS, indent: step }).replace(/\n$/, '').split('\n')
}

/** Mark the lists of one-line scalars below `top` (not `top` itself) as flow. */
function flowInnerLists(doc: Document, top: unknown): void {
  visit(doc, {
    Seq(_, node) {
      if (node === top || !(node instanceof YAMLSeq) || node.items.length === 0) return
      const simple = node.items.every((it) => isScalar(it) && !(typeof it.value === 'string' && it.value.includes('\n')))
      if (simple) node.flow = true
    },
  })
  if (isCollection(top)) top.flow = false
}

/** Text of a non-string scalar; always written plain. */
export function scalarText(value: number | boolean | null): string {
  if (value === null) return 'null'
  if (typeof value === 'boolean') return String(value)
  if (Number.isNaN(value)) return '.nan'
  if (!Number.isFinite(value)) return value > 0 ? '.inf' : '-.inf'
  return Object.is(value, -0) ? '0' : String(value)
}

/** The scalar style a CST scalar token is written in. */
export function styleOf(tok: CST.Token): Scalar.Type {
  switch (tok.type) {
    case 'single-quoted-scalar':
      return Scalar.QUOTE_SINGLE
    case 'double-quoted-scalar':
      return Scalar.QUOTE_DOUBLE
    case 'block-scalar':
      return CST.stringify(tok.props[0] ?? tok).startsWith('>') ? Scalar.BLOCK_FOLDED : Scalar.BLOCK_LITERAL
    default:
      return Scalar.PLAIN
  }
}

/**
 * The style to write string `value` in, preferring `preferred`: the style the
 * stringifier picks for it in that position. (CST.setScalarValue alone would
 * write `true` plain, turning a string into a boolean; this asks the schema.)
 */
export function pickStyle(
  value: string,
  preferred: Scalar.Type,
  ctx: { inFlow?: boolean; implicitKey?: boolean } = {},
): Scalar.Type {
  // A multi-line value becomes a block scalar (folded stays folded), or a
  // double-quoted one where blocks cannot go; the stringifier would otherwise
  // write it as a plain scalar spread over lines, hard to read and to edit.
  // (setScalarValue still falls back to quoting for strings a block cannot hold.)
  if (value.includes('\n')) {
    if (ctx.inFlow || ctx.implicitKey) return Scalar.QUOTE_DOUBLE
    return preferred === Scalar.BLOCK_FOLDED ? preferred : Scalar.BLOCK_LITERAL
  }
  const s = new Scalar(value)
  s.type = preferred
  const map = new YAMLMap()
  map.flow = ctx.inFlow ?? false
  map.items.push(ctx.implicitKey ? new Pair(s, new Scalar(1)) : new Pair(new Scalar('k'), s))
  const doc = new Document()
  doc.contents = map
  const back = parseDocument(doc.toString({ ...OPTIONS, blockQuote: true })).contents as YAMLMap<Scalar, Scalar>
  const pair = back.items[0]
  return (ctx.implicitKey ? pair?.key.type : pair?.value?.type) ?? Scalar.QUOTE_DOUBLE
}
