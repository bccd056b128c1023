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
      '    input:',
      '      type: number',
      '      min: 1',
      '      max: 5',
      '    buttons:',
      '      - "1"',
      '      - "5"',
      '      - Skip it',
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
