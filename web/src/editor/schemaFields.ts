// The node form and the palette, generated from schemas/flow.schema.json so a
// field added to the schema shows up here without UI changes: scalars get
// inputs, lists and maps an editor chosen by their schema's shape.
import rawSchema from '../../../schemas/flow.schema.json'
import type { YamlValue } from '../yaml/patch'

interface PropSchema {
  description?: string
  type?: string | string[]
  enum?: unknown[]
  default?: unknown
  examples?: unknown[]
  $ref?: string
  oneOf?: PropSchema[]
  pattern?: string
  minimum?: number
  maximum?: number
  minItems?: number
  items?: PropSchema
  properties?: Record<string, PropSchema>
  required?: string[]
  additionalProperties?: boolean | PropSchema
  propertyNames?: { pattern?: string }
}

interface KindSchema {
  description?: string
  properties: Record<string, PropSchema>
  required?: string[]
}

interface FlowSchema {
  $defs: Record<string, KindSchema> & { node: { properties: { kind: { enum: string[] } } } }
}

const schema = rawSchema as unknown as FlowSchema

/**
 * How the form edits a field: scalar inputs; `node` a node id picker; `next`
 * a node id picker or a list of {if, to} conditions; `complex` values (maps,
 * lists) by the editor its `shape` names, or in the YAML when it has none.
 */
export type FieldInput = 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'node' | 'next' | 'complex'

/**
 * The form of a list or map field:
 * - `list`: a list of scalars (buttons, knowledge, accept), each an `item`;
 * - `map`: free keys (matching `keyPattern`) to scalar `value`s (assign, headers, tools);
 * - `object`: the fixed `fields` of a map (input, model, memory, formatting);
 * - `objects`: a list of maps with fixed scalar `fields` (remind, attachments).
 */
export type FieldShape =
  | { kind: 'list'; item: FieldSpec }
  | { kind: 'map'; value: FieldSpec; keyPattern?: string }
  | { kind: 'object'; fields: FieldSpec[] }
  | { kind: 'objects'; fields: FieldSpec[] }

export interface FieldSpec {
  name: string
  input: FieldInput
  description: string
  required: boolean
  options?: string[]
  default?: unknown
  example?: unknown
  /** A value of several scalar types (string or boolean, ...): an expression, checked as it is typed. */
  expression?: boolean
  /** The scalar types an expression may be written as. */
  types?: string[]
  /** A regular expression a string value must match. */
  pattern?: string
  minimum?: number
  maximum?: number
  /** For a list: the fewest items it may have. */
  minItems?: number
  /** How a complex field is edited; none: in the YAML. */
  shape?: FieldShape
  /**
   * In a map with a `type` enum (question.input): the types this field is
   * for, from its description ("The choices ... (choice and multichoice)").
   * Unset: every type.
   */
  forTypes?: string[]
}

/** The {if, to} entry of a conditional next: its fields. */
export function conditionSpecs(): { if: FieldSpec; to: FieldSpec } {
  for (const def of Object.values(schema.$defs) as KindSchema[]) {
    const items = def.properties?.next?.oneOf?.find((o) => o.type === 'array')?.items
    const props = items?.properties
    if (props?.if && props.to) {
      const req = new Set(items?.required ?? [])
      return { if: specOf('if', props.if, req.has('if')), to: specOf('to', props.to, req.has('to')) }
    }
  }
  return {
    if: { name: 'if', input: 'string', expression: true, description: '', required: false },
    to: { name: 'to', input: 'node', description: '', required: true },
  }
}

/** Fields the form never shows: the kind is fixed, `ui` is the canvas's business. */
const HIDDEN = new Set(['kind', 'ui'])
const SCALAR_TYPES = new Set(['string', 'number', 'integer', 'boolean'])

/** The node kinds, in the schema's order. */
export function nodeKinds(): string[] {
  return [...schema.$defs.node.properties.kind.enum]
}

export function kindDescription(kind: string): string {
  return schema.$defs[kind]?.description ?? ''
}

/** The form fields of a kind: required ones first, then the others, each in schema order. */
export function fieldSpecs(kind: string): FieldSpec[] {
  const def = schema.$defs[kind]
  if (!def) return []
  const required = new Set(def.required ?? [])
  const specs = Object.entries(def.properties)
    .filter(([name]) => !HIDDEN.has(name))
    .map(([name, p]) => specOf(name, p, required.has(name)))
  return [...specs.filter((s) => s.required), ...specs.filter((s) => !s.required)]
}

function specOf(name: string, p: PropSchema, required: boolean): FieldSpec {
  const spec: FieldSpec = {
    name,
    input: inputOf(name, p),
    description: p.description ?? '',
    required,
    default: p.default,
    example: p.examples?.[0],
  }
  if (spec.input === 'enum') spec.options = (p.enum ?? []).map(String)
  if (Array.isArray(p.type) && spec.input === 'string') {
    spec.expression = true
    spec.types = [...p.type]
  }
  if (p.pattern !== undefined) spec.pattern = p.pattern
  if (p.minimum !== undefined) spec.minimum = p.minimum
  if (p.maximum !== undefined) spec.maximum = p.maximum
  if (p.minItems !== undefined) spec.minItems = p.minItems
  if (spec.input === 'complex') {
    const shape = shapeOf(p)
    if (shape) spec.shape = shape
  }
  return spec
}

const isScalarInput = (s: FieldSpec) => s.input !== 'complex' && s.input !== 'next'

function shapeOf(p: PropSchema): FieldShape | undefined {
  if (p.type === 'array' && p.items) {
    const item = specOf('item', p.items, true)
    if (isScalarInput(item)) return { kind: 'list', item }
    if (item.shape?.kind === 'object' && item.shape.fields.every(isScalarInput)) return { kind: 'objects', fields: item.shape.fields }
    return undefined
  }
  if (p.type !== 'object') return undefined
  if (p.properties) {
    const required = new Set(p.required ?? [])
    const fields = Object.entries(p.properties).map(([name, q]) => specOf(name, q, required.has(name)))
    if (!fields.every((f) => isScalarInput(f) || f.shape)) return undefined
    // A `type` enum decides which other fields apply: their descriptions name the types in brackets.
    const types = fields.find((f) => f.name === 'type' && f.input === 'enum')?.options
    if (types) {
      for (const f of fields) {
        if (f.name === 'type') continue
        const named = [...f.description.matchAll(/\(([^)]*)\)/g)].flatMap((m) => m[1]!.split(/[^A-Za-z0-9_]+/))
        const forTypes = types.filter((t) => named.includes(t))
        if (forTypes.length > 0) f.forTypes = forTypes
      }
      // The type first: it decides what follows.
      fields.sort((a, b) => Number(b.name === 'type') - Number(a.name === 'type'))
    }
    return { kind: 'object', fields }
  }
  if (typeof p.additionalProperties === 'object') {
    const value = specOf('value', p.additionalProperties, true)
    if (!isScalarInput(value)) return undefined
    const shape: FieldShape = { kind: 'map', value }
    if (p.propertyNames?.pattern) shape.keyPattern = p.propertyNames.pattern
    return shape
  }
  return undefined
}

function inputOf(name: string, p: PropSchema): FieldInput {
  if (name === 'next' && p.oneOf) return 'next'
  if (p.$ref === '#/$defs/node_id') return 'node'
  if (p.enum) return 'enum'
  if (typeof p.type === 'string') {
    if (p.type === 'string' || p.type === 'number' || p.type === 'integer' || p.type === 'boolean') return p.type
    return 'complex'
  }
  // ["string", "boolean"] and the like are expressions: edited as text.
  if (Array.isArray(p.type) && p.type.every((t) => SCALAR_TYPES.has(t))) return 'string'
  return 'complex'
}

/** The fields of a new node from the palette: its kind and each required field, from the schema's example. */
export function newNodeFields(kind: string): Record<string, YamlValue> {
  const fields: Record<string, YamlValue> = { kind }
  for (const spec of fieldSpecs(kind)) {
    if (!spec.required) continue
    fields[spec.name] = (spec.example ?? spec.default ?? emptyOf(spec.input)) as YamlValue
  }
  // A message says something by default, so a fresh one is not a silent node.
  if (kind === 'message' && !('text' in fields)) fields.text = 'New message'
  return fields
}

function emptyOf(input: FieldInput): YamlValue {
  switch (input) {
    case 'number':
    case 'integer':
      return 0
    case 'boolean':
      return false
    case 'complex':
      return {}
    default:
      return ''
  }
}

/** The text shown on a node on the canvas: the first key field it has, shortened. */
export function keyText(fields: Record<string, unknown>, max = 60): string {
  for (const k of ['text', 'prompt', 'question', 'instruction', 'url', 'reason', 'to', 'for', 'until']) {
    const v = fields[k]
    if (typeof v === 'string' && v.trim()) return shorten(v, max)
  }
  const assign = fields.assign
  if (assign && typeof assign === 'object' && !Array.isArray(assign)) {
    return shorten(Object.keys(assign).join(', '), max)
  }
  return ''
}

export function shorten(s: string, max: number): string {
  const one = s.replace(/\s+/g, ' ').trim()
  return one.length > max ? one.slice(0, max - 1) + '…' : one
}
