// The side form of the selected node, generated from the flow schema. Each
// field commits on change (selects, buttons) or on blur/Enter (text), as one
// patch: setField with the field's new value (a list or map as a whole, which
// setField patches entry by entry), or deleteField when it is cleared.
//
// Scalars get inputs; `next` a node picker or a list of conditions; lists and
// maps the editor their schema shape calls for (forms/collections.tsx). A
// value the form cannot edit (a free-form payload, a list written some other
// way) is shown as is, with a link to it in the YAML.
import { parseDocument } from 'yaml'
import type { YamlValue } from '../yaml/patch'
import type { GraphNode } from '../api'
import { type FieldSpec, fieldSpecs, kindDescription } from './schemaFields'
import { FieldBox, ValueEditor } from './forms/collections'
import { type FormEnv, ScalarControl } from './forms/controls'
import { NextField } from './forms/NextField'
import { fits } from './forms/values'

interface Props {
  node: GraphNode
  nodeIds: string[]
  readOnly: boolean
  /** Set a field to a value (scalar, list or map), or delete it (undefined). */
  onSet(key: string, value: YamlValue | undefined): void
  onRename(newId: string): void
  onJump(line: number): void
  /**
   * The flow's current text, when the caller has it: the fields are then read
   * from it, so maps show in file order (the graph's data has its keys
   * sorted) and the form is never behind the text.
   */
  source?: string
}

export function NodeForm({ node, nodeIds, readOnly, onSet, onRename, onJump, source }: Props) {
  const specs = fieldSpecs(node.kind)
  const fields = (source !== undefined && lastFieldsIn(source, node.id)) || node.fields
  const env: FormEnv = { nodeId: node.id, nodeIds, readOnly }
  const jump = () => onJump(node.first_line || node.line)
  return (
    <form className="node-form" data-testid="node-form" onSubmit={(e) => e.preventDefault()}>
      <h2>
        <span className="mono">{node.id}</span> <span className="muted">{node.kind}</span>
      </h2>
      <p className="muted small">{kindDescription(node.kind)}</p>
      <label className="field">
        <span className="field-name">id</span>
        <input
          key={node.id}
          defaultValue={node.id}
          disabled={readOnly}
          data-testid="field-id"
          onBlur={(e) => e.target.value.trim() !== node.id && onRename(e.target.value.trim())}
          onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()}
        />
      </label>
      {specs.map((spec) => (
        <Field key={spec.name} spec={spec} value={fields[spec.name]} env={env} onSet={onSet} onJump={jump} />
      ))}
      <p className="muted small">
        <button type="button" className="link" onClick={jump}>
          Show in YAML
        </button>
      </p>
    </form>
  )
}

/** The fields of a node as the text has them; null when the text does not parse or lacks the node. */
// Parsing the text is the costly part of a render (every render while a
// node is selected): the last answer is kept for the same text and node.
let lastRead: { source: string; id: string; fields: Record<string, unknown> | null } | null = null

function lastFieldsIn(source: string, id: string): Record<string, unknown> | null {
  if (lastRead?.source !== source || lastRead.id !== id) lastRead = { source, id, fields: fieldsIn(source, id) }
  return lastRead.fields
}

function fieldsIn(source: string, id: string): Record<string, unknown> | null {
  try {
    const doc = parseDocument(source)
    if (doc.errors.length > 0) return null
    const nodes = (doc.toJS() as { nodes?: unknown } | null)?.nodes
    const data = nodes && typeof nodes === 'object' ? (nodes as Record<string, unknown>)[id] : null
    return data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : null
  } catch {
    return null
  }
}

interface FieldProps {
  spec: FieldSpec
  value: unknown
  env: FormEnv
  onSet(key: string, value: YamlValue | undefined): void
  onJump(): void
}

function Field({ spec, value, env, onSet, onJump }: FieldProps) {
  const testId = `field-${spec.name}`
  const set = (v: YamlValue | undefined) => onSet(spec.name, v)
  const editable = fits(spec, value) && (spec.input !== 'complex' || !!spec.shape)
  if (!editable) {
    return (
      <FieldBox spec={spec}>
        {value === undefined ? (
          <span className="muted small">not set</span>
        ) : (
          <code className="complex small" data-testid={`${testId}-yaml`}>
            {JSON.stringify(value)}
          </code>
        )}
        <button type="button" className="link small" data-testid={`${testId}-jump`} onClick={onJump}>
          Edit in YAML
        </button>
      </FieldBox>
    )
  }
  if (spec.input === 'next') {
    const confirm = typeof window !== 'undefined' ? (m: string) => window.confirm(m) : undefined
    return (
      <FieldBox spec={spec}>
        <NextField spec={spec} value={value} env={env} testId={testId} onChange={set} confirm={confirm} />
      </FieldBox>
    )
  }
  if (spec.input === 'complex') {
    return (
      <FieldBox spec={spec}>
        <ValueEditor spec={spec} value={value} env={env} testId={testId} onChange={set} />
      </FieldBox>
    )
  }
  const title = spec.description + (spec.default !== undefined ? ` (default: ${JSON.stringify(spec.default)})` : '')
  return (
    <label className="field" title={title}>
      <span className="field-name">
        {spec.name}
        {spec.required && <span className="required">*</span>}
      </span>
      <ScalarControl spec={spec} value={value} env={env} testId={testId} onValue={set} />
      {spec.description && <span className="field-help">{spec.description}</span>}
    </label>
  )
}
