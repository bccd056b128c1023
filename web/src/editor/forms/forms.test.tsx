import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { fieldSpecs } from '../schemaFields'
import { checkExpression, checkNumber, checkPattern } from './checks'
import { AddRow, TextInput } from './controls'
import { addCondition, changeType, fits, move, parseScalar, renameKey, singleTarget, withKey } from './values'

describe('checkExpression', () => {
  it('accepts the expressions of the example bots', () => {
    for (const e of [
      'topic == "Talk to a person"',
      'more',
      'attempts > 3',
      'lower(input) in ["yes", "y"]',
      "topic != ''",
      '(team_size >= 50 ? 5 : 1) + (has_crm ? 1 : 0)',
      "now() + duration('72h')",
      'a == "it\\"s"',
      'x <= 1 && y >= 2 || !z',
      'true',
    ]) {
      expect(checkExpression(e), e).toBeNull()
    }
  })

  it('finds the usual slips', () => {
    expect(checkExpression('')).toMatch(/empty/)
    expect(checkExpression('{{ score }} > 3')).toMatch(/without \{\{ \}\}/)
    expect(checkExpression('topic == "Billing')).toMatch(/not closed: add the "/)
    expect(checkExpression("topic == 'Billing")).toMatch(/add the '/)
    expect(checkExpression('(a + b')).toMatch(/"\(" is not closed/)
    expect(checkExpression('a + b)')).toMatch(/closes nothing/)
    expect(checkExpression('[a, b)')).toMatch(/does not close/)
    expect(checkExpression('score = 3')).toMatch(/==/)
    expect(checkExpression('score >')).toMatch(/ends with an operator/)
    expect(checkExpression('a &&')).toMatch(/ends with an operator/)
    expect(checkExpression('x in')).toMatch(/ends with an operator/)
  })
})

describe('checkPattern and checkNumber', () => {
  it('checks against the schema pattern, naming the example', () => {
    const duration = '^([0-9]+(\\.[0-9]+)?(ms|s|m|h|d|w))+$'
    expect(checkPattern('1h30m', duration, '10m')).toBeNull()
    expect(checkPattern('soon', duration, '10m')).toBe('Expected something like 10m.')
    expect(checkPattern('x', '(', 'y')).toBeNull()
  })

  it('checks numbers and bounds', () => {
    expect(checkNumber('3', { integer: true, minimum: 0, maximum: 100 })).toBeNull()
    expect(checkNumber('x', {})).toBe('Not a number.')
    expect(checkNumber('1.5', { integer: true })).toMatch(/whole/)
    expect(checkNumber('-1', { minimum: 0 })).toBe('At least 0.')
    expect(checkNumber('101', { maximum: 100 })).toBe('At most 100.')
  })
})

describe('value helpers', () => {
  it('moves, renames and sets keys in place', () => {
    expect(move(['a', 'b', 'c'], 1, -1)).toEqual(['b', 'a', 'c'])
    expect(move(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'b', 'c'])
    expect(Object.keys(renameKey({ a: 1, b: 2, c: 3 }, 'b', 'x')!)).toEqual(['a', 'x', 'c'])
    expect(renameKey({ a: 1, b: 2 }, 'a', 'b')).toBeNull()
    expect(withKey({ a: 1, b: 2 }, 'a', 5)).toEqual({ a: 5, b: 2 })
    expect(Object.keys(withKey({ a: 1, b: 2 }, 'a', 5)!)).toEqual(['a', 'b'])
    expect(withKey({ a: 1 }, 'a', undefined)).toBeUndefined()
    expect(withKey(undefined, 'a', 1)).toEqual({ a: 1 })
  })

  it('parses typed text by the spec', () => {
    const by = Object.fromEntries(fieldSpecs('question').map((s) => [s.name, s]))
    expect(parseScalar(by.retries!, '4')).toEqual({ value: 4 })
    expect(parseScalar(by.retries!, '4.4')).toEqual({ value: 4 })
    expect(parseScalar(by.retries!, 'x')).toEqual({ error: 'Not a number.' })
    expect(parseScalar(by.text!, 'true')).toEqual({ value: 'true' })
    expect(parseScalar(by.text!, '')).toEqual({ value: undefined })
    const until = fieldSpecs('wait').find((s) => s.name === 'until')!
    expect(parseScalar(until, 'true')).toEqual({ value: true })
    expect(parseScalar(until, '12')).toEqual({ value: 12 })
    expect(parseScalar(until, 'now() > x')).toEqual({ value: 'now() > x' })
  })

  it('keeps the catch-all condition last and picks it as the single target', () => {
    expect(addCondition([{ if: 'a', to: 'x' }, { to: 'y' }], { if: 'b', to: 'z' })).toEqual([{ if: 'a', to: 'x' }, { if: 'b', to: 'z' }, { to: 'y' }])
    expect(addCondition([{ if: 'a', to: 'x' }], { if: 'b', to: 'z' })).toEqual([{ if: 'a', to: 'x' }, { if: 'b', to: 'z' }])
    expect(singleTarget([{ if: 'a', to: 'x' }, { to: 'y' }])).toBe('y')
    expect(singleTarget([{ if: 'a', to: 'x' }])).toBe('x')
  })

  it('changes an input type, dropping the fields of other types, type first', () => {
    const input = fieldSpecs('question').find((s) => s.name === 'input')!
    if (input.shape?.kind !== 'object') throw new Error('input is an object')
    const { fields } = input.shape
    expect(changeType({ type: 'choice', options: ['a'] }, fields, 'multichoice')).toEqual({ type: 'multichoice', options: ['a'] })
    expect(changeType({ type: 'number', min: 1, max: 2 }, fields, 'text')).toEqual({ type: 'text', min: 1, max: 2 })
    expect(changeType({ type: 'number', min: 1 }, fields, 'regex')).toEqual({ type: 'regex' })
    expect(changeType({ min: 1 }, fields, undefined)).toEqual({ min: 1 })
    expect(Object.keys(changeType({ min: 1 }, fields, 'number')!)).toEqual(['type', 'min'])
  })

  it('tells which values the form can edit', () => {
    const by = Object.fromEntries(fieldSpecs('message').map((s) => [s.name, s]))
    expect(fits(by.buttons!, ['a', 'b'])).toBe(true)
    expect(fits(by.buttons!, 'a')).toBe(false)
    expect(fits(by.buttons!, [{ a: 1 }])).toBe(false)
    expect(fits(by.next!, 'x')).toBe(true)
    expect(fits(by.next!, [{ if: true, to: 'x' }])).toBe(true)
    expect(fits(by.next!, [])).toBe(false)
    expect(fits(by.next!, [{ if: { a: 1 }, to: 'x' }])).toBe(false)
    expect(fits(by.attachments!, [{ url: 'https://x', type: 'image' }])).toBe(true)
    expect(fits(by.attachments!, [{ url: 'https://x', size: 1 }])).toBe(false)
  })
})

describe('stateful controls, first render', () => {
  it('TextInput shows the check of its value', () => {
    const html = renderToStaticMarkup(<TextInput value="a =" testId="t" disabled={false} check={checkExpression} onCommit={() => {}} />)
    expect(html).toContain('aria-invalid="true"')
    expect(html).toContain('data-testid="t-problem"')
    const ok = renderToStaticMarkup(<TextInput value="a == 1" testId="t" disabled={false} check={checkExpression} onCommit={() => {}} />)
    expect(ok).not.toContain('t-problem')
  })

  it('AddRow starts empty, its button disabled until the required inputs are filled', () => {
    const html = renderToStaticMarkup(
      <AddRow testId="add" label="Add" inputs={[{ name: 'value', label: 'Value', required: true }]} onAdd={() => {}} />,
    )
    expect(html).toMatch(/<button[^>]*disabled=""[^>]*data-testid="add-button"/)
    // A required select starts on its first option: ready at once.
    const select = renderToStaticMarkup(
      <AddRow testId="add" label="Add" inputs={[{ name: 'to', label: 'To', options: ['a', 'b'], required: true }]} onAdd={() => {}} />,
    )
    expect(select).not.toMatch(/<button[^>]*disabled/)
  })
})
