import { ReactFlowProvider } from '@xyflow/react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { Workspace } from './Editor'

// A server render runs no effects (no CodeMirror view, no graph request):
// it checks the page's first render and its controls.
function render(readOnly: boolean): string {
  return renderToStaticMarkup(
    <ReactFlowProvider>
      <Workspace
        slug="t"
        readOnly={readOnly}
        loaded={{ text: 'bot: t\nnodes:\n', checksum: null, source: 'published' }}
        onReload={() => {}}
      />
    </ReactFlowProvider>,
  )
}

describe('Workspace first render', () => {
  it('has the editing controls for an editor', () => {
    const html = render(false)
    for (const id of ['save', 'publish', 'arrange', 'palette-message', 'palette-branch', 'problems-list', 'yaml-editor', 'test-chat-toggle', 'replay', 'versions']) {
      expect(html).toContain(`data-testid="${id}"`)
    }
    expect(html).toContain('No draft: editing the published flow.')
  })

  it('has no editing controls for a viewer', () => {
    const html = render(true)
    for (const id of ['save', 'publish', 'arrange', 'palette-message', 'test-chat-toggle', 'replay']) {
      expect(html).not.toContain(`data-testid="${id}"`)
    }
    // Reading versions is no edit.
    expect(html).toContain('data-testid="versions"')
    expect(html).toContain('data-testid="yaml-editor"')
  })
})
