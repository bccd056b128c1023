package flows

import "strings"

// checkGraph warns about nodes no dialog can reach and rejects loops that
// run forever without pausing.
func (c *Checker) checkGraph() {
	if c.Flow.Node(c.Flow.Start) != nil {
		c.checkReachable()
	}
	c.checkLoops()
}

func (c *Checker) checkReachable() {
	f := c.Flow
	seen := map[string]bool{f.Start: true}
	queue := []string{f.Start}
	for _, id := range c.entries {
		seen[id] = true
		queue = append(queue, id)
	}
	for len(queue) > 0 {
		n := f.Node(queue[0])
		queue = queue[1:]
		if n == nil {
			continue
		}
		for _, e := range n.Edges {
			if !seen[e.To] {
				seen[e.To] = true
				queue = append(queue, e.To)
			}
		}
	}
	for _, n := range f.Nodes {
		if !seen[n.ID] {
			c.Warnf(n.Pos, CodeUnreachable, "node %q is never reached from the start node %q", n.ID, f.Start)
		}
	}
}

// checkLoops finds groups of nodes that call each other without any node
// that pauses (strongly connected components of the non-pausing subgraph)
// and reports those with no way out: every path through them loops forever.
func (c *Checker) checkLoops() {
	for _, scc := range c.nonPausingCycles() {
		if c.hasExit(scc) {
			continue
		}
		ids := make([]string, len(scc))
		for i, n := range scc {
			ids[i] = n.ID
		}
		c.Errorf(scc[0].Pos, CodeEndlessLoop, "nodes %s loop forever without waiting for anything; add a question, wait or other pausing node to the loop, or a way out", strings.Join(ids, " → "))
	}
}

// hasExit reports whether a dialog can leave the group: a node without a
// normal next (the dialog ends or moves to another bot), a conditional next
// with no default, or an edge to a node outside the group.
func (c *Checker) hasExit(scc []*Node) bool {
	inside := map[string]bool{}
	for _, n := range scc {
		inside[n.ID] = true
	}
	for _, n := range scc {
		normal, hasDefault := 0, false
		for _, e := range n.Edges {
			if e.ErrorPath {
				continue
			}
			normal++
			hasDefault = hasDefault || !e.Conditional
			if !inside[e.To] {
				return true
			}
		}
		if normal == 0 || !hasDefault {
			return true
		}
	}
	return false
}

// nonPausingCycles returns the strongly connected components of nodes that
// do not pause, linked by normal edges, that contain a cycle. Nodes in each
// component are in file order. It is Tarjan's algorithm.
func (c *Checker) nonPausingCycles() [][]*Node {
	f := c.Flow
	index := map[string]int{}
	low := map[string]int{}
	onStack := map[string]bool{}
	var stack []*Node
	var out [][]*Node
	next := 0
	var visit func(n *Node)
	visit = func(n *Node) {
		index[n.ID], low[n.ID] = next, next
		next++
		stack = append(stack, n)
		onStack[n.ID] = true
		for _, e := range n.Edges {
			m := f.Node(e.To)
			if e.ErrorPath || m == nil || m.Pauses {
				continue
			}
			if _, seen := index[m.ID]; !seen {
				visit(m)
				low[n.ID] = min(low[n.ID], low[m.ID])
			} else if onStack[m.ID] {
				low[n.ID] = min(low[n.ID], index[m.ID])
			}
		}
		if low[n.ID] != index[n.ID] {
			return
		}
		var scc []*Node
		for {
			m := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			onStack[m.ID] = false
			scc = append(scc, m)
			if m == n {
				break
			}
		}
		if len(scc) > 1 || selfLoop(n) {
			out = append(out, inFileOrder(f, scc))
		}
	}
	for _, n := range f.Nodes {
		if _, seen := index[n.ID]; !seen && !n.Pauses {
			visit(n)
		}
	}
	return out
}

func selfLoop(n *Node) bool {
	for _, e := range n.Edges {
		if e.To == n.ID && !e.ErrorPath {
			return true
		}
	}
	return false
}

func inFileOrder(f *Flow, set []*Node) []*Node {
	in := map[*Node]bool{}
	for _, n := range set {
		in[n] = true
	}
	var out []*Node
	for _, n := range f.Nodes {
		if in[n] {
			out = append(out, n)
		}
	}
	return out
}
