// Turning values into YAML text for the bytes an edit writes.
//
// All quoting decisions are left to the `yaml` package's stringifier, so a
// string like "true", "123", "" or "{{ name }}" is quoted exactly when YAML
// would otherwise read it as something else, and never otherwise.
import { CST, Document, Pair, Scalar, YAMLMap, isCollection, parseDocument, visit } from 'yaml'

/** A value setField can write. Arrays are written as flow sequences. */
export type FieldValue = string | number | boolean | null | string[]

/** A value insertNode can write; objects and arrays in block style. */
export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue }

// lineWidth 0: never fold long lines (a fold would touch more lines than needed).
// flowCollectionPadding false: `{x: 1, y: 2}`, the style the bot files use.
const OPTIONS = { lineWidth: 0, blockQuote: 'literal', flowCollectionPadding: false } as const

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
 * Block-style lines of a one-key mapping `key: value`, indented by `step`
 * spaces per level and not yet indented as a whole. Multi-line strings become
 * `|` blocks. With flow, an array or object value is written on the key's
 * line: `key: [a, b]`, `ui: {x: 1, y: 2}`.
 */
export function renderEntry(key: string, value: YamlValue, step: number, flow = false): string[] {
  const doc = new Document({ [key]: value })
  const node = (doc.contents as YAMLMap).items[0]?.value
  if (flow && isCollection(node)) node.flow = true
  return doc.toString({ ...OPTIONS, indent: step }).replace(/\n$/, '').split('\n')
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
