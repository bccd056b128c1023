package flows

import (
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// rawRune is one character of a scalar as written in the file.
type rawRune struct {
	r   rune
	pos Pos
	// escape marks a backslash escape of a double-quoted scalar; it stands
	// for exactly one value rune, whatever that rune is.
	escape bool
}

// scalarLocator maps rune offsets in a scalar's value to file positions, so
// an error inside an expression points at the token in the file.
type scalarLocator struct {
	node  *yaml.Node
	value []rune
	raw   []rawRune
	pos   []Pos // pos[i] is the file position of value[i]
}

// newScalarLocator aligns the value of n with its source text in lines.
func newScalarLocator(lines []string, n *yaml.Node) *scalarLocator {
	l := &scalarLocator{node: n, value: []rune(n.Value)}
	l.raw = rawScalar(lines, n)
	l.align()
	return l
}

// Pos returns the file position of the value rune at offset.
func (l *scalarLocator) Pos(offset int) Pos {
	start := Pos{Line: l.node.Line, Column: l.node.Column}
	if len(l.pos) == 0 {
		return start
	}
	if offset < 0 {
		offset = 0
	}
	if offset >= len(l.pos) {
		last := l.pos[len(l.pos)-1]
		return Pos{Line: last.Line, Column: last.Column + offset - len(l.pos) + 1}
	}
	return l.pos[offset]
}

// align walks value and raw together: each value rune takes the next raw
// rune that can produce it, so folded line breaks, stripped indentation,
// doubled quotes and escapes are skipped over.
func (l *scalarLocator) align() {
	l.pos = make([]Pos, 0, len(l.value))
	i := 0
	for _, v := range l.value {
		for i < len(l.raw) && !l.raw[i].escape && !sameRune(l.raw[i].r, v) {
			i++
		}
		if i >= len(l.raw) {
			return // the rest falls back to extrapolation in Pos
		}
		l.pos = append(l.pos, l.raw[i].pos)
		i++
	}
}

func sameRune(raw, value rune) bool {
	if raw == value {
		return true
	}
	return isSpace(raw) && isSpace(value)
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

// rawScalar returns the characters of n as written, with positions, after
// dropping what is syntax: quotes, escape backslashes, the block header and
// block indentation.
func rawScalar(lines []string, n *yaml.Node) []rawRune {
	line, col := n.Line-1, n.Column-1 // 0-based
	if line < 0 || line >= len(lines) {
		return nil
	}
	switch {
	case n.Style&yaml.LiteralStyle != 0 || n.Style&yaml.FoldedStyle != 0:
		return rawBlock(lines, line)
	case n.Style&yaml.DoubleQuotedStyle != 0:
		return rawQuoted(lines, line, col+1, '"')
	case n.Style&yaml.SingleQuotedStyle != 0:
		return rawQuoted(lines, line, col+1, '\'')
	}
	return rawPlain(lines, line, col)
}

// runesFrom returns the runes of lines[line] from rune column col, with positions.
func runesFrom(lines []string, line, col int) []rawRune {
	var out []rawRune
	c := 0
	for _, r := range lines[line] {
		if c >= col {
			out = append(out, rawRune{r: r, pos: Pos{Line: line + 1, Column: c + 1}})
		}
		c++
	}
	return out
}

const maxScalarLines = 1000

func rawPlain(lines []string, line, col int) []rawRune {
	out := runesFrom(lines, line, col)
	for l := line + 1; l < len(lines) && l < line+maxScalarLines; l++ {
		out = append(out, rawRune{r: '\n', pos: Pos{Line: l, Column: utf8.RuneCountInString(lines[l-1]) + 1}})
		out = append(out, runesFrom(lines, l, 0)...)
	}
	return out
}

// rawQuoted reads a quoted scalar from its first character after the quote.
// A doubled single quote and a backslash escape each become one entry.
func rawQuoted(lines []string, line, col int, quote rune) []rawRune {
	var out []rawRune
	for l := line; l < len(lines) && l < line+maxScalarLines; l++ {
		from := 0
		if l == line {
			from = col
		} else {
			out = append(out, rawRune{r: '\n', pos: Pos{Line: l, Column: utf8.RuneCountInString(lines[l-1]) + 1}})
		}
		rs := runesFrom(lines, l, from)
		for i := 0; i < len(rs); i++ {
			r := rs[i]
			switch {
			case quote == '\'' && r.r == '\'' && i+1 < len(rs) && rs[i+1].r == '\'':
				out = append(out, r)
				i++
			case quote == '\'' && r.r == '\'', quote == '"' && r.r == '"':
				return out
			case quote == '"' && r.r == '\\' && i+1 < len(rs):
				r.escape = true
				out = append(out, r)
				i += escapeLen(rs[i+1].r) - 1
			case quote == '"' && r.r == '\\':
				// a backslash at the end of the line joins lines: no value rune
			default:
				out = append(out, r)
			}
		}
	}
	return out
}

func escapeLen(r rune) int {
	switch r {
	case 'x':
		return 4
	case 'u':
		return 6
	case 'U':
		return 10
	}
	return 2
}

// rawBlock reads a literal or folded block scalar whose header is on line.
func rawBlock(lines []string, line int) []rawRune {
	indent := -1
	var out []rawRune
	for l := line + 1; l < len(lines) && l < line+maxScalarLines; l++ {
		text := lines[l]
		trimmed := strings.TrimLeft(text, " ")
		if trimmed == "" {
			out = append(out, rawRune{r: '\n', pos: Pos{Line: l + 1, Column: 1}})
			continue
		}
		lead := len(text) - len(trimmed)
		if indent < 0 {
			indent = lead
		}
		if lead < indent {
			break
		}
		out = append(out, runesFrom(lines, l, indent)...)
		out = append(out, rawRune{r: '\n', pos: Pos{Line: l + 1, Column: utf8.RuneCountInString(text) + 1}})
	}
	return out
}
