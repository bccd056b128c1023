// The side form of the selected node, generated from the flow schema. Each
// field commits on change (selects) or on blur/Enter (text), as one patch:
// setField, or deleteField when cleared.
import type { FieldValue } from '../yaml/patch'
import type { GraphNode } from '../api'
import { type FieldSpec, fieldSpecs, kindDescription } from './schemaFields'

interface Props {
  node: GraphNode
  nodeIds: string[]
  readOnly: boolean
  onSet(key: string, value: FieldValue | undefined): void
  onRename(newId: string): void
  onJump(line: number): void
}

const LONG_TEXT = new Set(['text', 'prompt', 'instruction', 'description', 'invalid'])

export function NodeForm({ node, nodeIds, readOnly, onSet, onRename, onJump }: Props) {
  const specs = fieldSpecs(node.kind)
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
        <Field
          key={spec.name}
          spec={spec}
          value={node.fields[spec.name]}
          nodeId={node.id}
          nodeIds={nodeIds}
          readOnly={readOnly}
          onSet={onSet}
        />
      ))}
      <p className="muted small">
        Lists and maps (conditional next, input, buttons…) are edited in the YAML for now.{' '}
        <button type="button" className="link" onClick={() => onJump(node.first_line || node.line)}>
          Show in YAML
        </button>
      </p>
    </form>
  )
}

interface FieldProps {
  spec: FieldSpec
  value: unknown
  nodeId: string
  nodeIds: string[]
  readOnly: boolean
  onSet(key: string, value: FieldValue | undefined): void
}

function Field({ spec, value, nodeId, nodeIds, readOnly, onSet }: FieldProps) {
  // Inputs are uncontrolled and keyed by the value: an edit made elsewhere
  // (YAML, undo) resets them, while typing here does not patch per keystroke.
  const key = `${nodeId}:${spec.name}:${JSON.stringify(value)}`
  const set = (v: FieldValue | undefined) => onSet(spec.name, v)
  const title = spec.description + (spec.default !== undefined ? ` (default: ${JSON.stringify(spec.default)})` : '')
  let control
  const isScalar = value === undefined || value === null || typeof value !== 'object'
  const input = spec.input === 'next' && !isScalar ? 'complex' : spec.input
  if (!isScalar || input === 'complex') {
    control =
      value === undefined ? (
        <span className="muted small">not set — edit in YAML</span>
      ) : (
        <code className="complex small" title="Edit in the YAML">
          {JSON.stringify(value)}
        </code>
      )
  } else if (input === 'enum' || input === 'boolean' || input === 'node' || input === 'next') {
    const options =
      input === 'enum' ? (spec.options ?? []) : input === 'boolean' ? ['true', 'false'] : nodeIds.filter((id) => id !== nodeId)
    const current = value === undefined || value === null ? '' : String(value)
    if (current && !options.includes(current)) options.push(current)
    control = (
      <select
        key={key}
        defaultValue={current}
        disabled={readOnly}
        data-testid={`field-${spec.name}`}
        onChange={(e) => {
          const v = e.target.value
          set(v === '' ? undefined : input === 'boolean' ? v === 'true' : v)
        }}
      >
        <option value="">{spec.default !== undefined ? `(default: ${String(spec.default)})` : '(none)'}</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    )
  } else {
    const numeric = input === 'number' || input === 'integer'
    const commit = (raw: string) => {
      if (raw === (value === undefined || value === null ? '' : String(value))) return
      if (raw === '') return set(undefined)
      if (numeric) {
        const n = Number(raw)
        if (Number.isFinite(n)) set(input === 'integer' ? Math.round(n) : n)
        return
      }
      set(raw)
    }
    const common = {
      defaultValue: value === undefined || value === null ? '' : String(value),
      disabled: readOnly,
      placeholder: spec.default !== undefined ? String(spec.default) : spec.example !== undefined ? String(spec.example) : '',
      'data-testid': `field-${spec.name}`,
    }
    control =
      !numeric && LONG_TEXT.has(spec.name) ? (
        <textarea key={key} {...common} rows={3} onBlur={(e) => commit(e.target.value)} />
      ) : (
        <input
          key={key}
          {...common}
          type={numeric ? 'number' : 'text'}
          step={input === 'integer' ? 1 : 'any'}
          onBlur={(e) => commit(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()}
        />
      )
  }
  return (
    <label className="field" title={title}>
      <span className="field-name">
        {spec.name}
        {spec.required && <span className="required">*</span>}
      </span>
      {control}
      {spec.description && <span className="field-help">{spec.description}</span>}
    </label>
  )
}
