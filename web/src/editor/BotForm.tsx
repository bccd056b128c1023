// The bot's own fields, shown while no node is selected: its name and
// description, the node it starts at, and its variables (name, type,
// default, description). Each change is one patch of that field
// (setBotField / deleteBotField); `settings` stays in the YAML.
import type { YamlValue } from '../yaml/patch'
import { TextInput } from './forms/controls'

export const VARIABLE_TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'list', 'any'] as const

export interface Variable {
  type?: string
  default?: YamlValue
  description?: string
}

interface Props {
  /** The bot's top-level fields as the text has them. */
  fields: Record<string, unknown>
  nodeIds: string[]
  readOnly: boolean
  onSet(key: string, value: YamlValue | undefined): void
}

export function BotForm({ fields, nodeIds, readOnly, onSet }: Props) {
  const vars = variablesOf(fields.variables)
  const text = (key: string) => (typeof fields[key] === 'string' ? (fields[key] as string) : '')
  const setVars = (next: Record<string, Variable>) => onSet('variables', Object.keys(next).length ? (next as YamlValue) : undefined)
  return (
    <form className="node-form bot-form" data-testid="bot-form" onSubmit={(e) => e.preventDefault()}>
      <h2>
        The bot <span className="mono muted">{text('bot')}</span>
      </h2>
      <p className="muted small">Select a node to edit it; these are the bot&apos;s own fields.</p>
      {(['name', 'description'] as const).map((key) => (
        <label className="field" key={key}>
          <span className="field-name">{key}</span>
          <TextInput
            key={`${key}:${text(key)}`}
            value={text(key)}
            testId={`bot-${key}`}
            disabled={readOnly}
            onCommit={(v) => onSet(key, v.trim() === '' ? undefined : v)}
          />
        </label>
      ))}
      <label className="field">
        <span className="field-name">start</span>
        <select
          value={text('start')}
          disabled={readOnly}
          data-testid="bot-start"
          onChange={(e) => onSet('start', e.target.value === '' ? undefined : e.target.value)}
        >
          <option value="">(the first node)</option>
          {nodeIds.map((id) => (
            <option key={id} value={id}>
              {id}
            </option>
          ))}
        </select>
      </label>
      <fieldset className="field" data-testid="bot-variables">
        <legend className="field-name">variables</legend>
        <span className="field-help">What the flow reads and writes (a question&apos;s save names one), with its type and default.</span>
        {Object.entries(vars).map(([name, v]) => (
          <div className="var-row" key={name} data-testid={`bot-var-${name}`}>
            <span className="mono">{name}</span>
            <select
              value={v.type ?? 'string'}
              disabled={readOnly}
              aria-label={`${name}'s type`}
              onChange={(e) => setVars({ ...vars, [name]: { ...v, type: e.target.value } })}
            >
              {VARIABLE_TYPES.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
            <TextInput
              key={`${name}:${JSON.stringify(v.default)}`}
              value={v.default === undefined ? '' : JSON.stringify(v.default)}
              testId={`bot-var-${name}-default`}
              label={`${name}'s default`}
              placeholder="default (JSON)"
              disabled={readOnly}
              check={(raw) => (raw.trim() === '' || parseDefault(raw) !== undefined ? null : 'Write the default as JSON: 0, "text", true, [], {}')}
              onCommit={(raw) => setVars({ ...vars, [name]: withDefault(v, raw) })}
            />
            {!readOnly && (
              <button
                type="button"
                className="link"
                title={`Remove ${name}`}
                onClick={() => {
                  const { [name]: _, ...rest } = vars
                  setVars(rest)
                }}
              >
                ×
              </button>
            )}
          </div>
        ))}
        {!readOnly && (
          <TextInput
            key={Object.keys(vars).join(' ')}
            value=""
            testId="bot-var-add"
            disabled={false}
            placeholder="new variable name, Enter to add"
            check={(raw) => checkVariableName(raw, vars)}
            onCommit={(raw) => {
              const name = raw.trim()
              if (name && checkVariableName(name, vars) === null) setVars({ ...vars, [name]: { type: 'string' } })
            }}
          />
        )}
      </fieldset>
      <p className="muted small">The bot&apos;s `settings` (a model, limits) are edited in the YAML.</p>
    </form>
  )
}

/** The variables map as the form edits it: anything not a map of maps reads as none. */
export function variablesOf(v: unknown): Record<string, Variable> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return {}
  const out: Record<string, Variable> = {}
  for (const [name, spec] of Object.entries(v as Record<string, unknown>)) {
    out[name] = spec && typeof spec === 'object' && !Array.isArray(spec) ? (spec as Variable) : {}
  }
  return out
}

/** A new variable's name: a letter or underscore first, then letters, digits, underscores; not taken. */
export function checkVariableName(raw: string, vars: Record<string, Variable>): string | null {
  const name = raw.trim()
  if (name === '') return null
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return 'A name is a letter or _ then letters, digits or _'
  if (name in vars) return `${name} is declared already`
  return null
}

function parseDefault(raw: string): YamlValue | undefined {
  try {
    return JSON.parse(raw) as YamlValue
  } catch {
    return undefined
  }
}

/** v with the default typed as JSON; an empty text removes it. */
export function withDefault(v: Variable, raw: string): Variable {
  const { default: _, ...rest } = v
  if (raw.trim() === '') return rest
  const parsed = parseDefault(raw)
  return parsed === undefined ? v : { ...rest, default: parsed }
}
