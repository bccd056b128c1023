package botflow

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Edit parses src, lets edit change its top-level mapping, and writes
// back only the top-level entries edit changed (or added): every other
// line of the file, its comments, blank lines and flow styles included,
// stays as the author wrote it. A changed entry is written by the YAML
// encoder, so inside it (settings, say) the layout may be the encoder's.
func Edit(src string, edit func(root *yaml.Node) error) (string, error) {
	_, before, err := Parse(src)
	if err != nil {
		return "", err
	}
	_, after, err := Parse(src)
	if err != nil {
		return "", err
	}
	if err := edit(after); err != nil {
		return "", err
	}
	lines := strings.SplitAfter(src, "\n")
	spans := entrySpans(before, lines)
	var splices []splice
	prevEnd := 0 // an added entry goes after the entry before it
	for i := 0; i+1 < len(after.Content); i += 2 {
		key, value := after.Content[i], after.Content[i+1]
		text, err := entryText(key.Value, value)
		if err != nil {
			return "", err
		}
		span, ok := spans[key.Value]
		if !ok {
			splices = append(splices, splice{prevEnd, prevEnd, text})
			continue
		}
		prevEnd = span.to
		if old, err := entryText(key.Value, Get(before, key.Value)); err != nil {
			return "", err
		} else if old != text {
			splices = append(splices, splice{span.from, span.to, text})
		}
	}
	// From the bottom up, so earlier line numbers stay true; at one line a
	// replacement goes before an insertion, which then lands above it.
	slices.SortStableFunc(splices, func(a, b splice) int { return cmp.Or(b.from-a.from, b.to-a.to) })
	for _, s := range splices {
		tail := append([]string{s.text}, lines[s.to:]...)
		lines = append(lines[:s.from], tail...)
	}
	out := strings.Join(lines, "")
	if _, _, err := Parse(out); err != nil {
		return "", fmt.Errorf("editing the bot's flow: %w", err)
	}
	return out, nil
}

type lineSpan struct{ from, to int }

// splice replaces lines [from, to) with text.
type splice struct {
	from, to int
	text     string
}

// entrySpans finds the lines (0-based, end exclusive) of each top-level
// entry of root: from its key's line to the line before the next key's,
// less the blank and comment lines just above that key (they belong to it).
func entrySpans(root *yaml.Node, lines []string) map[string]lineSpan {
	spans := map[string]lineSpan{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		from := root.Content[i].Line - 1
		to := len(lines)
		if i+2 < len(root.Content) {
			to = root.Content[i+2].Line - 1
		}
		for to > from+1 {
			l := strings.TrimSpace(lines[to-1])
			if l != "" && !strings.HasPrefix(l, "#") {
				break
			}
			to--
		}
		spans[root.Content[i].Value] = lineSpan{from, to}
	}
	return spans
}

// entryText is `key: value` as the encoder writes it at the top level,
// without the comments above the key (the file keeps its own).
func entryText(key string, value *yaml.Node) (string, error) {
	if value == nil {
		return "", nil
	}
	v := *value
	v.FootComment = ""
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, &v}}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(m); err != nil {
		return "", fmt.Errorf("writing the bot's flow: %w", err)
	}
	if err := enc.Close(); err != nil {
		return "", err
	}
	return b.String(), nil
}
