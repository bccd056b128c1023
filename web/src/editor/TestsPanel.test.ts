import { describe, expect, it } from 'vitest'
import type { TestRun } from '../api'
import { failedNodes } from './TestsPanel'

describe('failedNodes', () => {
  it('lists the nodes where tests failed, each once, in order', () => {
    const fail = (node: string) => ({ step: 0, line: 3, message: 'said X', node })
    const run: TestRun = {
      target: 'draft',
      version: 0,
      passed: 1,
      failed: 3,
      results: [
        { name: 'a', line: 2, passed: false, duration_ms: 5, failure: fail('thanks') },
        { name: 'b', line: 9, passed: true, duration_ms: 4, failure: null },
        { name: 'c', line: 14, passed: false, duration_ms: 6, failure: fail('ask') },
        { name: 'd', line: 20, passed: false, duration_ms: 6, failure: fail('thanks') },
        { name: 'e', line: 26, passed: false, duration_ms: 6, failure: fail('') },
      ],
    }
    expect(failedNodes(run)).toEqual(['thanks', 'ask'])
  })
})
