import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it, vi } from 'vitest'
import { parseDocument } from 'yaml'
import type { GraphNode } from '../api'
import { type YamlValue, setField } from '../yaml/patch'
import { NodeForm } from './NodeForm'
import { AddRow, TextInput } from './forms/controls'
import { type Rendered, all, byTestId, expand, hasTestId, textOf } from './forms/shallow.testutil'
import { fieldSpecs, nodeKinds } from './schemaFields'

const node: GraphNode = {
  id: 'ask',
  kind: 'question',
  line: 3,
  column: 3,
  first_line: 3,
  last_line: 8,
  ui: null,
  valid: true,
  fields: { kind: 'question', text: 'Name?', retries: 3, on_invalid: 'human', input: { type: 'text' }, next: [{ to: 'a' }] },
}

const IDS = ['ask', 'human', 'a', 'b']

function render(readOnly = false, n: GraphNode = node): string {
  const noop = () => {}
  return renderToStaticMarkup(<NodeForm node={n} nodeIds={IDS} readOnly={readOnly} onSet={noop} onRename={noop} onJump={noop} />)
}

function graphNode(id: string, kind: string, fields: Record<string, unknown>): GraphNode {
  return { id, kind, line: 1, column: 1, first_line: 1, last_line: 2, ui: null, valid: true, fields: { kind, ...fields } }
}

/** The form's tree, and every onSet call it makes. */
function form(n: GraphNode, opts: { readOnly?: boolean; ids?: string[] } = {}) {
  const onSet = vi.fn<(key: string, value: YamlValue | undefined) => void>()
  const onJump = vi.fn<(line: number) => void>()
  const tree = expand(
    <NodeForm node={n} nodeIds={opts.ids ?? IDS} readOnly={opts.readOnly ?? false} onSet={onSet} onRename={() => {}} onJump={onJump} />,
    [TextInput, AddRow],
  )
  return { tree, onSet, onJump, get: (id: string) => byTestId(tree, id) }
}

const commit = (n: Rendered, text: string) => n.props.onCommit(text)
const pick = (n: Rendered, value: string) => n.props.onChange({ target: { value } })
const click = (n: Rendered) => n.props.onClick()
const add = (n: Rendered, values: Record<string, string>) => n.props.onAdd(values)

describe('NodeForm', () => {
  it('renders scalar inputs with the current values', () => {
    const html = render()
    expect(html).toContain('data-testid="node-form"')
    expect(html).toMatch(/data-testid="field-retries"[^>]*value="3"|value="3"[^>]*data-testid="field-retries"/)
    expect(html).toContain('<option value="human" selected="">human</option>')
    // Lists and maps have editors now: the input's type, the conditions of next.
    expect(html).toContain('data-testid="field-input-type"')
    expect(html).toContain('<option value="text" selected="">text</option>')
    expect(html).toContain('data-testid="field-next-conditions"')
    expect(html).toContain('<option value="conditions" selected="">conditions</option>')
    expect(html).not.toContain('Edit in YAML')
  })

  it('disables every input when read-only, and offers no add or remove buttons', () => {
    const html = render(true)
    const inputs = html.match(/<(input|select|textarea)\b[^>]*>/g) ?? []
    expect(inputs.length).toBeGreaterThan(3)
    for (const i of inputs) expect(i).toContain('disabled')
    expect(html).not.toContain('-add"')
    expect(html).not.toContain('-remove"')
    const { tree } = form(node, { readOnly: true })
    const buttons = all(tree).filter((n) => n.type === 'button')
    expect(buttons.map(textOf)).toEqual(['Show in YAML'])
  })

  it('commits scalar fields: typed values, cleared ones deleted, unchanged ones not at all', () => {
    const f = form(node)
    commit(f.get('field-retries'), '5')
    commit(f.get('field-retries'), '')
    commit(f.get('field-text'), 'Your name?')
    commit(f.get('field-text'), 'Name?')
    pick(f.get('field-on_invalid'), 'a')
    pick(f.get('field-on_invalid'), '')
    expect(f.onSet.mock.calls).toEqual([
      ['retries', 5],
      ['retries', undefined],
      ['text', 'Your name?'],
      ['on_invalid', 'a'],
      ['on_invalid', undefined],
    ])
  })

  it('checks a pattern field as it is typed', () => {
    const html = render(false, graphNode('ask', 'question', { text: 'x', save: 'not a name', timeout: 'soon' }))
    expect(html).toContain('data-testid="field-save-problem"')
    expect(html).toContain('Expected something like answer.')
    expect(html).toContain('Expected something like 10m.')
  })
})

describe('NodeForm: conditional next', () => {
  const branch = graphNode('route', 'branch', {
    next: [
      { if: 'topic == "human"', to: 'human' },
      { if: 'score > 3', to: 'a' },
      { to: 'b' },
    ],
  })

  it('edits a condition’s expression and target', () => {
    const f = form(branch)
    commit(f.get('field-next-1-if'), 'score > 5')
    pick(f.get('field-next-0-to'), 'b')
    expect(f.onSet.mock.calls).toEqual([
      ['next', [{ if: 'topic == "human"', to: 'human' }, { if: 'score > 5', to: 'a' }, { to: 'b' }]],
      ['next', [{ if: 'topic == "human"', to: 'b' }, { if: 'score > 3', to: 'a' }, { to: 'b' }]],
    ])
  })

  it('turns a cleared condition into a catch-all, and `true` into a boolean', () => {
    const f = form(branch)
    commit(f.get('field-next-1-if'), '')
    commit(f.get('field-next-2-if'), 'true')
    expect(f.onSet.mock.calls).toEqual([
      ['next', [{ if: 'topic == "human"', to: 'human' }, { to: 'a' }, { to: 'b' }]],
      ['next', [{ if: 'topic == "human"', to: 'human' }, { if: 'score > 3', to: 'a' }, { if: true, to: 'b' }]],
    ])
  })

  it('adds a condition before the catch-all', () => {
    const f = form(branch)
    add(f.get('field-next-add'), { if: 'vip', to: 'a' })
    expect(f.onSet.mock.calls).toEqual([
      ['next', [{ if: 'topic == "human"', to: 'human' }, { if: 'score > 3', to: 'a' }, { if: 'vip', to: 'a' }, { to: 'b' }]],
    ])
  })

  it('removes and reorders conditions; removing the last one deletes next', () => {
    const f = form(branch)
    click(f.get('field-next-0-remove'))
    click(f.get('field-next-1-up'))
    click(f.get('field-next-0-down'))
    expect(f.get('field-next-0-up').props.disabled).toBe(true)
    expect(f.get('field-next-2-down').props.disabled).toBe(true)
    expect(f.onSet.mock.calls).toEqual([
      ['next', [{ if: 'score > 3', to: 'a' }, { to: 'b' }]],
      ['next', [{ if: 'score > 3', to: 'a' }, { if: 'topic == "human"', to: 'human' }, { to: 'b' }]],
      ['next', [{ if: 'score > 3', to: 'a' }, { if: 'topic == "human"', to: 'human' }, { to: 'b' }]],
    ])
    const one = form(graphNode('route', 'branch', { next: [{ to: 'a' }] }))
    click(one.get('field-next-0-remove'))
    expect(one.onSet.mock.calls).toEqual([['next', undefined]])
  })

  it('needs a condition for a new entry after a catch-all, not before there is one', () => {
    const inputs = (f: ReturnType<typeof form>) => f.get('field-next-add').props.inputs as Array<{ name: string; required?: boolean }>
    expect(inputs(form(branch)).find((i) => i.name === 'if')!.required).toBe(true)
    const open = form(graphNode('route', 'branch', { next: [{ if: 'a', to: 'b' }] }))
    expect(inputs(open).find((i) => i.name === 'if')!.required).toBeFalsy()
    add(open.get('field-next-add'), { to: 'human' })
    expect(open.onSet.mock.calls).toEqual([['next', [{ if: 'a', to: 'b' }, { to: 'human' }]]])
  })

  it('offers the other nodes as targets', () => {
    const f = form(branch)
    const options = f.get('field-next-0-to').children.map((o) => o.props.value)
    // Every node but route itself (not in IDS here).
    expect(options).toEqual(IDS)
    const other = form(graphNode('a', 'branch', { next: [{ to: 'b' }] }))
    expect(other.get('field-next-add').props.inputs[1].options).toEqual(['ask', 'human', 'b'])
  })

  it('switches between one node and conditions', () => {
    const single = form(graphNode('hello', 'message', { text: 'Hi', next: 'a' }), { ids: ['hello', 'a', 'b'] })
    expect(hasTestId(single.tree, 'field-next-conditions')).toBe(false)
    pick(single.get('field-next'), 'b')
    pick(single.get('field-next-mode'), 'conditions')
    expect(single.onSet.mock.calls).toEqual([
      ['next', 'b'],
      ['next', [{ to: 'a' }]],
    ])
    // A node without next gets the first other node as the one entry.
    const none = form(graphNode('hello', 'message', { text: 'Hi' }), { ids: ['hello', 'a', 'b'] })
    pick(none.get('field-next-mode'), 'conditions')
    expect(none.onSet.mock.calls).toEqual([['next', [{ to: 'a' }]]])
    // Back to one node: the catch-all's target.
    const f = form(branch)
    pick(f.get('field-next-mode'), 'single')
    expect(f.onSet.mock.calls).toEqual([['next', 'b']])
  })

  it('checks a condition as it is typed', () => {
    const html = render(false, graphNode('route', 'branch', { next: [{ if: 'score >', to: 'a' }, { if: '{{ x }}', to: 'b' }] }))
    expect(html).toContain('data-testid="field-next-0-if-problem"')
    expect(html).toContain('The expression ends with an operator')
    expect(html).toContain('An expression is written without {{ }}')
    expect(render(false, branch)).not.toContain('-problem"')
  })
})

describe('NodeForm: lists of strings', () => {
  const msg = graphNode('hello', 'message', { text: 'Hi', buttons: ['Yes', 'No', 'Maybe'] })

  it('edits, removes, reorders and adds items', () => {
    const f = form(msg)
    commit(f.get('field-buttons-1'), 'Nope')
    commit(f.get('field-buttons-1'), '')
    click(f.get('field-buttons-2-remove'))
    click(f.get('field-buttons-2-up'))
    click(f.get('field-buttons-0-down'))
    add(f.get('field-buttons-add'), { value: 'Later' })
    expect(f.onSet.mock.calls).toEqual([
      ['buttons', ['Yes', 'Nope', 'Maybe']],
      ['buttons', ['Yes', 'Maybe']],
      ['buttons', ['Yes', 'No']],
      ['buttons', ['Yes', 'Maybe', 'No']],
      ['buttons', ['No', 'Yes', 'Maybe']],
      ['buttons', ['Yes', 'No', 'Maybe', 'Later']],
    ])
  })

  it('starts a missing list, and deletes an emptied one', () => {
    const f = form(graphNode('hello', 'message', { text: 'Hi' }))
    add(f.get('field-buttons-add'), { value: 'OK' })
    const one = form(graphNode('hello', 'message', { text: 'Hi', buttons: ['OK'] }))
    click(one.get('field-buttons-0-remove'))
    expect([...f.onSet.mock.calls, ...one.onSet.mock.calls]).toEqual([
      ['buttons', ['OK']],
      ['buttons', undefined],
    ])
  })

  it('edits an llm’s knowledge list the same way', () => {
    const f = form(graphNode('chat', 'llm', { knowledge: ['faq'] }))
    add(f.get('field-knowledge-add'), { value: 'pricing' })
    expect(f.onSet.mock.calls).toEqual([['knowledge', ['faq', 'pricing']]])
  })
})

describe('NodeForm: the question input', () => {
  const choice = graphNode('ask', 'question', { text: 'Topic?', input: { type: 'choice', options: ['Billing', 'Delivery'] } })

  it('shows the fields of the current type only', () => {
    const f = form(choice)
    expect(hasTestId(f.tree, 'field-input-options')).toBe(true)
    expect(hasTestId(f.tree, 'field-input-pattern')).toBe(false)
    expect(hasTestId(f.tree, 'field-input-min')).toBe(false)
    const regex = form(graphNode('ask', 'question', { text: 'Code?', input: { type: 'regex', pattern: '^\\d+$' } }))
    expect(hasTestId(regex.tree, 'field-input-pattern')).toBe(true)
    expect(hasTestId(regex.tree, 'field-input-options')).toBe(false)
    // No input: the default type, text, with its min and max.
    const none = form(graphNode('ask', 'question', { text: 'Name?' }))
    expect(hasTestId(none.tree, 'field-input-min')).toBe(true)
    expect(hasTestId(none.tree, 'field-input-accept')).toBe(false)
  })

  it('changes the type, dropping the fields of the old one', () => {
    const f = form(choice)
    pick(f.get('field-input-type'), 'multichoice')
    pick(f.get('field-input-type'), 'number')
    pick(f.get('field-input-type'), '')
    expect(f.onSet.mock.calls).toEqual([
      ['input', { type: 'multichoice', options: ['Billing', 'Delivery'] }],
      ['input', { type: 'number' }],
      ['input', undefined],
    ])
    const none = form(graphNode('ask', 'question', { text: 'Name?' }))
    pick(none.get('field-input-type'), 'yes_no')
    expect(none.onSet.mock.calls).toEqual([['input', { type: 'yes_no' }]])
  })

  it('edits options, numbers, a pattern and accepted types', () => {
    const f = form(choice)
    add(f.get('field-input-options-add'), { value: 'Other' })
    commit(f.get('field-input-options-0'), 'Invoices')
    const num = form(graphNode('ask', 'question', { text: 'How many?', input: { type: 'number', min: 1 } }))
    commit(num.get('field-input-max'), '100')
    commit(num.get('field-input-min'), '')
    commit(num.get('field-input-min'), 'many')
    const file = form(graphNode('ask', 'question', { text: 'File?', input: { type: 'file' } }))
    add(file.get('field-input-accept-add'), { value: 'image/*' })
    expect([...f.onSet.mock.calls, ...num.onSet.mock.calls, ...file.onSet.mock.calls]).toEqual([
      ['input', { type: 'choice', options: ['Billing', 'Delivery', 'Other'] }],
      ['input', { type: 'choice', options: ['Invoices', 'Delivery'] }],
      ['input', { type: 'number', min: 1, max: 100 }],
      ['input', { type: 'number' }],
      ['input', { type: 'file', accept: ['image/*'] }],
    ])
  })
})

describe('NodeForm: maps', () => {
  const set = graphNode('count', 'set', { assign: { attempts: 'attempts + 1', done: false } })

  it('renames keys in place, edits and removes values, adds entries', () => {
    const f = form(set)
    commit(f.get('field-assign-key-0'), 'tries')
    commit(f.get('field-assign-key-0'), 'done')
    commit(f.get('field-assign-value-0'), 'attempts + 2')
    commit(f.get('field-assign-value-1'), 'true')
    commit(f.get('field-assign-value-1'), '3')
    click(f.get('field-assign-0-remove'))
    add(f.get('field-assign-add'), { key: 'seen', value: 'now()' })
    expect(f.onSet.mock.calls).toEqual([
      ['assign', { tries: 'attempts + 1', done: false }],
      // `done` is taken: no change.
      ['assign', { attempts: 'attempts + 2', done: false }],
      ['assign', { attempts: 'attempts + 1', done: true }],
      ['assign', { attempts: 'attempts + 1', done: 3 }],
      ['assign', { done: false }],
      ['assign', { attempts: 'attempts + 1', done: false, seen: 'now()' }],
    ])
  })

  it('checks names and expressions of new entries', () => {
    const f = form(set)
    const inputs = f.get('field-assign-add').props.inputs as Array<{ name: string; check?(t: string): string | null }>
    const key = inputs.find((i) => i.name === 'key')!
    const value = inputs.find((i) => i.name === 'value')!
    expect(key.check!('ok_name')).toBeNull()
    expect(key.check!('not ok')).toMatch(/Expected/)
    expect(key.check!('attempts')).toBe('Already there.')
    expect(value.check!('a = 1')).toMatch(/==/)
    expect(value.check!('a == 1')).toBeNull()
  })

  it('edits headers, and tools with a select of approvals', () => {
    const block = form(graphNode('track', 'block', { url: 'https://x.example', headers: { 'X-Source': 'parley' } }))
    add(block.get('field-headers-add'), { key: 'X-Key', value: '{{ key }}' })
    const llm = form(graphNode('chat', 'llm', { tools: { handoff: 'auto' } }))
    expect(llm.get('field-tools-value-0').children.map((o) => o.props.value)).toEqual(['', 'auto', 'user_approve', 'operator_approve'])
    pick(llm.get('field-tools-value-0'), 'operator_approve')
    expect([...block.onSet.mock.calls, ...llm.onSet.mock.calls]).toEqual([
      ['headers', { 'X-Source': 'parley', 'X-Key': '{{ key }}' }],
      ['tools', { handoff: 'operator_approve' }],
    ])
  })

  it('edits fixed maps, nested ones too', () => {
    const f = form(graphNode('chat', 'llm', { model: { temperature: 0.3 }, memory: { lastMessages: 10 } }))
    commit(f.get('field-model-id'), 'openai/gpt-4o')
    commit(f.get('field-model-temperature'), '')
    pick(f.get('field-memory-workingMemory-enabled'), 'true')
    pick(f.get('field-formatting-removeEmojis'), 'false')
    expect(f.onSet.mock.calls).toEqual([
      ['model', { temperature: 0.3, id: 'openai/gpt-4o' }],
      ['model', undefined],
      ['memory', { lastMessages: 10, workingMemory: { enabled: true } }],
      ['formatting', { removeEmojis: false }],
    ])
  })

  it('edits reminders: a card each', () => {
    const f = form(graphNode('ask', 'question', { text: 'x', remind: [{ after: '5m', text: 'Hello?' }] }))
    commit(f.get('field-remind-0-after'), '10m')
    add(f.get('field-remind-add'), { after: '1h', text: 'Still there?' })
    click(f.get('field-remind-0-remove'))
    expect(f.onSet.mock.calls).toEqual([
      ['remind', [{ after: '10m', text: 'Hello?' }]],
      ['remind', [{ after: '5m', text: 'Hello?' }, { after: '1h', text: 'Still there?' }]],
      ['remind', undefined],
    ])
    const inputs = f.get('field-remind-add').props.inputs as Array<{ name: string; required: boolean }>
    expect(inputs.map((i) => [i.name, i.required])).toEqual([
      ['after', true],
      ['text', true],
    ])
  })
})

describe('NodeForm: the YAML fallback', () => {
  it('shows free-form values with a link to the YAML', () => {
    const f = form(graphNode('track', 'block', { url: 'https://x.example', payload: { a: { b: 1 } } }))
    expect(textOf(f.get('field-payload-yaml'))).toBe('{"a":{"b":1}}')
    click(f.get('field-payload-jump'))
    expect(f.onJump).toHaveBeenCalledWith(1)
  })

  it('falls back for a value the form cannot edit', () => {
    const odd = form(graphNode('route', 'branch', { next: [{ if: 'a', to: 'b', note: 'x' }], description: 'x' }))
    expect(hasTestId(odd.tree, 'field-next-yaml')).toBe(true)
    expect(hasTestId(odd.tree, 'field-next-mode')).toBe(false)
    const nested = form(graphNode('hello', 'message', { buttons: [['a']] }))
    expect(hasTestId(nested.tree, 'field-buttons-yaml')).toBe(true)
  })

  it('has an editor for every list and map field of the schema but free-form ones', () => {
    const fallback = nodeKinds().flatMap((k) =>
      fieldSpecs(k)
        .filter((s) => s.input === 'complex' && !s.shape)
        .map((s) => `${k}.${s.name}`),
    )
    expect(fallback.sort()).toEqual(['block.payload', 'llm.json_schema'])
  })
})

describe('NodeForm: fields from the text', () => {
  it('reads the fields from source when given: maps in file order', () => {
    const source = 'nodes:\n  count:\n    kind: set\n    assign:\n      zeta: 1\n      alpha: 2\n'
    // As the graph API sends them: keys sorted.
    const n = graphNode('count', 'set', { assign: { alpha: 2, zeta: 1 } })
    const onSet = vi.fn()
    const tree = expand(<NodeForm node={n} nodeIds={['count']} readOnly={false} onSet={onSet} onRename={() => {}} onJump={() => {}} source={source} />, [TextInput, AddRow])
    expect(byTestId(tree, 'field-assign-key-0').props.value).toBe('zeta')
    expect(byTestId(tree, 'field-assign-key-1').props.value).toBe('alpha')
    // A text that does not parse, or lacks the node: the graph's fields.
    const broken = expand(<NodeForm node={n} nodeIds={['count']} readOnly={false} onSet={onSet} onRename={() => {}} onJump={() => {}} source={'nodes: [\n'} />, [TextInput, AddRow])
    expect(byTestId(broken, 'field-assign-key-0').props.value).toBe('alpha')
  })
})

describe('NodeForm edits as patches', () => {
  const here = dirname(fileURLToPath(import.meta.url))
  const src = readFileSync(join(here, '../../../examples/bots/support.yaml'), 'utf8')
  const nodes = (parseDocument(src).toJS() as { nodes: Record<string, Record<string, unknown>> }).nodes
  const ids = Object.keys(nodes)
  const formOf = (id: string) => form(graphNode(id, String(nodes[id]!.kind), nodes[id]!), { ids })

  /** Apply the form's one onSet call to the file; return the changed lines. */
  function applied(f: ReturnType<typeof form>, id: string): { before: string[]; after: string[] } {
    expect(f.onSet).toHaveBeenCalledTimes(1)
    const [key, value] = f.onSet.mock.calls[0]!
    const out = setField(src, id, key, value!)
    const a = src.split('\n')
    const b = out.split('\n')
    let i = 0
    while (a[i] === b[i]) i++
    let j = 0
    while (j < a.length - i && a[a.length - 1 - j] === b[b.length - 1 - j]) j++
    return { before: a.slice(i, a.length - j), after: b.slice(i, b.length - j) }
  }

  it('an edited condition is one changed line', () => {
    const f = formOf('route')
    commit(f.get('field-next-1-if'), 'topic == "Shipping"')
    expect(applied(f, 'route')).toEqual({ before: ['      - if: topic == "Delivery"'], after: ['      - if: topic == "Shipping"'] })
  })

  it('a new condition is its own lines, before the catch-all', () => {
    const f = formOf('anything_else')
    add(f.get('field-next-add'), { if: 'attempts > 5', to: 'human' })
    expect(applied(f, 'anything_else')).toEqual({ before: [], after: ['      - if: attempts > 5', '        to: human'] })
  })

  it('a new choice goes into the flow input on its line', () => {
    const f = formOf('ask_topic')
    add(f.get('field-input-options-add'), { value: 'Returns' })
    expect(applied(f, 'ask_topic')).toEqual({
      before: ['    input: { type: choice, options: [Billing, Delivery, Talk to a person] }'],
      after: ['    input: { type: choice, options: [Billing, Delivery, Talk to a person, Returns] }'],
    })
  })

  it('a new assignment is one line of the block map', () => {
    const f = formOf('count_loop')
    add(f.get('field-assign-add'), { key: 'asked', value: 'true' })
    expect(applied(f, 'count_loop')).toEqual({ before: [], after: ['      asked: true'] })
  })
})
