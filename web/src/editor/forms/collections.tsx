// Editors of list and map fields, chosen by the field's schema shape. Each
// action computes the field's whole new value and hands it to onChange
// (undefined: the field is emptied and goes); setField then patches only
// the entries that changed, so one action is one small patch.
import type { ReactNode } from 'react'
import type { YamlValue } from '../../yaml/patch'
import type { FieldSpec } from '../schemaFields'
import { AddRow, type FormEnv, RowButtons, ScalarControl, Select, TextInput, addInputOf, addedValue, emptyChoice } from './controls'
import { checkPattern } from './checks'
import { type Dict, appliesTo, changeType, defaultType, isRecord, move, removeAt, renameKey, replaceAt, shown, withKey } from './values'

export interface EditorProps<T> {
  spec: FieldSpec
  value: T | undefined
  env: FormEnv
  testId: string
  onChange(value: YamlValue | undefined): void
}

/** The editor of a field: by its shape for lists and maps, else the scalar control. */
export function ValueEditor({ spec, value, env, testId, onChange }: EditorProps<unknown>) {
  switch (spec.shape?.kind) {
    case 'list':
      return <ListEditor spec={spec} value={Array.isArray(value) ? value : undefined} env={env} testId={testId} onChange={onChange} />
    case 'map':
      return <MapEditor spec={spec} value={isRecord(value) ? value : undefined} env={env} testId={testId} onChange={onChange} />
    case 'object':
      return <ObjectEditor spec={spec} value={isRecord(value) ? value : undefined} env={env} testId={testId} onChange={onChange} />
    case 'objects':
      return <ObjectsEditor spec={spec} value={Array.isArray(value) ? value : undefined} env={env} testId={testId} onChange={onChange} />
    default:
      return <ScalarControl spec={spec} value={value} env={env} testId={testId} label={spec.name} onValue={onChange} />
  }
}

/** A list of scalars (buttons, knowledge, options, accept): edit, remove and move each item, add one at the end. */
export function ListEditor({ spec, value, env, testId, onChange }: EditorProps<unknown[]>) {
  const items = (value ?? []) as YamlValue[]
  const item = spec.shape?.kind === 'list' ? spec.shape.item : spec
  const set = (next: YamlValue[]) => onChange(next.length > 0 ? next : undefined)
  const what = item.description ? item.description.replace(/^An? /, '').replace(/[.(].*$/, '').trim().toLowerCase() || 'item' : 'item'
  return (
    <div className="list-editor" data-testid={testId}>
      {items.map((x, i) => (
        <div className="list-row" key={`${i}:${JSON.stringify(x)}`}>
          <ScalarControl
            spec={item}
            value={x}
            env={env}
            testId={`${testId}-${i}`}
            label={`${spec.name} ${i + 1}`}
            onValue={(v) => set(v === undefined ? removeAt(items, i) : replaceAt(items, i, v))}
          />
          <RowButtons
            index={i}
            count={items.length}
            testId={`${testId}-${i}`}
            env={env}
            what={what}
            onMove={(by) => set(move(items, i, by))}
            onRemove={() => set(removeAt(items, i))}
          />
        </div>
      ))}
      {!env.readOnly && (
        <AddRow
          key={JSON.stringify(items)}
          testId={`${testId}-add`}
          label="Add"
          inputs={[addInputOf(item, env, 'value', `New ${what}`, true)]}
          onAdd={(v) => {
            const x = addedValue(item, v.value)
            if (x !== undefined) set([...items, x])
          }}
        />
      )}
    </div>
  )
}

/** A map of free keys to scalars (assign, headers, tools): key/value rows. */
export function MapEditor({ spec, value, env, testId, onChange }: EditorProps<Dict>) {
  const map = value ?? {}
  if (spec.shape?.kind !== 'map') return null
  const { value: valueSpec, keyPattern } = spec.shape
  const keyCheck = keyPattern ? (t: string) => checkPattern(t, keyPattern, 'a_name') : undefined
  const entries = Object.entries(map)
  return (
    <div className="map-editor" data-testid={testId}>
      {entries.map(([k, v], i) => (
        <div className="map-row" key={`${k}:${JSON.stringify(v)}`}>
          <TextInput
            value={k}
            testId={`${testId}-key-${i}`}
            label={`${spec.name} key ${i + 1}`}
            disabled={env.readOnly}
            check={keyCheck}
            onCommit={(raw) => {
              const to = raw.trim()
              if (to === k) return
              if (to === '') return onChange(withKey(map, k, undefined))
              const renamed = renameKey(map, k, to)
              if (renamed) onChange(renamed)
            }}
          />
          <ScalarControl
            spec={valueSpec}
            value={v}
            env={env}
            testId={`${testId}-value-${i}`}
            label={`${k} value`}
            onValue={(x) => onChange(withKey(map, k, x))}
          />
          <RowButtons index={i} count={entries.length} testId={`${testId}-${i}`} env={env} what="entry" onRemove={() => onChange(withKey(map, k, undefined))} />
        </div>
      ))}
      {!env.readOnly && (
        <AddRow
          key={JSON.stringify(map)}
          testId={`${testId}-add`}
          label="Add"
          inputs={[
            { name: 'key', label: 'Name', required: true, check: (t) => (t in map ? 'Already there.' : (keyCheck?.(t) ?? null)) },
            addInputOf(valueSpec, env, 'value', 'Value', true),
          ]}
          onAdd={(v) => {
            const key = (v.key ?? '').trim()
            const x = addedValue(valueSpec, v.value)
            if (key && x !== undefined && !(key in map)) onChange(withKey(map, key, x))
          }}
        />
      )}
    </div>
  )
}

/**
 * A map with fixed fields (input, model, memory). With a `type` enum, the
 * fields for other types are hidden (shown, marked, while they have a value)
 * and go when the type changes.
 */
export function ObjectEditor({ spec, value, env, testId, onChange }: EditorProps<Dict>) {
  if (spec.shape?.kind !== 'object') return null
  const { fields } = spec.shape
  const typeField = fields.find((f) => f.name === 'type' && f.forTypes === undefined && f.input === 'enum')
  const hasTypes = !!typeField && fields.some((f) => f.forTypes)
  const type = typeof value?.type === 'string' ? value.type : defaultType(fields)
  return (
    <div className="object-editor" data-testid={testId}>
      {fields.map((f) => {
        const v = value?.[f.name]
        const applies = !hasTypes || appliesTo(f, type)
        if (!applies && v === undefined) return null
        const sub = `${testId}-${f.name}`
        const control =
          hasTypes && f === typeField ? (
            <Select
              value={shown(v)}
              options={f.options ?? []}
              testId={sub}
              label={f.name}
              disabled={env.readOnly}
              empty={emptyChoice(f)}
              onPick={(t) => {
                if (t !== shown(v)) onChange(changeType(value, fields, t === '' ? undefined : t))
              }}
            />
          ) : (
            <ValueEditor spec={f} value={v} env={env} testId={sub} onChange={(x) => onChange(withKey(value, f.name, x))} />
          )
        return (
          <FieldBox key={f.name} spec={f} nested note={applies ? undefined : `not used by type ${type ?? '(none)'}`}>
            {control}
          </FieldBox>
        )
      })}
    </div>
  )
}

/** A list of maps with fixed scalar fields (remind, attachments): a card per item. */
export function ObjectsEditor({ spec, value, env, testId, onChange }: EditorProps<unknown[]>) {
  if (spec.shape?.kind !== 'objects') return null
  const { fields } = spec.shape
  const items = (value ?? []).filter(isRecord)
  const set = (next: Dict[]) => onChange(next.length > 0 ? next : undefined)
  const what = spec.name === 'remind' ? 'reminder' : spec.name === 'attachments' ? 'attachment' : 'item'
  return (
    <div className="objects-editor" data-testid={testId}>
      {items.map((item, i) => (
        <div className="object-card" key={`${i}:${JSON.stringify(item)}`}>
          {fields.map((f) => (
            <FieldBox key={f.name} spec={f} nested>
              <ScalarControl
                spec={f}
                value={item[f.name]}
                env={env}
                testId={`${testId}-${i}-${f.name}`}
                label={`${what} ${i + 1} ${f.name}`}
                onValue={(x) => set(replaceAt(items, i, withKey(item, f.name, x) ?? {}))}
              />
            </FieldBox>
          ))}
          <RowButtons
            index={i}
            count={items.length}
            testId={`${testId}-${i}`}
            env={env}
            what={what}
            onMove={(by) => set(move(items, i, by))}
            onRemove={() => set(removeAt(items, i))}
          />
        </div>
      ))}
      {!env.readOnly && (
        <AddRow
          key={JSON.stringify(items)}
          testId={`${testId}-add`}
          label={`Add ${what}`}
          inputs={fields.map((f) => addInputOf(f, env, f.name, f.name, f.required))}
          onAdd={(v) => {
            const item: Dict = {}
            for (const f of fields) {
              const x = addedValue(f, v[f.name])
              if (x !== undefined) item[f.name] = x
            }
            if (Object.keys(item).length > 0) set([...items, item])
          }}
        />
      )}
    </div>
  )
}

/** A field's name, help and control. Nested ones are smaller. */
export function FieldBox({ spec, nested, note, children }: { spec: FieldSpec; nested?: boolean; note?: string; children: ReactNode }) {
  const title = spec.description + (spec.default !== undefined ? ` (default: ${JSON.stringify(spec.default)})` : '')
  return (
    <div className={nested ? 'field field-nested' : 'field'} title={title}>
      <span className="field-name">
        {spec.name}
        {spec.required && <span className="required">*</span>}
        {note && <span className="field-note"> — {note}</span>}
      </span>
      {children}
      {spec.description && !nested && <span className="field-help">{spec.description}</span>}
    </div>
  )
}
