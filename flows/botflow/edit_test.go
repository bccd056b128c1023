package botflow

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/parleyhq/parley/store"
)

// TestEditFlowKeepsTheRest: editing settings.ai or the name rewrites only
// that top-level entry; every other line of every example bot (comments,
// blank lines, aligned columns, flow styles) is as it was.
func TestEditFlowKeepsTheRest(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "examples", "bots", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("examples: %v %v", files, err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, ".test.yaml") {
			continue
		}
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src := string(raw)
		t.Run(filepath.Base(f), func(t *testing.T) {
			out, err := Edit(src, func(root *yaml.Node) error {
				return MergeSettings(root, map[string]any{"model": map[string]any{"temperature": 0.5}})
			})
			if err != nil {
				t.Fatal(err)
			}
			settings := entrySpans(mustRoot(t, src), strings.SplitAfter(src, "\n"))["settings"]
			outLines := strings.SplitAfter(out, "\n")
			srcLines := strings.SplitAfter(src, "\n")
			// The lines above settings (or all, when settings was added) are the same.
			if settings.to > 0 {
				if strings.Join(srcLines[:settings.from], "") != strings.Join(outLines[:settings.from], "") {
					t.Errorf("lines above settings changed:\n%s", out)
				}
				tail := strings.Join(srcLines[settings.to:], "")
				if !strings.HasSuffix(out, tail) {
					t.Errorf("lines below settings changed:\n%s", out)
				}
			} else if !strings.Contains(out, strings.Join(srcLines[entrySpans(mustRoot(t, src), srcLines)["nodes"].from:], "")) {
				t.Errorf("the nodes changed:\n%s", out)
			}
			var got struct {
				Settings struct {
					AI struct {
						Model struct{ Temperature float64 }
					}
				}
			}
			if err := yaml.Unmarshal([]byte(out), &got); err != nil || got.Settings.AI.Model.Temperature != 0.5 {
				t.Errorf("temperature after the edit: %+v %v\n%s", got, err, out)
			}

			renamed, err := Edit(src, func(root *yaml.Node) error {
				Set(root, "name", Scalar("Renamed"), "bot")
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			var diff []string
			rl := strings.SplitAfter(renamed, "\n")
			if len(rl) != len(srcLines) && !strings.Contains(src, "\nname:") {
				rl = append(rl[:2], rl[3:]...) // the name line was added after bot:
			}
			for i := range min(len(rl), len(srcLines)) {
				if rl[i] != srcLines[i] {
					diff = append(diff, rl[i])
				}
			}
			if len(diff) > 1 || (len(diff) == 1 && diff[0] != "name: Renamed\n") {
				t.Errorf("renaming changed %q", diff)
			}
		})
	}
}

func mustRoot(t *testing.T, src string) *yaml.Node {
	t.Helper()
	_, root, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// TestAddKnowledge: every llm node gets the store once; other nodes and a
// second call change nothing.
func TestAddKnowledge(t *testing.T) {
	src := "bot: b\nnodes:\n  hi:\n    kind: message\n    text: Hi\n  chat:\n    kind: llm\n    converse: true\n  other:\n    kind: llm\n    knowledge: [faq]\n"
	for range 2 {
		out, err := Edit(src, func(root *yaml.Node) error { return AddKnowledge(root, "assistant-7") })
		if err != nil {
			t.Fatal(err)
		}
		src = out
	}
	want := "bot: b\nnodes:\n  hi:\n    kind: message\n    text: Hi\n  chat:\n    kind: llm\n    converse: true\n    knowledge: [assistant-7]\n  other:\n    kind: llm\n    knowledge: [faq, assistant-7]\n"
	if src != want {
		t.Errorf("got\n%s\nwant\n%s", src, want)
	}
	_, err := Edit("bot: b\nnodes:\n  hi:\n    kind: message\n    text: Hi\n", func(root *yaml.Node) error { return AddKnowledge(root, "x") })
	if store.ErrorCode(err) != store.EINVALID {
		t.Errorf("a flow without an llm node: %v", err)
	}
}
