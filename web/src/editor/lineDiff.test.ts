import { describe, expect, it } from 'vitest'
import { lineDiff } from './lineDiff'

const ops = (a: string, b: string) => lineDiff(a, b).map((l) => `${l.op === 'same' ? ' ' : l.op === 'add' ? '+' : '-'}${l.text}`)

describe('lineDiff', () => {
  it('keeps equal texts as they are', () => {
    expect(ops('a\nb\n', 'a\nb\n')).toEqual([' a', ' b'])
    expect(lineDiff('', '')).toEqual([])
  })
  it('finds additions, deletions and a changed line', () => {
    expect(ops('a\nb\nc\n', 'a\nc\nd\n')).toEqual([' a', '-b', ' c', '+d'])
    expect(ops('a\nb\nc\n', 'a\nB\nc\n')).toEqual([' a', '-b', '+B', ' c'])
    expect(ops('', 'x\n')).toEqual(['+x'])
    expect(ops('x\n', '')).toEqual(['-x'])
  })
  it('numbers lines in both texts', () => {
    expect(lineDiff('a\nb\n', 'b\nc\n')).toEqual([
      { op: 'del', text: 'a', oldLine: 1, newLine: 0 },
      { op: 'same', text: 'b', oldLine: 2, newLine: 1 },
      { op: 'add', text: 'c', oldLine: 0, newLine: 2 },
    ])
  })
  it('rebuilds both texts', () => {
    const a = 'nodes:\n  a: 1\n  b: 2\n  c: 3\n'
    const b = 'nodes:\n  b: 2\n  c: 4\n  d: 5\n'
    const d = lineDiff(a, b)
    expect(d.filter((l) => l.op !== 'add').map((l) => l.text + '\n').join('')).toBe(a)
    expect(d.filter((l) => l.op !== 'del').map((l) => l.text + '\n').join('')).toBe(b)
  })
})
