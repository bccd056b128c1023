// For tests: render a React tree to plain objects without a DOM, calling
// function components (which must not use hooks) and stopping at the given
// stateful "leaf" components, whose props (onCommit, onAdd) a test then calls
// as the component would. Host elements keep their props, so a test can call
// an onClick or onChange with a fake event.
import { Fragment, type ReactNode, isValidElement } from 'react'

export interface Rendered {
  /** A host tag ('input'), or the name of a leaf component ('TextInput'). */
  type: string
  props: Record<string, any>
  children: Rendered[]
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Component = (props: any) => ReactNode

export function expand(node: ReactNode, leaves: Component[]): Rendered[] {
  if (node === null || node === undefined || typeof node === 'boolean') return []
  if (typeof node === 'string' || typeof node === 'number') return [{ type: '#text', props: { text: String(node) }, children: [] }]
  if (Array.isArray(node)) return node.flatMap((n) => expand(n as ReactNode, leaves))
  if (!isValidElement(node)) return []
  const props = node.props as Record<string, any>
  if (node.type === Fragment) return expand(props.children as ReactNode, leaves)
  if (typeof node.type === 'function') {
    const fn = node.type as Component
    if (leaves.includes(fn)) return [{ type: fn.name, props, children: [] }]
    return expand(fn(props), leaves)
  }
  if (typeof node.type === 'string') return [{ type: node.type, props, children: expand(props.children as ReactNode, leaves) }]
  return []
}

/** Every rendered node, depth first. */
export function all(tree: Rendered[]): Rendered[] {
  return tree.flatMap((n) => [n, ...all(n.children)])
}

/** The one node with this data-testid; throws when there is none or several. */
export function byTestId(tree: Rendered[], id: string): Rendered {
  const found = all(tree).filter((n) => n.props['data-testid'] === id || n.props.testId === id)
  if (found.length !== 1) throw new Error(`${found.length} nodes with test id ${id}`)
  return found[0]!
}

export function hasTestId(tree: Rendered[], id: string): boolean {
  return all(tree).some((n) => n.props['data-testid'] === id || n.props.testId === id)
}

/** The text inside a node. */
export function textOf(n: Rendered): string {
  return n.type === '#text' ? String(n.props.text) : n.children.map(textOf).join('')
}
