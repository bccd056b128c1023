import { describe, expect, it } from 'vitest'
import { type KeyPress, keyAction } from './shortcuts'

const press = (key: string, more: Partial<KeyPress> = {}): KeyPress => ({
  key,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  inText: false,
  textSelected: false,
  ...more,
})

describe('keyAction', () => {
  it('maps the listed shortcuts', () => {
    expect(keyAction(press('s', { ctrlKey: true }))).toBe('save')
    expect(keyAction(press('k', { metaKey: true }))).toBe('search')
    expect(keyAction(press('z', { ctrlKey: true }))).toBe('undo')
    expect(keyAction(press('Z', { ctrlKey: true, shiftKey: true }))).toBe('redo')
    expect(keyAction(press('y', { ctrlKey: true }))).toBe('redo')
    expect(keyAction(press('d', { ctrlKey: true }))).toBe('duplicate')
    expect(keyAction(press('c', { ctrlKey: true }))).toBe('copy')
    expect(keyAction(press('v', { ctrlKey: true }))).toBe('paste')
    expect(keyAction(press('Delete'))).toBe('delete')
    expect(keyAction(press('Backspace'))).toBe('delete')
    expect(keyAction(press('?'))).toBe('help')
    expect(keyAction(press('Escape'))).toBe('close')
    expect(keyAction(press('a'))).toBeNull()
  })

  it('leaves a text field its keys, but save, search and Escape work everywhere', () => {
    const inText = { inText: true }
    expect(keyAction(press('z', { ctrlKey: true, ...inText }))).toBeNull()
    expect(keyAction(press('Backspace', inText))).toBeNull()
    expect(keyAction(press('?', inText))).toBeNull()
    expect(keyAction(press('s', { ctrlKey: true, ...inText }))).toBe('save')
    expect(keyAction(press('k', { ctrlKey: true, ...inText }))).toBe('search')
    expect(keyAction(press('Escape', inText))).toBe('close')
  })

  it('copies selected text as the browser does, not the node', () => {
    expect(keyAction(press('c', { ctrlKey: true, textSelected: true }))).toBeNull()
  })
})
