package flows

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// compileExpr compiles the scalar n as one expression. Errors point at the
// offending token's position in the file.
func (c *Checker) compileExpr(n *yaml.Node, asBool bool) *Expr {
	src := n.Value
	if strings.TrimSpace(src) == "" {
		c.Errorf(posOf(n), CodeExpression, "the expression is empty")
		return nil
	}
	program, cerr := c.Flow.env.compile(src, asBool)
	if cerr != nil {
		c.exprError(n, cerr)
		return nil
	}
	return &Expr{Source: src, Pos: posOf(n), program: program}
}

// compileTemplate compiles the scalar n as a template: text with
// {{ expr }} parts.
func (c *Checker) compileTemplate(n *yaml.Node) *Template {
	src := n.Value
	spans := scanTemplate(src)
	if len(spans) == 0 {
		return &Template{Source: src, Parts: []TemplatePart{{Text: src}}}
	}
	var loc *scalarLocator
	locate := func(offset int) Pos {
		if loc == nil {
			loc = newScalarLocator(c.lines, n)
		}
		return loc.Pos(offset)
	}
	runes := []rune(src)
	t := &Template{Source: src}
	last, ok := 0, true
	for _, sp := range spans {
		if sp.end < 0 {
			c.Errorf(locate(sp.start), CodeTemplate, "this {{ is never closed; end the expression with }}")
			return nil
		}
		if sp.start > last {
			t.Parts = append(t.Parts, TemplatePart{Text: string(runes[last:sp.start])})
		}
		last = sp.end
		if strings.TrimSpace(sp.expr) == "" {
			c.Errorf(locate(sp.start), CodeTemplate, "{{ }} is empty; put an expression inside, like {{ name }}")
			ok = false
			continue
		}
		program, cerr := c.Flow.env.compile(sp.expr, false)
		if cerr != nil {
			c.Errorf(locate(sp.exprStart+cerr.offset), c.exprCode(cerr), "%s", c.exprMessage(cerr))
			ok = false
			continue
		}
		t.Parts = append(t.Parts, TemplatePart{Expr: &Expr{Source: sp.expr, Pos: locate(sp.exprStart), program: program}})
	}
	if last < len(runes) {
		t.Parts = append(t.Parts, TemplatePart{Text: string(runes[last:])})
	}
	if !ok {
		return nil
	}
	return t
}

func (c *Checker) exprError(n *yaml.Node, cerr *compileError) {
	pos := newScalarLocator(c.lines, n).Pos(cerr.offset)
	c.Errorf(pos, c.exprCode(cerr), "%s", c.exprMessage(cerr))
}

const unknownNamePrefix = "unknown name "

func (c *Checker) exprCode(cerr *compileError) string {
	if strings.HasPrefix(cerr.message, unknownNamePrefix) {
		return CodeUnknownVariable
	}
	return CodeExpression
}

// exprMessage turns expr's message into one that says what to do.
func (c *Checker) exprMessage(cerr *compileError) string {
	if name, ok := strings.CutPrefix(cerr.message, unknownNamePrefix); ok {
		return "variable " + name + " is not declared; add it under `variables`" + DidYouMean(name, c.Flow.env.names)
	}
	return cerr.message
}
