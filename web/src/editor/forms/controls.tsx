// The small controls the node form is built of. Inputs are uncontrolled and
// keyed by the value they show: an edit made elsewhere (YAML, undo) resets
// them, while typing here commits only on blur or Enter, as one patch.
//
// Only TextInput and AddRow keep state (the message of the as-you-type check,
// the entries of a row being added); every other control is a plain function
// of its props, so a test can render the form's tree and call its handlers.
import { useState } from 'react'
import type { YamlValue } from '../../yaml/patch'
import type { FieldSpec } from '../schemaFields'
import { type Scalar, checkOf, parseScalar, shown } from './values'

/** What every control of one node's form shares. */
export interface FormEnv {
  nodeId: string
  nodeIds: string[]
  readOnly: boolean
}

export interface TextInputProps {
  value: string
  testId: string
  disabled: boolean
  placeholder?: string
  label?: string
  multiline?: boolean
  numeric?: 'number' | 'integer'
  /** A problem with the text as typed, or null; shown under the input as it is typed. */
  check?: (text: string) => string | null
  /** The text, on blur or Enter, when it differs from value. */
  onCommit(text: string): void
}

export function TextInput({ value, testId, disabled, placeholder, label, multiline, numeric, check, onCommit }: TextInputProps) {
  const [problem, setProblem] = useState(() => (check && value !== '' ? check(value) : null))
  const common = {
    defaultValue: value,
    disabled,
    placeholder,
    'aria-label': label,
    'aria-invalid': problem ? true : undefined,
    'data-testid': testId,
    onChange: check
      ? (e: { currentTarget: { value: string } }) => {
          const t = e.currentTarget.value
          setProblem(t === '' ? null : check(t))
        }
      : undefined,
    onBlur: (e: { currentTarget: { value: string } }) => {
      if (e.currentTarget.value !== value) onCommit(e.currentTarget.value)
    },
  }
  return (
    <span className="text-input">
      {multiline ? (
        <textarea {...common} rows={3} />
      ) : (
        <input
          {...common}
          type={numeric ? 'number' : 'text'}
          step={numeric === 'integer' ? 1 : numeric ? 'any' : undefined}
          onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()}
        />
      )}
      {problem && (
        <span className="input-problem" role="status" data-testid={`${testId}-problem`}>
          {problem}
        </span>
      )}
    </span>
  )
}

export interface SelectProps {
  value: string
  options: string[]
  testId: string
  disabled: boolean
  /** The first, empty choice ("(none)", "(default: text)"); none: a value must be picked. */
  empty?: string
  label?: string
  onPick(value: string): void
}

/** A select committing on change. A current value that is not an option is kept as one, so it shows. */
export function Select({ value, options, testId, disabled, empty, label, onPick }: SelectProps) {
  const all = value && !options.includes(value) ? [...options, value] : options
  return (
    <select key={value} defaultValue={value} disabled={disabled} aria-label={label} data-testid={testId} onChange={(e) => onPick(e.target.value)}>
      {empty !== undefined && <option value="">{empty}</option>}
      {all.map((o) => (
        <option key={o} value={o}>
          {o}
        </option>
      ))}
    </select>
  )
}

export function emptyChoice(spec: FieldSpec): string {
  return spec.default !== undefined ? `(default: ${String(spec.default)})` : '(none)'
}

export function placeholderOf(spec: FieldSpec): string {
  return spec.default !== undefined ? String(spec.default) : spec.example !== undefined && typeof spec.example !== 'object' ? String(spec.example) : ''
}

const LONG_TEXT = new Set(['text', 'prompt', 'instruction', 'description', 'invalid'])

export interface ScalarProps {
  spec: FieldSpec
  value: unknown
  env: FormEnv
  testId: string
  label?: string
  /** The new value; undefined when the field is cleared. Not called when nothing changed. */
  onValue(value: Scalar | undefined): void
}

/** The control of a scalar: a select for enums, booleans and node ids, else a checked text input. */
export function ScalarControl({ spec, value, env, testId, label, onValue }: ScalarProps) {
  const current = shown(value)
  const key = `${env.nodeId}:${testId}:${JSON.stringify(value)}`
  const { input } = spec
  if (input === 'enum' || input === 'boolean' || input === 'node' || input === 'next') {
    const options =
      input === 'enum' ? (spec.options ?? []) : input === 'boolean' ? ['true', 'false'] : env.nodeIds.filter((id) => id !== env.nodeId)
    return (
      <Select
        key={key}
        value={current}
        options={options}
        testId={testId}
        label={label}
        disabled={env.readOnly}
        empty={spec.required && input === 'node' && current !== '' ? undefined : emptyChoice(spec)}
        onPick={(v) => {
          if (v === current) return
          onValue(v === '' ? undefined : input === 'boolean' ? v === 'true' : v)
        }}
      />
    )
  }
  const numeric = input === 'number' || input === 'integer' ? input : undefined
  return (
    <TextInput
      key={key}
      value={current}
      testId={testId}
      label={label}
      disabled={env.readOnly}
      placeholder={placeholderOf(spec)}
      multiline={!numeric && LONG_TEXT.has(spec.name)}
      numeric={numeric}
      check={checkOf(spec)}
      onCommit={(raw) => {
        if (raw === current) return
        const r = parseScalar(spec, raw)
        if ('value' in r) onValue(r.value)
      }}
    />
  )
}

/** Move up, move down and remove buttons of a list row; nothing when read-only. */
export function RowButtons({
  index,
  count,
  testId,
  env,
  what,
  onMove,
  onRemove,
}: {
  index: number
  count: number
  testId: string
  env: FormEnv
  what: string
  onMove?(by: -1 | 1): void
  onRemove(): void
}) {
  if (env.readOnly) return null
  return (
    <span className="row-buttons">
      {onMove && (
        <>
          <button type="button" title={`Move this ${what} up`} aria-label={`Move ${what} up`} disabled={index === 0} data-testid={`${testId}-up`} onClick={() => onMove(-1)}>
            ↑
          </button>
          <button
            type="button"
            title={`Move this ${what} down`}
            aria-label={`Move ${what} down`}
            disabled={index === count - 1}
            data-testid={`${testId}-down`}
            onClick={() => onMove(1)}
          >
            ↓
          </button>
        </>
      )}
      <button type="button" title={`Remove this ${what}`} aria-label={`Remove ${what}`} data-testid={`${testId}-remove`} onClick={onRemove}>
        ×
      </button>
    </span>
  )
}

/** One input of an AddRow. */
export interface AddInput {
  name: string
  label: string
  /** Options make it a select. */
  options?: string[]
  placeholder?: string
  required?: boolean
  check?: (text: string) => string | null
}

/**
 * A row of inputs for a new list item or map entry, and its Add button. It
 * adds only when the required inputs are filled and none fails its check;
 * Enter in a text input adds too. onAdd gets the texts typed (empty ones left
 * out); the row then clears itself.
 */
export function AddRow({ inputs, testId, label, onAdd }: { inputs: AddInput[]; testId: string; label: string; onAdd(values: Record<string, string>): void }) {
  const initial = () => Object.fromEntries(inputs.filter((i) => i.options && i.required).map((i) => [i.name, i.options![0] ?? '']))
  const [values, setValues] = useState<Record<string, string>>(initial)
  const [round, setRound] = useState(0)
  const problems = inputs.map((i) => {
    const v = values[i.name] ?? ''
    if (v === '') return i.required ? 'required' : null
    return i.check?.(v) ?? null
  })
  const ready = problems.every((p) => p === null)
  const add = () => {
    if (!ready) return
    onAdd(Object.fromEntries(Object.entries(values).filter(([, v]) => v !== '')))
    setValues(initial())
    setRound((r) => r + 1)
  }
  return (
    <div className="add-row" data-testid={testId}>
      {inputs.map((i, k) => {
        const set = (v: string) => setValues((old) => ({ ...old, [i.name]: v }))
        const problem = (values[i.name] ?? '') !== '' ? problems[k] : null
        return i.options ? (
          <select
            key={`${round}:${i.name}`}
            aria-label={i.label}
            data-testid={`${testId}-${i.name}`}
            defaultValue={values[i.name] ?? ''}
            onChange={(e) => set(e.target.value)}
          >
            {!i.required && <option value="">{i.placeholder ?? '(none)'}</option>}
            {i.options.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        ) : (
          <span className="text-input" key={`${round}:${i.name}`}>
            <input
              aria-label={i.label}
              aria-invalid={problem ? true : undefined}
              placeholder={i.placeholder ?? i.label}
              data-testid={`${testId}-${i.name}`}
              onChange={(e) => set(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault()
                  add()
                }
              }}
            />
            {problem && <span className="input-problem">{problem}</span>}
          </span>
        )
      })}
      <button type="button" disabled={!ready} data-testid={`${testId}-button`} onClick={add}>
        {label}
      </button>
    </div>
  )
}

/** The AddRow input for a scalar spec. */
export function addInputOf(spec: FieldSpec, env: FormEnv, name: string, label: string, required: boolean): AddInput {
  const input: AddInput = { name, label, required, placeholder: placeholderOf(spec) || label }
  if (spec.input === 'enum') input.options = spec.options ?? []
  else if (spec.input === 'boolean') input.options = ['true', 'false']
  else if (spec.input === 'node') input.options = env.nodeIds.filter((id) => id !== env.nodeId)
  else input.check = checkOf(spec)
  if (input.options) input.placeholder = emptyChoice(spec)
  return input
}

/** The value typed into an AddRow input for a spec; undefined when empty or not valid. */
export function addedValue(spec: FieldSpec, text: string | undefined): YamlValue | undefined {
  if (text === undefined || text === '') return undefined
  const r = parseScalar(spec, text)
  return 'value' in r ? r.value : undefined
}
