// The node form and the palette, generated from schemas/flow.schema.json so a
// field added to the schema shows up here without UI changes.
import rawSchema from '../../../schemas/flow.schema.json'
import type { YamlValue } from '../yaml/patch'

interface PropSchema {
  description?: string
  type?: string | string[]
  enum?: unknown[]
  default?: unknown
  examples?: unknown[]
  $ref?: string
  oneOf?: unknown[]
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
 * a node id picker unless the value is a list of {if, to}; `complex` values
 * (maps, lists) are edited in the YAML for now.
 */
export type FieldInput = 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'node' | 'next' | 'complex'

export interface FieldSpec {
  name: string
  input: FieldInput
  description: string
  required: boolean
  options?: string[]
  default?: unknown
  example?: unknown
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
    .map(([name, p]): FieldSpec => {
      const spec: FieldSpec = {
        name,
        input: inputOf(name, p),
        description: p.description ?? '',
        required: required.has(name),
        default: p.default,
        example: p.examples?.[0],
      }
      if (spec.input === 'enum') spec.options = (p.enum ?? []).map(String)
      return spec
    })
  return [...specs.filter((s) => s.required), ...specs.filter((s) => !s.required)]
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
