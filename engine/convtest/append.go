package convtest

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// AppendTest adds a test to the end of the `tests` list of the test file
// src, keeping every byte of src as it is (comments too), and returns the
// new file. item is the test as one list item at column 0 (Recorded.YAML);
// it is indented as the list's items are. An empty src becomes a new file
// of bot. An error says why the file cannot take the test (it does not
// parse, or its tests are not a block list).
func AppendTest(src []byte, bot string, item []byte) ([]byte, error) {
	if len(bytes.TrimSpace(src)) == 0 {
		return append(fmt.Appendf(nil, "bot: %s\ntests:\n", bot), indent(item, "  ", "\n")...), nil
	}
	parsed, problems := Parse("tests", src)
	if len(problems) > 0 {
		return nil, fmt.Errorf("the test file has problems; fix them first: %v", problems[0])
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil || len(doc.Content) == 0 {
		return nil, errors.New("the test file is not a YAML mapping")
	}
	root := doc.Content[0]
	eol := "\n"
	if bytes.Contains(src, []byte("\r\n")) {
		eol = "\r\n"
	}
	lines := splitKeepEnds(src)
	key, val, next := testsKey(root)
	var out []byte
	switch {
	case key == nil: // no tests yet: a `tests:` key at the end
		out = append(endLine(src, eol), "tests:"+eol...)
		out = append(out, indent(item, "  ", eol)...)
	case val.Kind == yaml.SequenceNode && val.Style&yaml.FlowStyle != 0 && len(val.Content) == 0:
		// `tests: []`: the empty list gives way to the first item.
		l := lines[val.Line-1]
		at := columnOffset(l, val.Column)
		rest := strings.TrimLeft(l[at+1:], " \t")
		if !strings.HasPrefix(l[at:], "[") || !strings.HasPrefix(rest, "]") {
			return nil, errors.New("the test file's `tests: []` could not be found; write `tests:` and a list under it")
		}
		lines[val.Line-1] = strings.TrimRight(l[:at], " \t") + rest[1:]
		out = insertAt(lines, regionEnd(lines, key.Line, next), indent(item, "  ", eol), eol)
	case val.Kind == yaml.SequenceNode && val.Style&yaml.FlowStyle == 0:
		pad := strings.Repeat(" ", max(val.Column-1, 0))
		out = insertAt(lines, regionEnd(lines, val.Line, next), indent(item, pad, eol), eol)
	case val.Kind == yaml.ScalarNode && val.Tag == "!!null" && val.Value == "":
		out = insertAt(lines, regionEnd(lines, key.Line, next), indent(item, "  ", eol), eol)
	default:
		return nil, errors.New("the test file's `tests` is not a block list (`- name: ...` on lines of their own); write it so to add tests")
	}
	again, problems := Parse("tests", out)
	if len(problems) > 0 || len(again.Tests) != len(parsed.Tests)+1 {
		return nil, fmt.Errorf("adding the test would break the file (%v); add it by hand", problems)
	}
	return out, nil
}

// testsKey returns the `tests` key of root, its value and the line of the
// key after it (0 when it is the last).
func testsKey(root *yaml.Node) (key, val *yaml.Node, next int) {
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != "tests" {
			continue
		}
		if i+2 < len(root.Content) {
			next = root.Content[i+2].Line
		}
		return root.Content[i], root.Content[i+1], next
	}
	return nil, nil, 0
}

// regionEnd is the number of lines, from the top, that end the `tests`
// value beginning on line from: up to the next key, leaving the blank
// lines and unindented comments before it to that key; all lines when
// next is 0.
func regionEnd(lines []string, from, next int) int {
	if next == 0 {
		return len(lines)
	}
	end := next - 1
	for end > from {
		l := strings.TrimRight(lines[end-1], "\r\n")
		if strings.TrimSpace(l) != "" && !strings.HasPrefix(l, "#") {
			break
		}
		end--
	}
	return end
}

// insertAt inserts text after the first n lines.
func insertAt(lines []string, n int, text []byte, eol string) []byte {
	var out []byte
	for _, l := range lines[:n] {
		out = append(out, l...)
	}
	out = append(endLine(out, eol), text...)
	for _, l := range lines[n:] {
		out = append(out, l...)
	}
	return out
}

// endLine ends b with a line break, unless it is empty or has one.
func endLine(b []byte, eol string) []byte {
	if len(b) == 0 || b[len(b)-1] == '\n' || b[len(b)-1] == '\r' {
		return b
	}
	return append(b, eol...)
}

// splitKeepEnds splits src into lines with their line breaks.
func splitKeepEnds(src []byte) []string {
	return strings.SplitAfter(string(src), "\n")
}

// columnOffset is the byte offset of the 1-based column col (counted in
// characters, as the YAML parser counts) in line l.
func columnOffset(l string, col int) int {
	n := 1
	for i := range l {
		if n == col {
			return i
		}
		n++
	}
	return len(l)
}

// indent prefixes every line of text with pad and ends lines with eol.
func indent(text []byte, pad, eol string) []byte {
	var out []byte
	for l := range strings.Lines(string(text)) {
		l = strings.TrimRight(l, "\n")
		if l != "" {
			out = append(out, pad...)
		}
		out = append(out, l+eol...)
	}
	return out
}
