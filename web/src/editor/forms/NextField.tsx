// The editor of `next`: one target node, or a list of {if, to} conditions
// tried in order (the last usually without `if`: otherwise). A select switches
// between the two; each condition's expression is checked as it is typed.
import type { YamlValue } from '../../yaml/patch'
import { type FieldSpec, conditionSpecs } from '../schemaFields'
import { AddRow, type FormEnv, RowButtons, ScalarControl, Select, TextInput, emptyChoice } from './controls'
import { checkExpression } from './checks'
import { type Condition, addCondition, isConditions, move, parseScalar, removeAt, replaceAt, shown, singleTarget, withCondition } from './values'

export const SINGLE = 'single'
export const CONDITIONS = 'conditions'

export interface NextProps {
  spec: FieldSpec
  value: unknown
  env: FormEnv
  testId: string
  onChange(value: YamlValue | undefined): void
  /** Asked before switching to a single target drops conditions; true to go on. */
  confirm?(message: string): boolean
}

export function NextField({ spec, value, env, testId, onChange, confirm }: NextProps) {
  const list = isConditions(value) ? value : null
  const targets = env.nodeIds.filter((id) => id !== env.nodeId)
  const mode = (
    <Select
      key={list ? CONDITIONS : SINGLE}
      value={list ? CONDITIONS : SINGLE}
      options={[SINGLE, CONDITIONS]}
      testId={`${testId}-mode`}
      label="next: one node or conditions"
      disabled={env.readOnly}
      onPick={(m) => {
        if (m === CONDITIONS && !list) {
          const to = typeof value === 'string' && value ? value : targets[0]
          if (to) onChange([{ to }])
        } else if (m === SINGLE && list) {
          const conditions = list.filter((e) => e.if !== undefined).length
          if (conditions > 0 && confirm && !confirm(`Drop ${conditions} condition${conditions > 1 ? 's' : ''} and keep one next node?`)) return
          onChange(singleTarget(list))
        }
      }}
    />
  )
  if (!list) {
    return (
      <div className="next-editor">
        {mode}
        <ScalarControl spec={{ ...spec, input: 'node' }} value={value} env={env} testId={testId} label="next node" onValue={onChange} />
      </div>
    )
  }
  const cond = conditionSpecs()
  const caughtAll = list[list.length - 1]?.if === undefined
  const set = (next: Condition[]) => onChange(next.length > 0 ? (next as unknown as YamlValue) : undefined)
  return (
    <div className="next-editor" data-testid={`${testId}-conditions`}>
      {mode}
      {list.map((entry, i) => {
        const row = `${testId}-${i}`
        return (
          <div className="condition-row" key={`${i}:${JSON.stringify(entry)}`}>
            <span className="condition-if">
              <span className="muted small">{entry.if === undefined ? 'otherwise' : i === 0 ? 'if' : 'else if'}</span>
              <TextInput
                value={shown(entry.if)}
                testId={`${row}-if`}
                label={`condition ${i + 1}`}
                disabled={env.readOnly}
                placeholder={i === list.length - 1 ? 'otherwise (always)' : String(cond.if.example ?? '')}
                check={checkExpression}
                onCommit={(raw) => {
                  const text = raw.trim()
                  if (text === shown(entry.if)) return
                  const r = parseScalar(cond.if, text)
                  if ('value' in r) set(replaceAt(list, i, withCondition(entry, r.value === null ? undefined : (r.value as string | boolean | undefined))))
                }}
              />
            </span>
            <span className="condition-to">
              <span className="muted small">go to</span>
              <Select
                value={entry.to}
                options={targets}
                testId={`${row}-to`}
                label={`target ${i + 1}`}
                disabled={env.readOnly}
                onPick={(to) => {
                  if (to && to !== entry.to) set(replaceAt(list, i, { ...entry, to }))
                }}
              />
            </span>
            <RowButtons
              index={i}
              count={list.length}
              testId={row}
              env={env}
              what="condition"
              onMove={(by) => set(move(list, i, by))}
              onRemove={() => set(removeAt(list, i))}
            />
          </div>
        )
      })}
      {!env.readOnly && (
        <AddRow
          key={JSON.stringify(list)}
          testId={`${testId}-add`}
          label="Add condition"
          inputs={[
            // After a catch-all, another one could never be reached: a new entry needs its condition.
            caughtAll
              ? { name: 'if', label: 'Condition', placeholder: String(cond.if.example ?? 'if…'), required: true, check: checkExpression }
              : { name: 'if', label: 'Condition', placeholder: 'if… (empty: otherwise)', check: checkExpression },
            { name: 'to', label: 'Go to', options: targets, required: true, placeholder: emptyChoice(cond.to) },
          ]}
          onAdd={(v) => {
            if (!v.to) return
            const r = v.if ? parseScalar(cond.if, v.if.trim()) : { value: undefined }
            if (!('value' in r)) return
            const entry = withCondition({ to: v.to }, r.value === null ? undefined : (r.value as string | boolean | undefined))
            set(addCondition(list, entry))
          }}
        />
      )}
    </div>
  )
}
