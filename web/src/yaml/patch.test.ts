import { readFileSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { CST, Parser, isScalar, parseDocument } from 'yaml'
import {
  deleteField,
  deleteNode,
  insertNode,
  nodeIds,
  renameNode,
  setField,
  setNodeUI,
  uniqueId,
  type FieldValue,
} from './patch'

// ---- files ----

const here = dirname(fileURLToPath(import.meta.url))

function loadDir(dir: string): Array<{ name: string; src: string }> {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ name: f, src: readFileSync(join(dir, f), 'utf8') }))
}

const examples = loadDir(join(here, '../../../examples/bots'))
const fixtures = loadDir(join(here, 'testdata'))
const file = (name: string): string => {
  const f = [...examples, ...fixtures].find((x) => x.name === name)
  if (!f) throw new Error(`no test file ${name}`)
  return f.src
}

// Every file is also tried with CRLF line ends and without its final newline.
const crlf = (src: string): string => src.replace(/\r?\n/g, '\r\n')
const variants = [...examples, ...fixtures].flatMap((f) => [
  f,
  { name: `${f.name} (CRLF)`, src: crlf(f.src) },
  { name: `${f.name} (no final newline)`, src: f.src.replace(/(\r?\n)+$/, '') },
])

// ---- helpers ----

/** The file's data; fails the test when it does not parse cleanly. */
function data(src: string): Record<string, any> {
  const doc = parseDocument(src)
  expect(doc.errors.map((e) => e.message)).toEqual([])
  return doc.toJS() as Record<string, any>
}

const lines = (src: string): string[] => src.split('\n')

/** Index of the only line equal to `text` (starting the search at line `after`). */
function lineOf(src: string, text: string, after = 0): number {
  const i = lines(src).indexOf(text, after)
  expect(i, `line ${JSON.stringify(text)}`).toBeGreaterThanOrEqual(0)
  return i
}

/** src with `count` lines at index `at` replaced by `added`. */
function splice(src: string, at: number, count: number, added: string[] = []): string {
  const ls = lines(src)
  ls.splice(at, count, ...added)
  return ls.join('\n')
}

/** Indices of the lines that differ, for two texts with the same number of lines. */
function changedLines(a: string, b: string): number[] {
  const x = lines(a)
  const y = lines(b)
  expect(y.length).toBe(x.length)
  return x.flatMap((l, i) => (l === y[i] ? [] : [i]))
}

const roundTrip = (src: string): string => Array.from(new Parser().parse(src), (t) => CST.stringify(t)).join('')

// ---- round trip ----

describe('round trip', () => {
  it('has the example bots and fixtures to test', () => {
    expect(examples.map((f) => f.name)).toContain('support.yaml')
    expect(fixtures.length).toBeGreaterThanOrEqual(5)
    expect(file('crlf.yaml')).toContain('\r\n')
    expect(file('no-newline.yaml').endsWith('\n')).toBe(false)
  })

  for (const { name, src } of variants) {
    it(`CST gives back the bytes: ${name}`, () => {
      expect(roundTrip(src)).toBe(src)
    })

    const bot = parseDocument(src).toJS() as Record<string, any>
    if (!bot.nodes) {
      it(`edits are refused without nodes: ${name}`, () => {
        expect(() => setNodeUI(src, 'x', { x: 1, y: 2 })).toThrow(/no top-level `nodes`/)
      })
      continue
    }

    it(`no-op edits give back the bytes: ${name}`, () => {
      for (const [id, node] of Object.entries(bot.nodes as Record<string, Record<string, unknown>>)) {
        const ui = node.ui as { x?: unknown; y?: unknown } | undefined
        if (typeof ui?.x === 'number' && typeof ui.y === 'number' && Number.isInteger(ui.x) && Number.isInteger(ui.y)) {
          expect(setNodeUI(src, id, { x: ui.x, y: ui.y })).toBe(src)
        }
        for (const [key, value] of Object.entries(node)) {
          const scalar = value === null || typeof value !== 'object'
          const strings = Array.isArray(value) && value.every((v) => typeof v === 'string')
          if (scalar || strings) expect(setField(src, id, key, value as FieldValue)).toBe(src)
        }
        expect(deleteField(src, id, 'no_such_field')).toBe(src)
        expect(renameNode(src, id, id)).toBe(src)
      }
    })

    it(`changing a one-line string and back gives back the bytes: ${name}`, () => {
      const doc = parseDocument(src)
      let tried = 0
      for (const [id, node] of Object.entries(bot.nodes as Record<string, Record<string, unknown>>)) {
        for (const [key, value] of Object.entries(node)) {
          // Only scalars written on one line without escapes can come back byte
          // for byte; an alias, a block scalar or an escape is rewritten.
          const written = doc.getIn(['nodes', id, key], true)
          if (typeof value !== 'string' || !isScalar(written) || !written.range) continue
          const text = src.slice(written.range[0], written.range[1])
          if (/[\n\\]|''|^[|>]/.test(text)) continue
          tried++
          const changed = setField(src, id, key, 'zzz changed')
          expect(changed).not.toBe(src)
          expect(data(changed).nodes[id][key]).toBe('zzz changed')
          expect(setField(changed, id, key, value)).toBe(src)
        }
      }
      expect(tried).toBeGreaterThan(0)
    })
  }
})

// ---- setNodeUI ----

describe('setNodeUI', () => {
  it('changes only the numbers of a flow ui, keeping its comment', () => {
    const src = file('comments.yaml')
    const out = setNodeUI(src, 'greet', { x: 15, y: -3 })
    const i = lineOf(src, '    ui: {x: 10, y: 20}   # where drawn')
    expect(out).toBe(splice(src, i, 1, ['    ui: {x: 15, y: -3}   # where drawn']))
    expect(data(out).nodes.greet.ui).toEqual({ x: 15, y: -3 })
  })

  it('changes only the x and y lines of a block ui, keeping comments', () => {
    const src = file('comments.yaml')
    const out = setNodeUI(src, 'help', { x: 7, y: 8 })
    const i = lineOf(src, '      x: 100   # x')
    expect(changedLines(src, out)).toEqual([i, i + 1])
    expect(lines(out).slice(i - 1, i + 2)).toEqual(['      # comment inside a block ui', '      x: 7   # x', '      y: 8   # y'])
    expect(data(out).nodes.help.ui).toEqual({ x: 7, y: 8 })
  })

  it('changes only the changed coordinate', () => {
    const src = file('comments.yaml')
    const out = setNodeUI(src, 'help', { x: 100, y: 9 })
    expect(changedLines(src, out)).toEqual([lineOf(src, '      y: 200   # y')])
  })

  it('adds a missing ui as one line at the end of the node', () => {
    const src = file('leads.yaml')
    const out = setNodeUI(src, 'hello', { x: 10, y: 20 })
    const i = lineOf(src, '    next: ask_email')
    expect(out).toBe(splice(src, i + 1, 0, ['    ui: {x: 10, y: 20}']))
    expect(data(out).nodes.hello).toEqual({ ...data(src).nodes.hello, ui: { x: 10, y: 20 } })
  })

  it('adds ui after a last block scalar and before the next node', () => {
    const src = file('styles.yaml')
    const out = setNodeUI(src, 'keep', { x: 1, y: 1 })
    const i = lineOf(src, '    next: multi')
    expect(out).toBe(splice(src, i + 1, 0, ['    ui: {x: 1, y: 1}']))
    const i2 = lineOf(src, '    next: folded')
    const out2 = setNodeUI(src, 'literal', { x: 1, y: 1 })
    expect(out2).toBe(splice(src, i2 + 1, 0, ['    ui: {x: 1, y: 1}']))
    expect(data(out2).nodes.literal.text).toBe(data(src).nodes.literal.text)
  })

  it('adds ui before comments that follow the last field', () => {
    const src = file('comments.yaml')
    const out = setNodeUI(src, 'bye', { x: 3, y: 4 })
    expect(out).toBe(splice(src, lineOf(src, '    text: Bye!') + 1, 0, ['    ui: {x: 3, y: 4}']))
  })

  it('rounds to integers', () => {
    const src = file('styles.yaml')
    const out = setNodeUI(src, 'single', { x: 10.4, y: -0.2 })
    const i = lineOf(src, '      x: -40')
    expect(out).toBe(splice(src, i, 2, ['      x: 10', '      y: 0']))
    expect(data(out).nodes.single.ui).toEqual({ x: 10, y: 0 })
    expect(setNodeUI(out, 'single', { x: 9.5, y: 0.4 })).toBe(out)
  })

  it('edits a node written as a flow mapping on its own line', () => {
    const src = file('styles.yaml')
    const i = lineOf(src, '  flowy: {kind: goto, to: plain, ui: {x: 5, y: 6}}')
    expect(setNodeUI(src, 'flowy', { x: 50, y: 60 })).toBe(splice(src, i, 1, ['  flowy: {kind: goto, to: plain, ui: {x: 50, y: 60}}']))
    const noUi = deleteField(src, 'flowy', 'ui')
    expect(lines(noUi)[i]).toBe('  flowy: {kind: goto, to: plain}')
    expect(setNodeUI(noUi, 'flowy', { x: 1, y: 2 })).toBe(splice(src, i, 1, ['  flowy: {kind: goto, to: plain, ui: {x: 1, y: 2}}']))
  })

  it('completes a ui missing a coordinate, and replaces a ui that is not a mapping', () => {
    const src = 'nodes:\n  a:\n    kind: end\n    ui: {x: 1}\n  b:\n    kind: end\n    ui:\n  c:\n    kind: end\n    ui:\n      x: 1\n'
    expect(setNodeUI(src, 'a', { x: 1, y: 2 })).toBe(src.replace('{x: 1}', '{x: 1, y: 2}'))
    expect(setNodeUI(src, 'b', { x: 1, y: 2 })).toBe(src.replace('    ui:\n  c:', '    ui: {x: 1, y: 2}\n  c:'))
    expect(setNodeUI(src, 'c', { x: 1, y: 2 })).toBe(`${src}      y: 2\n`)
  })

  it('keeps CRLF line ends and a missing final newline', () => {
    const src = file('crlf.yaml')
    const out = setNodeUI(src, 'last', { x: 1, y: 2 })
    expect(out).toBe(`${src}    ui: {x: 1, y: 2}\r\n`)
    expect(setNodeUI(src, 'first', { x: 5, y: 5 })).toBe(src.replace('{x: 0, y: 0}', '{x: 5, y: 5}'))

    const nn = file('no-newline.yaml')
    const out2 = setNodeUI(nn, 'last', { x: 1, y: 2 })
    expect(out2).toBe(`${nn}\n    ui: {x: 1, y: 2}`)
    expect(data(out2).nodes.last.ui).toEqual({ x: 1, y: 2 })
  })

  it('throws for a missing node, a non-block nodes and broken YAML', () => {
    expect(() => setNodeUI(file('support.yaml'), 'nope', { x: 1, y: 1 })).toThrow('no node "nope" in nodes')
    expect(() => setNodeUI('bot: x\nnodes: {a: {kind: end}}\n', 'a', { x: 1, y: 1 })).toThrow(/not a block mapping/)
    expect(() => setNodeUI('bot: x\nnodes: []\n', 'a', { x: 1, y: 1 })).toThrow(/not a block mapping/)
    expect(() => setNodeUI('- a\n- b\n', 'a', { x: 1, y: 1 })).toThrow(/not a block mapping/)
    expect(() => setNodeUI('nodes:\n  a: {kind: end\n', 'a', { x: 1, y: 1 })).toThrow(/YAML has errors/)
    expect(() => setNodeUI(file('support.yaml'), 'greet', { x: Number.NaN, y: 1 })).toThrow(/finite/)
  })
})

// ---- setField ----

describe('setField', () => {
  it('changes a plain scalar in place; the comment after it survives', () => {
    const src = file('comments.yaml')
    const out = setField(src, 'greet', 'text', 'Hi!')
    const i = lineOf(src, '    text: Hello there!   # comment after the edited scalar')
    expect(out).toBe(splice(src, i, 1, ['    text: Hi!   # comment after the edited scalar']))
    expect(data(out).nodes.greet.text).toBe('Hi!')
  })

  it('keeps double and single quoting', () => {
    const src = file('comments.yaml')
    const i = lineOf(src, '    text: "What do you need?"  # double quoted')
    expect(setField(src, 'ask', 'text', 'Why?')).toBe(splice(src, i, 1, ['    text: "Why?"  # double quoted']))
    const j = lineOf(src, "    text: 'We will help.'")
    const out = setField(src, 'help', 'text', "It's done")
    expect(out).toBe(splice(src, j, 1, ["    text: 'It''s done'"]))
    expect(data(out).nodes.help.text).toBe("It's done")
  })

  it('quotes a plain scalar only when YAML needs it', () => {
    const src = file('leads.yaml')
    const i = lineOf(src, '    text: Hi! A few quick questions so we can prepare the right offer.')
    const cases: Array<[string, string]> = [
      ['true', '"true"'],
      ['123', '"123"'],
      ['', '""'],
      ['{{ name }}', '"{{ name }}"'],
      ['a: b', '"a: b"'],
      ['# not a comment', '"# not a comment"'],
      ['say "hi"', 'say "hi"'],
      ['plain words, fine', 'plain words, fine'],
    ]
    for (const [value, written] of cases) {
      const out = setField(src, 'hello', 'text', value)
      expect(out).toBe(splice(src, i, 1, [`    text: ${written}`]))
      expect(data(out).nodes.hello.text).toBe(value)
    }
  })

  it('writes numbers, booleans and null plain', () => {
    const src = file('styles.yaml')
    const cases: Array<[string, FieldValue, string]> = [
      ['retries', 5, '    retries: 5'],
      ['enabled', false, '    enabled: false'],
      ['quoted_number', 42, '    quoted_number: 42'],
      ['nothing', 'something', '    nothing: something'],
      ['tilde', 0.25, '    tilde: 0.25'],
      ['retries', null, '    retries: null'],
    ]
    for (const [key, value, line] of cases) {
      const out = setField(src, 'typed', key, value)
      const i = lines(src).findIndex((l) => l.startsWith(`    ${key}:`))
      expect(out).toBe(splice(src, i, 1, [line]))
      expect(data(out).nodes.typed[key]).toEqual(value)
    }
    // The same number written differently is left alone.
    expect(setField(src, 'typed', 'float', 1.5)).toBe(src)
  })

  it('writes a string array as a flow sequence', () => {
    const src = file('support.yaml')
    const i = lineOf(src, '    buttons: [Thanks]')
    const out = setField(src, 'billing', 'buttons', ['Thanks', 'No, thanks', 'yes'])
    expect(out).toBe(splice(src, i, 1, ['    buttons: [Thanks, "No, thanks", yes]']))
    expect(data(out).nodes.billing.buttons).toEqual(['Thanks', 'No, thanks', 'yes'])
    // Added when missing, on a new last line of the node.
    const j = lineOf(src, '    text: Thanks for contacting ACME. Bye!')
    expect(setField(src, 'bye', 'buttons', ['Restart'])).toBe(splice(src, j + 1, 0, ['    buttons: [Restart]']))
  })

  it('adds a missing field as a new last line of the node', () => {
    const src = file('leads.yaml')
    const i = lineOf(src, '    next: ask_email')
    const out = setField(src, 'hello', 'description', 'Greets: first')
    expect(out).toBe(splice(src, i + 1, 0, ['    description: "Greets: first"']))
    expect(Object.keys(data(out).nodes.hello)).toEqual(['kind', 'text', 'next', 'description'])
  })

  it('writes multi-line strings as literal blocks', () => {
    const src = file('leads.yaml')
    const i = lineOf(src, '    text: Hi! A few quick questions so we can prepare the right offer.')
    const out = setField(src, 'hello', 'text', 'Line one\nLine two')
    expect(out).toBe(splice(src, i, 1, ['    text: |-', '      Line one', '      Line two']))
    expect(data(out).nodes.hello.text).toBe('Line one\nLine two')
    const added = setField(src, 'hello', 'note', 'a\nb\n')
    expect(added).toBe(splice(src, i + 2, 0, ['    note: |', '      a', '      b']))
    expect(data(added).nodes.hello.note).toBe('a\nb\n')
  })

  it('keeps a block scalar a block scalar', () => {
    const src = file('styles.yaml')
    const i = lineOf(src, '    text: |')
    const out = setField(src, 'literal', 'text', 'New\ntext\n')
    expect(out).toBe(splice(src, i, 5, ['    text: |', '      New', '      text']))
    expect(data(out).nodes.literal.text).toBe('New\ntext\n')
    const folded = setField(src, 'folded', 'text', 'short')
    const j = lineOf(src, '    text: >-')
    expect(folded).toBe(splice(src, j, 3, ['    text: >-', '      short']))
    expect(data(folded).nodes.folded.text).toBe('short')
  })

  it('replaces a branch list with a plain id on the key line', () => {
    const src = file('support.yaml')
    const i = lineOf(src, '      - if: topic == "Talk to a person"')
    const out = setField(src, 'route', 'next', 'billing')
    expect(out).toBe(splice(src, i - 1, 6, ['    next: billing']))
    expect(data(out).nodes.route.next).toBe('billing')
  })

  it('keeps CRLF in rewritten and added multi-line values', () => {
    const src = file('crlf.yaml')
    const out = setField(src, 'second', 'text', 'One\nTwo\nThree\n')
    expect(out).toBe(src.replace('      Line one\r\n      Line two\r\n', '      One\r\n      Two\r\n      Three\r\n'))
    const added = setField(src, 'first', 'note', 'x\ny')
    expect(added).toBe(src.replace('    ui: {x: 0, y: 0}\r\n', '    ui: {x: 0, y: 0}\r\n    note: |-\r\n      x\r\n      y\r\n'))
    expect(data(added).nodes.first.note).toBe('x\ny')
    const q = setField(src, 'first', 'text', 'Hey')
    expect(q).toBe(src.replace('text: "Hi!"  # comment', 'text: "Hey"  # comment'))
  })

  it('changes the last line of a file without a final newline', () => {
    const src = file('no-newline.yaml')
    const out = setField(src, 'last', 'text', 'changed')
    expect(out).toBe(src.replace('the last line has no newline', 'changed'))
    expect(setField(src, 'last', 'next', 'first')).toBe(`${src}\n    next: first`)
  })

  it('writes a multi-line string in a flow node double-quoted on one line', () => {
    const src = file('styles.yaml')
    const i = lineOf(src, '  flowy: {kind: goto, to: plain, ui: {x: 5, y: 6}}')
    const added = setField(src, 'flowy', 'text', 'a\nb')
    expect(added).toBe(splice(src, i, 1, ['  flowy: {kind: goto, to: plain, ui: {x: 5, y: 6}, text: "a\\nb"}']))
    expect(setField(setField(src, 'flowy', 'text', 'a'), 'flowy', 'text', 'a\nb')).toBe(added)
    expect(data(added).nodes.flowy.text).toBe('a\nb')
  })

  it('follows an anchor: the anchor stays, aliases see the new value', () => {
    const src = file('anchors.yaml')
    const out = setField(src, 'greet', 'text', 'Howdy!')
    expect(out).toBe(src.replace('text: &hello Hello!', 'text: &hello Howdy!'))
    expect(data(out).nodes.ask.text).toBe('Howdy!')
    // An alias itself is replaced by the value; the anchor elsewhere is kept.
    const out2 = setField(src, 'ask', 'text', 'What?')
    expect(out2).toBe(src.replace('text: *hello', 'text: What?'))
    expect(data(out2).nodes.greet.text).toBe('Hello!')
  })
})

// ---- deleteField ----

describe('deleteField', () => {
  it('removes exactly the line of a scalar field', () => {
    const src = file('leads.yaml')
    const i = lineOf(src, '    retries: 3')
    const out = deleteField(src, 'ask_email', 'retries')
    expect(out).toBe(splice(src, i, 1))
    expect(data(out).nodes.ask_email.retries).toBeUndefined()
  })

  it('removes all lines of a block value', () => {
    const src = file('leads.yaml')
    const i = lineOf(src, '    remind:')
    expect(deleteField(src, 'ask_email', 'remind')).toBe(splice(src, i, 3))
    const j = lineOf(file('styles.yaml'), '    text: |')
    expect(deleteField(file('styles.yaml'), 'literal', 'text')).toBe(splice(file('styles.yaml'), j, 5))
  })

  it('keeps the comment above, removes the one on the line', () => {
    const src = file('comments.yaml')
    const i = lineOf(src, '    text: Hello there!   # comment after the edited scalar')
    const out = deleteField(src, 'greet', 'text')
    expect(out).toBe(splice(src, i, 1))
    expect(lines(out)[i - 1]).toBe('    # a comment between fields')
  })

  it('removes a branch list with the comments inside it', () => {
    const src = file('comments.yaml')
    const i = lineOf(src, '    next:', lineOf(src, '  ask:'))
    const out = deleteField(src, 'ask', 'next')
    expect(out).toBe(splice(src, i, 5))
    expect(lines(out)[i]).toBe('    # indented comment at the end of ask')
  })

  it('removes a pair from a flow node', () => {
    const src = file('styles.yaml')
    const i = lineOf(src, '  flowy: {kind: goto, to: plain, ui: {x: 5, y: 6}}')
    expect(lines(deleteField(src, 'flowy', 'to'))[i]).toBe('  flowy: {kind: goto, ui: {x: 5, y: 6}}')
    expect(lines(deleteField(src, 'flowy', 'kind'))[i]).toBe('  flowy: {to: plain, ui: {x: 5, y: 6}}')
  })

  it('keeps a missing final newline missing', () => {
    const src = file('no-newline.yaml')
    expect(deleteField(src, 'last', 'text')).toBe(src.replace('\n    text: the last line has no newline', ''))
  })
})

// ---- insertNode ----

describe('insertNode', () => {
  it('appends a node block after the last node, separated like its siblings', () => {
    const src = file('support.yaml')
    const out = insertNode(src, 'survey', {
      kind: 'question',
      text: 'How did we do?\nAnswer 1 to 5.',
      input: { type: 'number', min: 1, max: 5 },
      buttons: ['1', '5', 'Skip it'],
      on_timeout: 'bye',
      next: [{ if: 'input >= 4', to: 'bye' }, { to: 'human' }],
      retries: 2,
      note: 'true',
      ui: { x: 120, y: 40 },
    })
    const expected = [
      '',
      '  survey:',
      '    kind: question',
      '    text: |-',
      '      How did we do?',
      '      Answer 1 to 5.',
      // The file writes input and buttons flow (input padded): so does the new node.
      '    input: { type: number, min: 1, max: 5 }',
      '    buttons: ["1", "5", Skip it]',
      '    on_timeout: bye',
      '    next:',
      '      - if: input >= 4',
      '        to: bye',
      '      - to: human',
      '    retries: 2',
      '    note: "true"',
      '    ui:',
      '      x: 120',
      '      y: 40',
    ]
    expect(out).toBe(`${src}${expected.join('\n')}\n`)
    const node = data(out).nodes.survey
    expect(node.input).toEqual({ type: 'number', min: 1, max: 5 })
    expect(node.buttons).toEqual(['1', '5', 'Skip it'])
    expect(node.text).toBe('How did we do?\nAnswer 1 to 5.')
    expect(nodeIds(out).at(-1)).toBe('survey')
  })

  it('goes before a following top-level key and its comments, after the last node’s own comments', () => {
    const src = file('comments.yaml')
    const out = insertNode(src, 'extra', { kind: 'end' })
    const i = lineOf(src, '    # last comment of the last node')
    expect(out).toBe(splice(src, i + 1, 0, ['', '  extra:', '    kind: end']))
    expect(data(out).tests).toEqual([])
  })

  it('adds no blank line when the nodes have none between them', () => {
    const src = file('anchors.yaml')
    const out = insertNode(src, 'later', { kind: 'end', text: 'Later' })
    expect(out).toBe(`${src}  later:\n    kind: end\n    text: Later\n`)
  })

  it('indents like the other nodes', () => {
    const src = 'bot: wide\nnodes:\n    a:\n        kind: message\n        next: b\n    b:\n        kind: end\nafter: 1\n'
    expect(insertNode(src, 'c', { kind: 'end', ui: { x: 1, y: 2 } })).toBe(
      src.replace('after: 1', '    c:\n        kind: end\n        ui:\n            x: 1\n            y: 2\nafter: 1'),
    )
  })

  it('keeps CRLF and a missing final newline', () => {
    const src = file('crlf.yaml')
    expect(insertNode(src, 'more', { kind: 'end' })).toBe(`${src}\r\n  more:\r\n    kind: end\r\n`)
    const nn = file('no-newline.yaml')
    const out = insertNode(nn, 'more', { kind: 'end' })
    expect(out).toBe(`${nn}\n\n  more:\n    kind: end`)
    expect(data(out).nodes.last.text).toBe('the last line has no newline')
  })

  it('inserts into an empty `nodes:`', () => {
    expect(insertNode('bot: x\nnodes:\nafter: 1\n', 'a', { kind: 'end' })).toBe('bot: x\nnodes:\n  a:\n    kind: end\nafter: 1\n')
    expect(insertNode('bot: x\nnodes:', 'a', {})).toBe('bot: x\nnodes:\n  a: {}')
  })

  it('quotes an id only when YAML needs it', () => {
    const out = insertNode('nodes:\n  a:\n    kind: end\n', 'true', { kind: 'end', text: '' })
    expect(out).toBe('nodes:\n  a:\n    kind: end\n  "true":\n    kind: end\n    text: ""\n')
    expect(nodeIds(out)).toEqual(['a', 'true'])
  })

  it('throws when the id exists', () => {
    expect(() => insertNode(file('support.yaml'), 'greet', { kind: 'end' })).toThrow('node "greet" already exists')
  })
})

// ---- deleteNode ----

describe('deleteNode', () => {
  it('removes a middle node and one of the blank lines around it', () => {
    const src = file('faq.yaml')
    const i = lineOf(src, '  chat:')
    const out = deleteNode(src, 'chat')
    expect(out).toBe(splice(src, i - 1, 8))
    expect(lines(out).slice(i - 2, i + 1)).toEqual(['    next: chat', '', '  feedback:'])
    expect(Object.keys(data(out).nodes)).toEqual(['welcome', 'feedback', 'fallback', 'human', 'bye'])
  })

  it('removes the last node down to the end of the file', () => {
    const src = file('faq.yaml')
    const i = lineOf(src, '  bye:')
    expect(deleteNode(src, 'bye')).toBe(splice(src, i - 1, 4))
    expect(deleteNode(src, 'bye').endsWith('    next: chat\n')).toBe(true)
  })

  it('keeps comments that precede the next node and a following top-level key', () => {
    const src = file('comments.yaml')
    const i = lineOf(src, '  help:')
    const out = deleteNode(src, 'help')
    expect(out).toBe(splice(src, i, 8))
    expect(lines(out)[i]).toBe('  # comment at node indentation after help')

    const j = lineOf(src, '  bye:')
    const out2 = deleteNode(src, 'bye')
    expect(out2).toBe(splice(src, j - 1, 5))
    expect(lines(out2).slice(j - 2)).toEqual([
      '  # comment at node indentation after help',
      '',
      '# Comment above tests, belonging to the next top-level key.',
      'tests: []',
      '# Final comment of the file.',
      '',
    ])
  })

  it('removes the first node, keeping the comment on the nodes line', () => {
    const src = file('comments.yaml')
    const i = lineOf(src, '  greet:   # comment after a node key')
    expect(deleteNode(src, 'greet')).toBe(splice(src, i, 6))
  })

  it('keeps CRLF and a missing final newline', () => {
    const src = file('crlf.yaml')
    expect(deleteNode(src, 'second')).toBe(src.replace('\r\n  second:\r\n    kind: message\r\n    text: |\r\n      Line one\r\n      Line two\r\n    next: last\r\n', ''))
    const nn = file('no-newline.yaml')
    expect(deleteNode(nn, 'last')).toBe('bot: no_newline\nnodes:\n  first:\n    kind: message\n    text: Hi\n    next: last')
  })

  it('leaves `nodes:` empty after removing the only node, and a node can be inserted again', () => {
    const src = 'bot: x\nnodes:\n  a:\n    kind: end\ntests: []\n'
    const out = deleteNode(src, 'a')
    expect(out).toBe('bot: x\nnodes:\ntests: []\n')
    expect(insertNode(out, 'b', { kind: 'end' })).toBe('bot: x\nnodes:\n  b:\n    kind: end\ntests: []\n')
  })

  it('throws for a missing node', () => {
    expect(() => deleteNode(file('faq.yaml'), 'nope')).toThrow('no node "nope" in nodes')
  })

  it('refuses to remove an anchor that an alias still uses', () => {
    expect(() => deleteNode(file('anchors.yaml'), 'greet')).toThrow(/cannot apply.*Unresolved alias/)
    expect(() => setNodeUI('nodes:\n  a:\n    text: *nowhere\n', 'a', { x: 1, y: 1 })).toThrow(/cannot edit.*Unresolved alias/)
  })
})

// ---- renameNode ----

describe('renameNode', () => {
  it('changes the key and every reference, and nothing else', () => {
    const src = file('support.yaml')
    const out = renameNode(src, 'human', 'operator')
    const expected = lines(src).flatMap((l, i) =>
      /^ {2}human:$|^ {4}(on_invalid|on_timeout|on_error): human$|^ {8}to: human$/.test(l) ? [i] : [],
    )
    expect(expected.length).toBe(7)
    expect(changedLines(src, out)).toEqual(expected)
    for (const i of expected) expect(lines(out)[i]).toBe(lines(src)[i]?.replace('human', 'operator'))
    const nodes = data(out).nodes
    expect(nodes.operator.kind).toBe('handoff')
    expect(nodes.human).toBeUndefined()
    expect(nodes.route.next[0].to).toBe('operator')
    expect(nodes.track.on_error).toBe('operator')
  })

  it('updates the top-level start and a tool’s block node', () => {
    const src = file('support.yaml')
    expect(changedLines(src, renameNode(src, 'greet', 'hello'))).toEqual([lineOf(src, 'start: greet'), lineOf(src, '  greet:')])
    const tools = 'settings:\n  tools:\n    lookup: {description: Look up, block: fetch}\nnodes:\n  fetch:\n    kind: block\n    next: fetch\n'
    expect(renameNode(tools, 'fetch', 'get')).toBe(tools.replace('block: fetch', 'block: get').replace('  fetch:', '  get:').replace('next: fetch', 'next: get'))
  })

  it('renames inside flow branch lists, keeps quotes and anchors, follows aliases', () => {
    const src = file('anchors.yaml')
    const out = renameNode(src, 'ask', 'asking')
    expect(out).toBe(
      src
        .replace('  ask:', '  asking:')
        .replace('next: &to_ask ask', 'next: &to_ask asking')
        .replace('{if: "true", to: ask}', '{if: "true", to: asking}'),
    )
    expect(data(out).nodes.asking.next).toBe('asking')
    const styles = file('styles.yaml')
    const out2 = renameNode(styles, 'double', 'dbl')
    expect(changedLines(styles, out2)).toEqual([lineOf(styles, '    next: "double"'), lineOf(styles, '  double:')])
    expect(out2).toContain('    next: "dbl"\n')
  })

  it('leaves text and unrelated fields that mention the id alone', () => {
    const src = 'nodes:\n  a:\n    kind: block\n    text: bye\n    payload: {to: bye}\n    save: bye\n    on_error: bye # fails\n  bye:\n    kind: end\n'
    expect(renameNode(src, 'bye', 'done')).toBe(src.replace('on_error: bye', 'on_error: done').replace('  bye:', '  done:'))
  })

  it('keeps the quoting of a quoted key', () => {
    const src = 'nodes:\n  "greet":\n    kind: message\n    next: greet\n'
    expect(renameNode(src, 'greet', 'hi')).toBe('nodes:\n  "hi":\n    kind: message\n    next: hi\n')
  })

  it('throws for a missing node or a taken id; same id is a no-op', () => {
    const src = file('support.yaml')
    expect(() => renameNode(src, 'nope', 'x')).toThrow('no node "nope" in nodes')
    expect(() => renameNode(src, 'greet', 'bye')).toThrow('node "bye" already exists')
    expect(renameNode(src, 'greet', 'greet')).toBe(src)
  })
})

// ---- uniqueId ----

describe('uniqueId', () => {
  it('keeps a free id and numbers a taken one', () => {
    expect(uniqueId(['a', 'b'], 'c')).toBe('c')
    expect(uniqueId(['ask', 'bye'], 'ask')).toBe('ask_2')
    expect(uniqueId(['ask', 'ask_2', 'ask_3'], 'ask')).toBe('ask_4')
    expect(uniqueId([], 'x')).toBe('x')
  })

  it('works with the ids of a file', () => {
    expect(uniqueId(nodeIds(file('support.yaml')), 'greet')).toBe('greet_2')
  })
})

// ---- setField with lists and maps ----

/**
 * The lines of a node's field in src, [from, to) as line indices: the lines an
 * edit of that field may change. A field of a flow node is its node's line.
 */
function fieldLines(src: string, id: string, key: string): [number, number] {
  const ls = lines(src.replace(/\r/g, ''))
  const indent = (l: string) => l.search(/\S/)
  const nodeAt = ls.findIndex((l) => new RegExp(`^ +${id}:( |$)`).test(l))
  expect(nodeAt, `node ${id}`).toBeGreaterThanOrEqual(0)
  if (/: *\{/.test(ls[nodeAt]!)) return [nodeAt, nodeAt + 1]
  const nodeCol = indent(ls[nodeAt]!)
  // The node's last non-blank line deeper than its key; a new field goes after its last content line.
  let end = nodeAt + 1
  let contentEnd = nodeAt + 1
  for (let i = nodeAt + 1; i < ls.length && (ls[i]!.trim() === '' || indent(ls[i]!) > nodeCol); i++) {
    if (ls[i]!.trim() !== '') end = i + 1
    if (ls[i]!.trim() !== '' && !ls[i]!.trim().startsWith('#')) contentEnd = i + 1
  }
  const keyAt = ls.findIndex((l, i) => i > nodeAt && i < end && new RegExp(`^ +${key}:( |$)`).test(l))
  if (keyAt < 0) return [contentEnd, contentEnd]
  const col = indent(ls[keyAt]!)
  // Deeper lines, and `- ` items at the key's column, are the field's; so are
  // the blank lines a block scalar (`|`, `>+`) ends with.
  const blockScalar = /:\s+(&\S+\s+)?[|>][-+0-9]*\s*(#.*)?$/.test(ls[keyAt]!)
  const inside = (l: string) => indent(l) > col || (indent(l) === col && l.trimStart().startsWith('- '))
  let to = keyAt + 1
  while (to < end && (inside(ls[to]!) || (ls[to]!.trim() === '' && (blockScalar || inside(ls[to + 1] ?? ''))))) to++
  return [keyAt, to]
}

/** Asserts that out differs from src only inside the field's lines (or by lines added right after them). */
function onlyFieldChanged(src: string, out: string, id: string, key: string): void {
  const [from, to] = fieldLines(src, id, key)
  const a = lines(src)
  const b = lines(out)
  expect(b.slice(0, from), 'lines before the field').toEqual(a.slice(0, from))
  const after = a.length - to
  expect(b.slice(b.length - after), 'lines after the field').toEqual(a.slice(to))
}

/** setField, checked: the value is there, other nodes are unchanged, only the field's lines moved. */
function setChecked(src: string, id: string, key: string, value: FieldValue, aliased = false): string {
  const out = setField(src, id, key, value)
  const before = data(src).nodes
  const after = data(out).nodes
  expect(after[id][key]).toEqual(value)
  // (An anchored value changes its aliases too.)
  if (!aliased) for (const other of Object.keys(before)) if (other !== id) expect(after[other]).toEqual(before[other])
  onlyFieldChanged(src, out, id, key)
  return out
}

describe('setField: conditional next', () => {
  const src = file('comments.yaml')

  it('rewrites only the edited condition, keeping its comment and the others', () => {
    const i = lineOf(src, '      - if: topic == "help"   # condition')
    const out = setChecked(src, 'ask', 'next', [{ if: 'topic == "other" && ok', to: 'help' }, { to: 'bye' }])
    expect(out).toBe(splice(src, i, 1, ['      - if: topic == "other" && ok   # condition']))
    const out2 = setChecked(src, 'ask', 'next', [{ if: 'topic == "help"', to: 'greet' }, { to: 'bye' }])
    expect(out2).toBe(splice(src, i + 1, 1, ['        to: greet']))
  })

  it('inserts a condition at its index, at the list indentation', () => {
    const i = lineOf(src, '      - to: bye   # fallback')
    const out = setChecked(src, 'ask', 'next', [{ if: 'topic == "help"', to: 'help' }, { if: 'true', to: 'greet' }, { to: 'bye' }])
    expect(out).toBe(splice(src, i, 0, ['      - if: "true"', '        to: greet']))
    const appended = setChecked(src, 'ask', 'next', [{ if: 'topic == "help"', to: 'help' }, { to: 'bye' }, { to: 'greet' }])
    expect(appended).toBe(splice(src, i + 1, 0, ['      - to: greet']))
  })

  it('removes a condition with its lines', () => {
    const i = lineOf(src, '      - if: topic == "help"   # condition')
    expect(setChecked(src, 'ask', 'next', [{ to: 'bye' }])).toBe(splice(src, i, 2))
    expect(setChecked(src, 'ask', 'next', [{ if: 'topic == "help"', to: 'help' }])).toBe(splice(src, i + 2, 1))
  })

  it('reorders conditions by moving their lines, comments and all', () => {
    const i = lineOf(src, '      - if: topic == "help"   # condition')
    const out = setChecked(src, 'ask', 'next', [{ to: 'bye' }, { if: 'topic == "help"', to: 'help' }])
    expect(out).toBe(splice(src, i, 3, ['      - to: bye   # fallback', '      - if: topic == "help"   # condition', '        to: help']))
    expect(setField(out, 'ask', 'next', [{ if: 'topic == "help"', to: 'help' }, { to: 'bye' }])).toBe(src)
  })

  it('adds and drops the `if` of an entry', () => {
    const i = lineOf(src, '      - to: bye   # fallback')
    const withIf = setChecked(src, 'ask', 'next', [{ if: 'topic == "help"', to: 'help' }, { if: 'done', to: 'bye' }])
    expect(withIf).toBe(splice(src, i, 1, ['      - if: done', '        to: bye   # fallback']))
    const j = lineOf(src, '      - if: topic == "help"   # condition')
    const noIf = setChecked(src, 'ask', 'next', [{ to: 'help' }, { to: 'bye' }])
    expect(noIf).toBe(splice(src, j, 2, ['      - to: help']))
  })

  it('switches from a single target to conditions and back', () => {
    const i = lineOf(src, '    next: ask   # where next')
    const out = setChecked(src, 'greet', 'next', [{ if: 'x > 1', to: 'ask' }, { to: 'bye' }])
    // The comment stays on the key's line; the list is indented one step below the key.
    expect(out).toBe(splice(src, i, 1, ['    next:   # where next', '      - if: x > 1', '        to: ask', '      - to: bye']))
    const j = lineOf(src, '    next:', lineOf(src, '  ask:'))
    const single = setChecked(src, 'ask', 'next', 'help')
    expect(single).toBe(splice(src, j, 5, ['    next: help']))
    expect(data(single).nodes.ask.next).toBe('help')
  })

  it('keeps a flow list flow', () => {
    const a = file('anchors.yaml')
    const i = lineOf(a, '    next: [{if: "true", to: ask}, {to: bye}]')
    const cases: Array<[FieldValue, string]> = [
      [[{ if: 'true', to: 'ask' }, { if: 'x > 1', to: 'greet' }, { to: 'bye' }], '[{if: "true", to: ask}, {if: x > 1, to: greet}, {to: bye}]'],
      [[{ to: 'bye' }, { if: 'true', to: 'ask' }], '[{to: bye}, {if: "true", to: ask}]'],
      [[{ to: 'bye' }], '[{to: bye}]'],
      [[{ if: 'true', to: 'ask' }], '[{if: "true", to: ask}]'],
      [[{ if: 'false', to: 'ask' }, { to: 'bye' }], '[{if: "false", to: ask}, {to: bye}]'],
      [[{ if: true, to: 'ask' }, { to: 'bye' }], '[{if: true, to: ask}, {to: bye}]'],
    ]
    for (const [value, text] of cases) {
      expect(setChecked(a, 'again', 'next', value)).toBe(splice(a, i, 1, [`    next: ${text}`]))
    }
  })

  it('keeps the indentation of a 4-space file and of a list at its key column', () => {
    const wide = 'nodes:\n    a:\n        kind: branch\n        next:\n        - if: x\n          to: b\n        - to: a\n    b:\n        kind: end\n'
    const out = setChecked(wide, 'a', 'next', [{ if: 'x', to: 'b' }, { if: 'y', to: 'a' }, { to: 'a' }])
    expect(out).toBe(wide.replace('        - to: a\n', '        - if: y\n          to: a\n        - to: a\n'))
    const added = setChecked(wide, 'b', 'next', [{ if: 'z', to: 'a' }])
    expect(added).toBe(`${wide}        next:\n            - if: z\n              to: a\n`)
  })

  it('keeps CRLF and a missing final newline', () => {
    const crlfSrc = file('crlf.yaml')
    const out = setChecked(crlfSrc, 'first', 'next', [{ if: 'a', to: 'second' }, { to: 'last' }])
    expect(out).toBe(crlfSrc.replace('    next: second\r\n', '    next:\r\n      - if: a\r\n        to: second\r\n      - to: last\r\n'))
    const nn = file('no-newline.yaml')
    const out2 = setChecked(nn, 'last', 'next', [{ if: 'a', to: 'first' }])
    expect(out2).toBe(`${nn}\n    next:\n      - if: a\n        to: first`)
    expect(setChecked(out2, 'last', 'next', [{ if: 'a', to: 'first' }, { to: 'last' }])).toBe(`${out2}\n      - to: last`)
  })
})

describe('setField: lists of strings', () => {
  const block = 'nodes:\n  a:\n    kind: message\n    buttons:   # the buttons\n      - One   # first\n      - Two\n      # before three\n      - Three\n    next: a\n'

  it('adds, edits, removes and reorders items of a block list, one item’s lines at a time', () => {
    const at = lineOf(block, '      - One   # first')
    expect(setChecked(block, 'a', 'buttons', ['One', 'Two', 'Three', 'Four'])).toBe(splice(block, at + 4, 0, ['      - Four']))
    expect(setChecked(block, 'a', 'buttons', ['Zero', 'One', 'Two', 'Three'])).toBe(splice(block, at, 0, ['      - Zero']))
    expect(setChecked(block, 'a', 'buttons', ['Uno', 'Two', 'Three'])).toBe(splice(block, at, 1, ['      - Uno   # first']))
    expect(setChecked(block, 'a', 'buttons', ['One', 'Three'])).toBe(splice(block, at + 1, 1))
    expect(setChecked(block, 'a', 'buttons', ['One', 'Two'])).toBe(splice(block, at + 3, 1))
    const moved = setChecked(block, 'a', 'buttons', ['Two', 'One', 'Three'])
    expect(moved).toBe(splice(block, at, 2, ['      - Two', '      - One   # first']))
    expect(setField(moved, 'a', 'buttons', ['One', 'Two', 'Three'])).toBe(block)
  })

  it('quotes items only when needed and writes multi-line items as blocks', () => {
    const at = lineOf(block, '      - Two')
    expect(setChecked(block, 'a', 'buttons', ['One', 'yes', 'Three'])).toBe(splice(block, at, 1, ['      - yes']))
    expect(setChecked(block, 'a', 'buttons', ['One', 'true', 'Three'])).toBe(splice(block, at, 1, ['      - "true"']))
    expect(setChecked(block, 'a', 'buttons', ['One', 'a: b', 'Three'])).toBe(splice(block, at, 1, ['      - "a: b"']))
    expect(setChecked(block, 'a', 'buttons', ['One', 'Two\nlines', 'Three'])).toBe(splice(block, at, 1, ['      - |-', '        Two', '        lines']))
  })

  it('adds, edits, removes and reorders items of a flow list on its line', () => {
    const src = file('styles.yaml')
    const i = lineOf(src, `    buttons: [One, "Two, three", 'Four']`)
    const cases: Array<[string[], string]> = [
      [['One', 'Two, three', 'Four', 'Five'], `[One, "Two, three", 'Four', Five]`],
      [['Zero', 'One', 'Two, three', 'Four'], `[Zero, One, "Two, three", 'Four']`],
      [['One', 'Two', 'Four'], `[One, "Two", 'Four']`],
      [['One', 'Four'], `[One, 'Four']`],
      [['Two, three', 'Four'], `["Two, three", 'Four']`],
      [['Four', 'Two, three', 'One'], `['Four', "Two, three", One]`],
      [['One', 'Two, three', 'Four, five'], `[One, "Two, three", 'Four, five']`],
    ]
    for (const [value, text] of cases) expect(setChecked(src, 'plain', 'buttons', value)).toBe(splice(src, i, 1, [`    buttons: ${text}`]))
  })

  it('writes an emptied list as [] and a new one in the file’s style for that field', () => {
    const src = file('support.yaml')
    const i = lineOf(src, '    buttons: [Thanks]')
    expect(setChecked(src, 'billing', 'buttons', [])).toBe(splice(src, i, 1, ['    buttons: []']))
    // No knowledge list anywhere and a short list of strings: flow.
    const j = lineOf(src, '    next: anything_else')
    expect(setChecked(src, 'billing', 'knowledge', ['faq'])).toBe(splice(src, j + 1, 0, ['    knowledge: [faq]']))
    // A block list elsewhere in the file makes a new one block.
    const blockSrc = `${block}  b:\n    kind: message\n    text: Hi\n`
    expect(setChecked(blockSrc, 'b', 'buttons', ['Yes', 'No'])).toBe(`${blockSrc}    buttons:\n      - Yes\n      - No\n`)
  })
})

describe('setField: maps', () => {
  it('patches a padded flow input map, keeping its padding', () => {
    const src = file('support.yaml')
    const i = lineOf(src, '    input: { type: choice, options: [Billing, Delivery, Talk to a person] }')
    const cases: Array<[FieldValue, string]> = [
      [{ type: 'multichoice', options: ['Billing', 'Delivery', 'Talk to a person'] }, '{ type: multichoice, options: [Billing, Delivery, Talk to a person] }'],
      [{ type: 'choice', options: ['Billing', 'Delivery', 'Talk to a person', 'Other'] }, '{ type: choice, options: [Billing, Delivery, Talk to a person, Other] }'],
      [{ type: 'choice', options: ['Delivery', 'Billing', 'Talk to a person'] }, '{ type: choice, options: [Delivery, Billing, Talk to a person] }'],
      [{ type: 'choice' }, '{ type: choice }'],
      [{ options: ['Billing', 'Delivery', 'Talk to a person'] }, '{ options: [Billing, Delivery, Talk to a person] }'],
      [{ type: 'number', min: 1, max: 10 }, '{ type: number, min: 1, max: 10 }'],
      [{ type: 'regex', pattern: '^[A-Z]{2}\\d+$' }, '{ type: regex, pattern: "^[A-Z]{2}\\\\d+$" }'],
    ]
    for (const [value, text] of cases) expect(setChecked(src, 'ask_topic', 'input', value)).toBe(splice(src, i, 1, [`    input: ${text}`]))
    const j = lineOf(src, '    input: { type: yes_no }')
    expect(setChecked(src, 'anything_else', 'input', { type: 'number', min: 1 })).toBe(splice(src, j, 1, ['    input: { type: number, min: 1 }']))
  })

  it('patches a block input map key by key, keeping comments', () => {
    const src = 'nodes:\n  a:\n    kind: question\n    input:   # what is accepted\n      type: choice   # the type\n      options:\n        - A\n        - B\n    save: x\n'
    const i = lineOf(src, '      type: choice   # the type')
    expect(setChecked(src, 'a', 'input', { type: 'multichoice', options: ['A', 'B'] })).toBe(splice(src, i, 1, ['      type: multichoice   # the type']))
    expect(setChecked(src, 'a', 'input', { type: 'choice', options: ['A', 'B', 'C'] })).toBe(splice(src, i + 4, 0, ['        - C']))
    expect(setChecked(src, 'a', 'input', { type: 'number', min: 0 })).toBe(splice(src, i, 4, ['      type: number   # the type', '      min: 0']))
    expect(setChecked(src, 'a', 'input', { type: 'file', options: ['A', 'B'], accept: ['image/*'] })).toBe(
      splice(src, i, 1, ['      type: file   # the type']).replace('        - B\n', '        - B\n      accept: [image/*]\n'),
    )
    expect(setChecked(src, 'a', 'input', { type: 'choice' })).toBe(splice(src, i + 1, 3))
  })

  it('adds, renames, changes and removes keys of a block map of expressions', () => {
    const src = file('support.yaml')
    const i = lineOf(src, '      attempts: attempts + 1')
    expect(setChecked(src, 'count_loop', 'assign', { attempts: 'attempts + 1', seen: 'true' })).toBe(splice(src, i + 1, 0, ['      seen: "true"']))
    expect(setChecked(src, 'count_loop', 'assign', { first: '1', attempts: 'attempts + 1' })).toBe(splice(src, i, 0, ['      first: "1"']))
    expect(setChecked(src, 'count_loop', 'assign', { tries: 'attempts + 1' })).toBe(splice(src, i, 1, ['      tries: attempts + 1']))
    expect(setChecked(src, 'count_loop', 'assign', { attempts: 'attempts + 2' })).toBe(splice(src, i, 1, ['      attempts: attempts + 2']))
    const two = setChecked(src, 'count_loop', 'assign', { attempts: 'attempts + 1', seen: 'true' })
    expect(setChecked(two, 'count_loop', 'assign', { seen: 'true' })).toBe(splice(src, i, 1, ['      seen: "true"']))
  })

  it('adds, renames and removes keys of a flow map', () => {
    const src = file('support.yaml')
    const i = lineOf(src, '    headers: { X-Source: parley }')
    const cases: Array<[FieldValue, string]> = [
      [{ 'X-Source': 'parley', 'X-Key': '{{ key }}' }, '{ X-Source: parley, X-Key: "{{ key }}" }'],
      [{ 'X-Origin': 'parley' }, '{ X-Origin: parley }'],
      [{ 'X-Source': 'web' }, '{ X-Source: web }'],
      [{ 'X-Key': 'k' }, '{ X-Key: k }'],
    ]
    for (const [value, text] of cases) expect(setChecked(src, 'track', 'headers', value)).toBe(splice(src, i, 1, [`    headers: ${text}`]))
  })

  it('takes no key order as a change: data with sorted keys (as the graph API sends) edits in place', () => {
    const src = file('leads.yaml')
    const sorted = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)))
    const payload = sorted(data(src).nodes.save_lead.payload) as Record<string, string>
    expect(setField(src, 'save_lead', 'payload', payload)).toBe(src)
    const i = lineOf(src, '      budget: "{{ budget }}"')
    expect(setChecked(src, 'save_lead', 'payload', { ...payload, budget: '{{ budget * 12 }}' })).toBe(splice(src, i, 1, ['      budget: "{{ budget * 12 }}"']))
    // A rename keeps the entry in its place, though the new key sorts elsewhere.
    const { start, ...rest } = payload
    const j = lineOf(src, '      start: "{{ start_date }}"')
    expect(setChecked(src, 'save_lead', 'payload', sorted({ ...rest, begins: start! }) as FieldValue)).toBe(splice(src, j, 1, ['      begins: "{{ start_date }}"']))
    // A new key goes before the existing key it sorts before.
    expect(setChecked(src, 'save_lead', 'payload', sorted({ ...payload, channel: 'web' }) as FieldValue)).toBe(
      splice(src, lineOf(src, '      email: "{{ email }}"'), 0, ['      channel: web']),
    )
    const support = file('support.yaml')
    const k = lineOf(support, '    input: { type: choice, options: [Billing, Delivery, Talk to a person] }')
    expect(setChecked(support, 'ask_topic', 'input', { options: ['Billing', 'Delivery'], type: 'choice' })).toBe(
      splice(support, k, 1, ['    input: { type: choice, options: [Billing, Delivery] }']),
    )
  })

  it('edits the items of a list of maps (reminders) in place', () => {
    const src = file('support.yaml')
    const i = lineOf(src, '      - after: 10m')
    const text = "Still there? Pick a topic whenever you're ready."
    expect(setChecked(src, 'ask_topic', 'remind', [{ after: '15m', text }])).toBe(splice(src, i, 1, ['      - after: 15m']))
    expect(setChecked(src, 'ask_topic', 'remind', [{ after: '10m', text }, { after: '20m', text: 'Hello?' }])).toBe(
      splice(src, i + 2, 0, ['      - after: 20m', '        text: Hello?']),
    )
  })

  it('adds a missing map at the node’s key column, in the style the file uses for that field', () => {
    const src = file('support.yaml')
    const i = lineOf(src, '    next: ask_topic')
    // Every input in the file is a padded flow map.
    expect(setChecked(src, 'greet', 'input', { type: 'text', max: 200 })).toBe(splice(src, i + 1, 0, ['    input: { type: text, max: 200 }']))
    // remind is written block.
    expect(setChecked(src, 'greet', 'remind', [{ after: '5m', text: 'Hi?' }])).toBe(splice(src, i + 1, 0, ['    remind:', '      - after: 5m', '        text: Hi?']))
    // Inside a flow node, everything is flow.
    const styles = file('styles.yaml')
    const j = lineOf(styles, '  flowy: {kind: goto, to: plain, ui: {x: 5, y: 6}}')
    expect(setChecked(styles, 'flowy', 'next', [{ if: 'a', to: 'plain' }])).toBe(
      splice(styles, j, 1, ['  flowy: {kind: goto, to: plain, ui: {x: 5, y: 6}, next: [{if: a, to: plain}]}']),
    )
  })

  it('replaces a scalar or alias with a map, keeping an anchor', () => {
    const src = file('anchors.yaml')
    const i = lineOf(src, '    input: *yes_no')
    // The file's other input is a padded flow map: so is this one.
    expect(setChecked(src, 'again', 'input', { type: 'choice', options: ['a'] })).toBe(splice(src, i, 1, ['    input: { type: choice, options: [a] }']))
    // Editing the anchored map itself changes what its alias means too.
    const j = lineOf(src, '    input: &yes_no { type: yes_no }')
    const out = setField(src, 'ask', 'input', { type: 'yes_no', min: 1 })
    expect(out).toBe(splice(src, j, 1, ['    input: &yes_no { type: yes_no, min: 1 }']))
    expect(data(out).nodes.again.input).toEqual({ type: 'yes_no', min: 1 })
    // A multi-line block scalar becoming a list is replaced, the next field untouched.
    const styles = file('styles.yaml')
    const k = lineOf(styles, '    text: |')
    expect(setChecked(styles, 'literal', 'text', [{ if: 'a', to: 'b' }])).toBe(splice(styles, k, 5, ['    text:', '      - if: a', '        to: b']))
  })
})

describe('setField on every list and map of the examples', () => {
  const mutations = (v: unknown): FieldValue[] => {
    const out: FieldValue[] = []
    if (Array.isArray(v) && v.length > 0) {
      out.push([...v].reverse(), v.slice(1), v.slice(0, -1), [v[0], ...v], [...v, v[0]])
      out.push(v.map((x) => (typeof x === 'string' ? `${x} (edited)` : x)))
      if (isRecordLike(v[0])) out.push([{ ...v[0], zz_added: 'x' }, ...v.slice(1)])
    } else if (isRecordLike(v) && Object.keys(v).length > 0) {
      const [k0, ...rest] = Object.keys(v)
      out.push(Object.fromEntries(rest.map((k) => [k, v[k]])) as FieldValue)
      out.push({ ...v, zz_added: 'new value' } as FieldValue)
      out.push({ zz_first: 1, ...v } as FieldValue)
      out.push(Object.fromEntries(Object.entries(v).map(([k, x]) => [k === k0 ? 'zz_renamed' : k, x])) as FieldValue)
      out.push(Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === 'string' ? `${x}!` : x])) as FieldValue)
    }
    return out.filter((m) => !Array.isArray(m) || m.length > 0)
  }
  const isRecordLike = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x)

  // Line ends and a missing final newline are tried on the fixtures only: the examples are slow enough once.
  const fuzzed = variants.filter((v) => !v.name.includes('(') || fixtures.some((f) => v.name.startsWith(`${f.name} (`)))
  for (const { name, src } of fuzzed) {
    const bot = parseDocument(src).toJS() as Record<string, any>
    if (!bot.nodes) continue
    it(`changes only the field’s lines, and setting a value back is clean: ${name}`, { timeout: 30_000 }, () => {
      let tried = 0
      for (const [id, node] of Object.entries(bot.nodes as Record<string, Record<string, unknown>>)) {
        for (const [key, value] of Object.entries(node)) {
          if (typeof value !== 'object' || value === null) continue
          // Setting the current value is a no-op.
          expect(setField(src, id, key, value as FieldValue)).toBe(src)
          for (const m of mutations(value)) {
            tried++
            const out = setChecked(src, id, key, m, src.includes(' &'))
            expect(data(out).nodes[id][key]).toEqual(m)
            // And back: the data is the original again.
            expect(data(setField(out, id, key, value as FieldValue)).nodes[id]).toEqual(node)
          }
        }
      }
      if (!name.startsWith('no-newline') && !name.startsWith('crlf')) expect(tried).toBeGreaterThan(0)
    })
  }
})

describe('insertNode: ui style', () => {
  it('writes ui flow when the other nodes do, padded when they pad', () => {
    const src = file('crlf.yaml')
    expect(insertNode(src, 'more', { kind: 'end', ui: { x: 1, y: 2 } })).toBe(`${src}\r\n  more:\r\n    kind: end\r\n    ui: {x: 1, y: 2}\r\n`)
    const padded = 'nodes:\n  a:\n    kind: end\n    ui: { x: 0, y: 0 }\n'
    expect(insertNode(padded, 'b', { kind: 'end', ui: { x: 1, y: 2 } })).toBe(`${padded}  b:\n    kind: end\n    ui: { x: 1, y: 2 }\n`)
  })

  it('writes ui block when the other nodes do, or when none has one', () => {
    const block = 'nodes:\n  a:\n    kind: end\n    ui:\n      x: 0\n      y: 0\n'
    expect(insertNode(block, 'b', { kind: 'end', ui: { x: 1, y: 2 } })).toBe(`${block}  b:\n    kind: end\n    ui:\n      x: 1\n      y: 2\n`)
    const none = 'nodes:\n  a:\n    kind: end\n'
    expect(insertNode(none, 'b', { kind: 'end', ui: { x: 1, y: 2 } })).toBe(`${none}  b:\n    kind: end\n    ui:\n      x: 1\n      y: 2\n`)
  })
})

describe('setField: found by random changes', () => {
  it('keeps an anchor when a block value under it is replaced', () => {
    const src = 'nodes:\n  a:\n    text: &t\n      - x\n      - y\n  b:\n    text: *t\n'
    const out = setChecked(src, 'a', 'text', 'plain', true)
    expect(out).toBe('nodes:\n  a:\n    text: &t plain\n  b:\n    text: *t\n')
    expect(data(out).nodes.b.text).toBe('plain')
  })

  it('inserts into an empty flow list', () => {
    const src = 'nodes:\n  a:\n    kind: message\n    buttons: []\n'
    expect(setChecked(src, 'a', 'buttons', ['One'])).toBe(src.replace('[]', '[One]'))
  })

  it('writes a multi-line list item as a block indented from its dash', () => {
    const src = 'nodes:\n  a:\n    kind: end\n    more:\n      - x\n      - - "1"\n        - y\n'
    const out = setChecked(src, 'a', 'more', ['x\ny', ['1', 'a\nb']])
    expect(out).toBe('nodes:\n  a:\n    kind: end\n    more:\n      - |-\n        x\n        y\n      - - "1"\n        - |-\n          a\n          b\n')
    // And back: a nested list ending in a block scalar becomes a scalar without eating the next line.
    // (A block scalar stays one.)
    expect(setChecked(out, 'a', 'more', ['z', 'w'])).toBe('nodes:\n  a:\n    kind: end\n    more:\n      - |-\n        z\n      - w\n')
  })

  it('measures the file, not a token it rewrote, for the other edits of the same patch', () => {
    const src = 'nodes:\n  f: {kind: goto, opts: {a: {b: "", c: 1}}}\n'
    const out = setChecked(src, 'f', 'opts', { a: { b: 'x y', c: 1, d: 2 } })
    expect(out).toBe('nodes:\n  f: {kind: goto, opts: {a: {b: "x y", c: 1, d: 2}}}\n')
  })
})

describe('setField: random changes (seeded)', () => {
  let seed = 20240611
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
  const one = <T,>(a: T[]): T => a[Math.floor(rnd() * a.length)]!
  const scalars: FieldValue[] = ['a', 'b c', 'true', '1', '', 'x: y', 'multi\nline', 'a, b', '{{ t }}', 1, 2.5, true, null, '#c', "it's", '- dash']
  const gen = (depth: number): FieldValue => {
    const r = rnd()
    if (depth > 2 || r < 0.35) return one(scalars)
    if (r < 0.65) return Array.from({ length: Math.floor(rnd() * 4) }, () => gen(depth + 1))
    const o: Record<string, FieldValue> = {}
    for (let i = Math.floor(rnd() * 4); i > 0; i--) o[one(['k', 'if', 'to', 'type', 'x y', 'true', 'options'])] = gen(depth + 1)
    return o
  }
  const mutate = (v: FieldValue): FieldValue => {
    const r = rnd()
    if (Array.isArray(v) && v.length > 0) {
      const i = Math.floor(rnd() * v.length)
      if (r < 0.25) return v.filter((_, k) => k !== i)
      if (r < 0.5) return [...v.slice(0, i), gen(1), ...v.slice(i)]
      if (r < 0.7) return v.map((x, k) => (k === i ? mutate(x) : x))
      if (r < 0.85) return [...v].reverse()
      return gen(0)
    }
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v)
      const k = keys.length > 0 ? one(keys) : 'k'
      if (keys.length && r < 0.3) return { ...v, [k]: mutate(v[k]!) }
      if (keys.length && r < 0.5) return Object.fromEntries(Object.entries(v).filter(([x]) => x !== k))
      if (r < 0.7) return { ...v, [one(['new', 'if', 'zz'])]: gen(1) }
      if (keys.length && r < 0.85) return Object.fromEntries(Object.entries(v).map(([x, y]) => [x === k ? 'renamed' : x, y]))
      return gen(0)
    }
    return gen(0)
  }

  for (const { name, src: original } of [...examples, ...fixtures]) {
    let bot: Record<string, any>
    try {
      bot = parseDocument(original).toJS() as Record<string, any>
    } catch {
      continue
    }
    if (!bot?.nodes) continue
    it(`writes every value, changing only the field’s lines: ${name}`, { timeout: 60_000 }, () => {
      for (const [id, node] of Object.entries(bot.nodes as Record<string, Record<string, unknown>>)) {
        for (const key of [...Object.keys(node), 'added']) {
          let src = original
          let value = (node[key] ?? null) as FieldValue
          for (let step = 0; step < 4; step++) {
            value = mutate(value)
            const out = setField(src, id, key, value)
            expect(data(out).nodes[id][key], `${id}.${key} step ${step}`).toEqual(value)
            onlyFieldChanged(src, out, id, key)
            src = out
          }
        }
      }
    })
  }
})
