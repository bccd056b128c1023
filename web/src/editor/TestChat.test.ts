import { describe, expect, it } from 'vitest'
import { fromNow } from './TestChat'

describe('fromNow', () => {
  const now = Date.parse('2026-01-01T10:00:00Z')
  it('says how far off a timer is', () => {
    expect(fromNow('2026-01-01T10:15:00Z', now)).toBe('in 15 min')
    expect(fromNow('2026-01-01T11:00:00Z', now)).toBe('in 1 h')
    expect(fromNow('2026-01-01T12:05:00Z', now)).toBe('in 2 h 5 min')
    expect(fromNow('2026-01-04T10:00:00Z', now)).toBe('in 3 days')
  })
  it('says now for a timer due or past', () => {
    expect(fromNow('2026-01-01T09:59:00Z', now)).toBe('now')
    expect(fromNow('2026-01-01T10:00:10Z', now)).toBe('now')
  })
})
