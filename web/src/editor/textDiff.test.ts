import { describe, expect, it } from 'vitest'
import { minimalChange } from './textDiff'

const apply = (a: string, c: ReturnType<typeof minimalChange>) => (c ? a.slice(0, c.from) + c.insert + a.slice(c.to) : a)

describe('minimalChange', () => {
  it('is null for equal texts', () => {
    expect(minimalChange('abc', 'abc')).toBeNull()
  })
  it('covers only the differing range', () => {
    expect(minimalChange('ui: {x: 1, y: 2}\n', 'ui: {x: 10, y: 2}\n')).toEqual({ from: 9, to: 9, insert: '0' })
    expect(minimalChange('a\nb\nc\n', 'a\nc\n')).toEqual({ from: 2, to: 4, insert: '' })
  })
  it('round-trips insertions, deletions and repeated characters', () => {
    for (const [a, b] of [
      ['', 'x'],
      ['x', ''],
      ['aaa', 'aaaa'],
      ['abcabc', 'abc'],
      ['nodes:\n  a: 1\n', 'nodes:\n  a: 1\n  b: 2\n'],
    ] as const) {
      expect(apply(a, minimalChange(a, b))).toBe(b)
    }
  })
})
