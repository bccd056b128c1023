// Pure helpers of the list and map editors: each form action computes the
// field's whole new value here, and the form hands it to setField, which
// patches only the entries that changed.
import type { YamlValue } from '../../yaml/patch'
import type { FieldSpec } from '../schemaFields'
import { checkExpression, checkNumber, checkPattern } from './checks'

export type Scalar = string | number | boolean | null
export type Dict = { [key: string]: YamlValue }

export function isRecord(v: unknown): v is Dict {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

export function isScalar(v: unknown): v is Scalar {
  return v === null || (typeof v !== 'object' && typeof v !== 'function' && v !== undefined)
}

/** The text a scalar is shown as in an input. */
export function shown(v: unknown): string {
  return v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v)
}

/** The list with item i moved by one place up (-1) or down (1); unchanged at the ends. */
export function move<T>(list: readonly T[], i: number, by: -1 | 1): T[] {
  const j = i + by
  if (i < 0 || i >= list.length || j < 0 || j >= list.length) return [...list]
  const out = [...list]
  ;[out[i], out[j]] = [out[j]!, out[i]!]
  return out
}

export function removeAt<T>(list: readonly T[], i: number): T[] {
  return list.filter((_, k) => k !== i)
}

export function replaceAt<T>(list: readonly T[], i: number, v: T): T[] {
  return list.map((x, k) => (k === i ? v : x))
}

/** map with key set to value (kept in its place), or removed for undefined; undefined when nothing is left. */
export function withKey(map: Dict | undefined, key: string, value: YamlValue | undefined): Dict | undefined {
  const out: Dict = {}
  let placed = false
  for (const [k, v] of Object.entries(map ?? {})) {
    if (k !== key) out[k] = v
    else if (value !== undefined) {
      out[k] = value
      placed = true
    }
  }
  if (!placed && value !== undefined) out[key] = value
  return Object.keys(out).length > 0 ? out : undefined
}

/** map with key `from` renamed to `to` in its place; null when `to` is taken or empty. */
export function renameKey(map: Dict, from: string, to: string): Dict | null {
  if (!to || (to !== from && Object.prototype.hasOwnProperty.call(map, to))) return null
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k === from ? to : k, v]))
}

/** The value typed for a scalar spec: undefined for an empty text (the field is cleared); an error message when it cannot be one. */
export function parseScalar(spec: FieldSpec, raw: string): { value: Scalar | undefined } | { error: string } {
  if (raw === '') return { value: undefined }
  switch (spec.input) {
    case 'number':
    case 'integer': {
      const problem = checkNumber(raw, { integer: false })
      if (problem) return { error: problem }
      const n = Number(raw)
      return { value: spec.input === 'integer' ? Math.round(n) : n }
    }
    case 'boolean':
      return raw === 'true' || raw === 'false' ? { value: raw === 'true' } : { error: 'true or false' }
    default:
      if (spec.expression) {
        // Written plain where YAML reads the same value: `if: true`, `count: 0`.
        if ((raw === 'true' || raw === 'false') && spec.types?.includes('boolean')) return { value: raw === 'true' }
        if (/^-?\d+(\.\d+)?$/.test(raw) && (spec.types?.includes('number') || spec.types?.includes('integer'))) return { value: Number(raw) }
      }
      return { value: raw }
  }
}

/** The as-you-type check of a text for a spec, if it has one. */
export function checkOf(spec: FieldSpec): ((text: string) => string | null) | undefined {
  if (spec.expression) return checkExpression
  if (spec.input === 'number' || spec.input === 'integer') {
    return (t) => checkNumber(t, { integer: spec.input === 'integer', minimum: spec.minimum, maximum: spec.maximum })
  }
  if (spec.pattern && spec.input === 'string') {
    const pattern = spec.pattern
    return (t) => checkPattern(t, pattern, spec.example)
  }
  return undefined
}

/** Whether the form can edit this value of the field; a value it cannot is edited in the YAML. */
export function fits(spec: FieldSpec, v: unknown): boolean {
  if (v === undefined) return true
  if (spec.input === 'next') return typeof v === 'string' || isConditions(v)
  if (spec.input !== 'complex') return isScalar(v)
  const shape = spec.shape
  switch (shape?.kind) {
    case 'list':
      return Array.isArray(v) && v.every((x) => isScalar(x) && x !== null)
    case 'map':
      return isRecord(v) && Object.values(v).every((x) => isScalar(x) && x !== null)
    case 'object':
      return isRecord(v) && Object.entries(v).every(([k, x]) => {
        const f = shape.fields.find((s) => s.name === k)
        return f ? fits(f, x) : false
      })
    case 'objects':
      return (
        Array.isArray(v) &&
        v.every((item) => isRecord(item) && Object.entries(item).every(([k, x]) => shape.fields.some((f) => f.name === k) && isScalar(x)))
      )
    default:
      return false
  }
}

// ---- conditional next ----

export interface Condition {
  if?: string | boolean
  to: string
}

/** A next written as a list of {if, to}, each with a target and at most a scalar condition. */
export function isConditions(v: unknown): v is Condition[] {
  return (
    Array.isArray(v) &&
    v.length > 0 &&
    v.every(
      (e) =>
        isRecord(e) &&
        typeof e.to === 'string' &&
        (e.if === undefined || typeof e.if === 'string' || typeof e.if === 'boolean') &&
        Object.keys(e).every((k) => k === 'if' || k === 'to'),
    )
  )
}

/** Add a condition: one with `if` goes before the final catch-all entry (without `if`), if there is one; else last. */
export function addCondition(list: readonly Condition[], entry: Condition): Condition[] {
  const last = list[list.length - 1]
  if (entry.if !== undefined && last && last.if === undefined) return [...list.slice(0, -1), entry, last]
  return [...list, entry]
}

/** The entry with its condition set, or dropped (a catch-all) for undefined. */
export function withCondition(entry: Condition, cond: string | boolean | undefined): Condition {
  return cond === undefined ? { to: entry.to } : { if: cond, to: entry.to }
}

/** The single target a list of conditions becomes: its catch-all's, else its first entry's. */
export function singleTarget(list: readonly Condition[]): string | undefined {
  return (list.find((e) => e.if === undefined) ?? list[0])?.to
}

// ---- maps with a `type` (question.input) ----

/** Whether a sub-field applies to the map's current type. */
export function appliesTo(field: FieldSpec, type: string | undefined): boolean {
  return !field.forTypes || (type !== undefined && field.forTypes.includes(type))
}

/** The map with a new type (undefined: the default), dropping fields that are only for other types. */
export function changeType(map: Dict | undefined, fields: FieldSpec[], type: string | undefined): Dict | undefined {
  // A new type goes first, where it reads best.
  let out: Dict | undefined =
    type !== undefined && !(map && 'type' in map) ? { type, ...(map ?? {}) } : withKey(map, 'type', type)
  for (const f of fields) {
    if (f.name !== 'type' && out && out[f.name] !== undefined && !appliesTo(f, type ?? defaultType(fields))) out = withKey(out, f.name, undefined)
  }
  return out
}

export function defaultType(fields: FieldSpec[]): string | undefined {
  const d = fields.find((f) => f.name === 'type')?.default
  return typeof d === 'string' ? d : undefined
}
