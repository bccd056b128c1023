import { describe, expect, it } from 'vitest'
import { fieldSpecs, keyText, newNodeFields, nodeKinds, shorten } from './schemaFields'

describe('schema fields', () => {
  it('lists the node kinds of the schema', () => {
    expect(nodeKinds()).toEqual(expect.arrayContaining(['message', 'question', 'llm', 'set', 'branch', 'end']))
  })

  it('describes a question: required first, inputs by type, no kind or ui', () => {
    const specs = fieldSpecs('question')
    const by = Object.fromEntries(specs.map((s) => [s.name, s]))
    expect(specs[0]!.name).toBe('text')
    expect(by.text!.required).toBe(true)
    expect(by.kind).toBeUndefined()
    expect(by.ui).toBeUndefined()
    expect(by.retries).toMatchObject({ input: 'integer', default: 2 })
    expect(by.on_invalid!.input).toBe('node')
    expect(by.next!.input).toBe('next')
    expect(by.input!.input).toBe('complex')
    expect(by.remind!.input).toBe('complex')
  })

  it('maps booleans, enums-free strings and multi-type expressions', () => {
    const llm = Object.fromEntries(fieldSpecs('llm').map((s) => [s.name, s]))
    expect(llm.converse!.input).toBe('boolean')
    expect(llm.exit_when!.input).toBe('string')
    expect(llm.min_score!.input).toBe('number')
    expect(llm.model!.input).toBe('complex')
  })

  it('is empty for an unknown kind', () => {
    expect(fieldSpecs('nope')).toEqual([])
  })

  it('fills the required fields of a new node from the schema examples', () => {
    expect(newNodeFields('question')).toEqual({ kind: 'question', text: 'What is your email?' })
    expect(newNodeFields('set')).toEqual({ kind: 'set', assign: { attempts: 'attempts + 1' } })
    expect(newNodeFields('message')).toEqual({ kind: 'message', text: 'New message' })
    expect(newNodeFields('end')).toEqual({ kind: 'end' })
  })

  it('picks and shortens the key text', () => {
    expect(keyText({ kind: 'llm', prompt: 'Answer  about\n{{ topic }}' })).toBe('Answer about {{ topic }}')
    expect(keyText({ kind: 'set', assign: { a: '1', b: '2' } })).toBe('a, b')
    expect(shorten('abcdef', 4)).toBe('abc…')
  })
})
