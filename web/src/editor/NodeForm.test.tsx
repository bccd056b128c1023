import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import type { GraphNode } from '../api'
import { NodeForm } from './NodeForm'

const node: GraphNode = {
  id: 'ask',
  kind: 'question',
  line: 3,
  column: 3,
  first_line: 3,
  last_line: 8,
  ui: null,
  valid: true,
  fields: { kind: 'question', text: 'Name?', retries: 3, on_invalid: 'human', input: { type: 'text' }, next: [{ to: 'a' }] },
}

function render(readOnly = false): string {
  const noop = () => {}
  return renderToStaticMarkup(
    <NodeForm node={node} nodeIds={['ask', 'human', 'a']} readOnly={readOnly} onSet={noop} onRename={noop} onJump={noop} />,
  )
}

describe('NodeForm', () => {
  it('renders scalar inputs with the current values', () => {
    const html = render()
    expect(html).toContain('data-testid="node-form"')
    expect(html).toMatch(/data-testid="field-retries"[^>]*value="3"|value="3"[^>]*data-testid="field-retries"/)
    expect(html).toContain('<option value="human" selected="">human</option>')
    // Lists and maps are shown, not edited.
    expect(html).toContain('{&quot;type&quot;:&quot;text&quot;}')
    expect(html).not.toContain('data-testid="field-next"')
  })

  it('disables every input when read-only', () => {
    const html = render(true)
    const inputs = html.match(/<(input|select|textarea)\b[^>]*>/g) ?? []
    expect(inputs.length).toBeGreaterThan(3)
    for (const i of inputs) expect(i).toContain('disabled')
  })
})
