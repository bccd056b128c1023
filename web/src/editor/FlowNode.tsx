// One canvas node: id, kind, its key text, and a badge counting its problems.
import { Handle, type Node, type NodeProps, Position } from '@xyflow/react'
import { memo } from 'react'
import type { Problem } from '../api'

export interface FlowNodeData extends Record<string, unknown> {
  kind: string
  summary: string
  problems: Problem[]
  valid: boolean
  start: boolean
}

export type FlowNodeType = Node<FlowNodeData, 'flow'>

function FlowNodeView({ id, data, selected }: NodeProps<FlowNodeType>) {
  const errors = data.problems.length
  const classes = ['flow-node', `kind-${data.kind}`]
  if (!data.valid) classes.push('invalid')
  if (selected) classes.push('selected')
  return (
    <div className={classes.join(' ')}>
      <Handle type="target" position={Position.Top} />
      <div className="flow-node-head">
        <span className="flow-node-id">{id}</span>
        {data.start && <span className="flow-node-start" title="The flow starts here">start</span>}
        <span className="flow-node-kind">{data.kind}</span>
        {errors > 0 && (
          <span className="flow-node-badge" title={data.problems.map((p) => p.message).join('\n')}>
            {errors}
          </span>
        )}
      </div>
      {data.summary && <div className="flow-node-text">{data.summary}</div>}
      <Handle type="source" position={Position.Bottom} />
    </div>
  )
}

export const FlowNode = memo(FlowNodeView)
export const nodeTypes = { flow: FlowNode }
