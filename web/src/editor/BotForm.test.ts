import { describe, expect, it } from 'vitest'
import { checkVariableName, variablesOf, withDefault } from './BotForm'

describe('the bot form', () => {
  it('reads the variables map, anything else as none', () => {
    expect(variablesOf({ size: { type: 'string' }, n: null })).toEqual({ size: { type: 'string' }, n: {} })
    expect(variablesOf(['size'])).toEqual({})
    expect(variablesOf(undefined)).toEqual({})
  })

  it('checks a new variable name', () => {
    const vars = { size: { type: 'string' } }
    expect(checkVariableName('colour', vars)).toBeNull()
    expect(checkVariableName('_tmp2', vars)).toBeNull()
    expect(checkVariableName('', vars)).toBeNull()
    expect(checkVariableName('size', vars)).toMatch(/declared already/)
    expect(checkVariableName('2nd', vars)).toMatch(/letter/)
    expect(checkVariableName('a-b', vars)).toMatch(/letter/)
  })

  it('types a default as JSON, and removes it when cleared', () => {
    expect(withDefault({ type: 'integer' }, '0')).toEqual({ type: 'integer', default: 0 })
    expect(withDefault({ type: 'string' }, '"x"')).toEqual({ type: 'string', default: 'x' })
    expect(withDefault({ type: 'integer', default: 3 }, '')).toEqual({ type: 'integer' })
    expect(withDefault({ type: 'integer', default: 3 }, 'not json')).toEqual({ type: 'integer', default: 3 })
  })
})
