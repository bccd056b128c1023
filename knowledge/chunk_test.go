package knowledge

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
)

func TestChunkTextInvalidOptions(t *testing.T) {
	tests := []struct {
		name string
		opts ChunkOptions
	}{
		{"zero size", ChunkOptions{Size: 0}},
		{"negative size", ChunkOptions{Size: -5}},
		{"negative overlap", ChunkOptions{Size: 10, Overlap: -1}},
		{"overlap equal to size", ChunkOptions{Size: 10, Overlap: 10}},
		{"overlap above size", ChunkOptions{Size: 10, Overlap: 11}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chunks, err := ChunkText("Some text.", tt.opts)
			if !errors.Is(err, ErrInvalidChunkOptions) {
				t.Fatalf("ChunkText(%+v) = %v, %v; want ErrInvalidChunkOptions", tt.opts, chunks, err)
			}
		})
	}
}

func TestChunkTextEmpty(t *testing.T) {
	for _, text := range []string{"", " ", "\n\n\t \r\n"} {
		chunks, err := ChunkText(text, ChunkOptions{Size: 10, Overlap: 2})
		if err != nil || len(chunks) != 0 {
			t.Errorf("ChunkText(%q) = %v, %v; want no chunks", text, chunks, err)
		}
	}
}

const chunkSample = "The cat sat on the mat. It was happy! Was it? Yes… indeed.\n\n" +
	"A new paragraph starts here. It has two sentences.\nA line. " +
	"This is a really long sentence that goes on and on without any stopping point " +
	"until it finally must be split because it is longer than the size. Short end."

func TestChunkText(t *testing.T) {
	tests := []struct {
		name string
		text string
		opts ChunkOptions
		want []string
	}{
		{
			name: "whole sentences without overlap",
			text: "One. Two two. Three three three. Four.",
			opts: ChunkOptions{Size: 20},
			want: []string{"One. Two two.", "Three three three.", "Four."},
		},
		{
			name: "fits in one chunk",
			text: "  Short text. Really.  ",
			opts: ChunkOptions{Size: 100, Overlap: 10},
			want: []string{"Short text. Really."},
		},
		{
			name: "overlap of whole sentences",
			text: "Alpha one. Beta two. Gamma three. Delta four. Epsilon five.",
			opts: ChunkOptions{Size: 35, Overlap: 12},
			want: []string{"Alpha one. Beta two. Gamma three.", "Gamma three. Delta four.", "Delta four. Epsilon five."},
		},
		{
			name: "newlines end sentences",
			text: "Title\nFirst line without stop\nSecond line",
			opts: ChunkOptions{Size: 25},
			want: []string{"Title", "First line without stop", "Second line"},
		},
		{
			name: "no split inside decimals, abbreviations or urls",
			text: "Pi is 3.14 today. See parley.dev/docs now.",
			opts: ChunkOptions{Size: 25},
			want: []string{"Pi is 3.14 today.", "See parley.dev/docs now."},
		},
		{
			name: "closing quotes stay with the sentence",
			text: `He said "stop." Then (it ended.) Done!`,
			opts: ChunkOptions{Size: 16},
			want: []string{`He said "stop."`, `Then (it ended.)`, "Done!"},
		},
		{
			name: "long sentence split between words",
			text: "Short one. This sentence is far too long to fit in one chunk. End.",
			opts: ChunkOptions{Size: 20},
			want: []string{"Short one.", "This sentence is far", "too long to fit in", "one chunk. End."},
		},
		{
			name: "long sentence split with overlap",
			text: "aaa bbb ccc ddd eee fff ggg hhh",
			opts: ChunkOptions{Size: 11, Overlap: 4},
			want: []string{"aaa bbb ccc", "ccc ddd eee", "eee fff ggg", "ggg hhh"},
		},
		{
			name: "word longer than size is hard cut",
			text: "Go abcdefghijklmnopqrstuvwxyz ok.",
			opts: ChunkOptions{Size: 10, Overlap: 3},
			want: []string{"Go", "abcdefghij", "klmnopqrst", "uvwxyz ok."},
		},
		{
			name: "cjk sentences need no space",
			text: "你好世界。今天天气很好！我们去公园吧？好的。",
			opts: ChunkOptions{Size: 12, Overlap: 4},
			want: []string{"你好世界。今天天气很好！", "我们去公园吧？好的。"},
		},
		{
			name: "sample without overlap",
			text: chunkSample,
			opts: ChunkOptions{Size: 40},
			want: []string{
				"The cat sat on the mat. It was happy!",
				"Was it? Yes… indeed.",
				"A new paragraph starts here.",
				"It has two sentences.\nA line.",
				"This is a really long sentence that goes",
				"on and on without any stopping point",
				"until it finally must be split because",
				"it is longer than the size. Short end.",
			},
		},
		{
			name: "sample with overlap",
			text: chunkSample,
			opts: ChunkOptions{Size: 60, Overlap: 20},
			want: []string{
				"The cat sat on the mat. It was happy! Was it? Yes… indeed.",
				"Was it? Yes… indeed.\n\nA new paragraph starts here.",
				"starts here. It has two sentences.\nA line.",
				"sentences.\nA line. This is a really long sentence that goes",
				"sentence that goes on and on without any stopping point",
				"any stopping point until it finally must be split because it",
				"be split because it is longer than the size. Short end.",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chunks := mustChunk(t, tt.text, tt.opts)
			got := make([]string, len(chunks))
			for i, c := range chunks {
				got[i] = c.Text
			}
			if strings.Join(got, "\x00") != strings.Join(tt.want, "\x00") {
				t.Errorf("chunks:\n%q\nwant:\n%q", got, tt.want)
			}
		})
	}
}

func TestChunkTextSentenceBoundaries(t *testing.T) {
	// Sentences of different lengths, all shorter than the chunk: every
	// chunk must start at a sentence start and end at a sentence end.
	sentences := []string{
		"Parley runs chatbots.", "Each conversation is durable.", "Flows are YAML graphs.",
		"Nodes ask questions!", "Answers are validated?", "Blocks call web services.",
		"Timeouts move the flow on.", "Handoffs reach a person.", "Knowledge answers questions.",
		"Chunks keep sentences whole.",
	}
	text := strings.Join(sentences, " ")
	starts, ends := map[int]bool{}, map[int]bool{}
	pos := 0
	for _, s := range sentences {
		n := len([]rune(s))
		starts[pos], ends[pos+n] = true, true
		pos += n + 1
	}
	for _, opts := range []ChunkOptions{{Size: 60}, {Size: 60, Overlap: 30}, {Size: 100, Overlap: 45}, {Size: 80, Overlap: 40}} {
		chunks := mustChunk(t, text, opts)
		checkChunks(t, text, opts, chunks)
		for i, c := range chunks {
			if !starts[c.Start] || !ends[c.End] {
				t.Errorf("%+v: chunk %d %q is not made of whole sentences", opts, i, c.Text)
			}
			if opts.Overlap > 0 && i > 0 && c.Start >= chunks[i-1].End {
				t.Errorf("%+v: chunk %d %q does not overlap the one before", opts, i, c.Text)
			}
		}
	}
}

func TestChunkTextUnicodeOffsets(t *testing.T) {
	text := "Ünïcödé wörds hère. 🙂 Emoji count as one rune each! Ça va? Très bien."
	// Offsets count runes: "ü" and "🙂" are one each, though 2 and 4 bytes.
	// The 31-rune middle sentence is over size, so it is cut between words,
	// and overlaps fall back to word starts.
	opts := ChunkOptions{Size: 24, Overlap: 8}
	chunks := mustChunk(t, text, opts)
	checkChunks(t, text, opts, chunks)
	want := []Chunk{
		{Index: 0, Text: "Ünïcödé wörds hère.", Start: 0, End: 19},
		{Index: 1, Text: "hère. 🙂 Emoji count as", Start: 14, End: 36},
		{Index: 2, Text: "count as one rune each!", Start: 28, End: 51},
		{Index: 3, Text: "each! Ça va? Très bien.", Start: 46, End: 69},
	}
	if len(chunks) != len(want) {
		t.Fatalf("got %d chunks %+v, want %d", len(chunks), chunks, len(want))
	}
	for i := range want {
		if chunks[i] != want[i] {
			t.Errorf("chunk %d = %+v, want %+v", i, chunks[i], want[i])
		}
	}
}

func TestChunkTextInvariants(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"a", "go", "the", "chat", "flow", "näive", "日本語", "🙂", "supercalifragilistic",
		"end.", "why?", "yes!", "so…", "\n", "\n\n", "(note.)", "3.14", "x"}
	for trial := range 500 {
		var b strings.Builder
		for range rng.IntN(80) {
			b.WriteString(words[rng.IntN(len(words))])
			b.WriteString([]string{" ", " ", " ", "  ", "\t"}[rng.IntN(5)])
		}
		text := b.String()
		size := 1 + rng.IntN(40)
		opts := ChunkOptions{Size: size, Overlap: rng.IntN(size)}
		chunks := mustChunk(t, text, opts)
		if t.Failed() {
			t.Fatalf("trial %d: text %q, options %+v", trial, text, opts)
		}
		checkChunks(t, text, opts, chunks)
		// A sentence that fits in a chunk is never cut: it lies whole in
		// some chunk, and chunks end inside only sentences over Size.
		for _, sn := range splitSentences([]rune(text)) {
			fits := sn.End-sn.Start <= opts.Size
			whole := false
			for _, c := range chunks {
				whole = whole || (c.Start <= sn.Start && sn.End <= c.End)
				if fits && c.End > sn.Start && c.End < sn.End {
					t.Errorf("chunk %d %q ends inside sentence %v that fits", c.Index, c.Text, sn)
				}
			}
			if fits && !whole {
				t.Errorf("sentence %v %q is in no chunk whole", sn, string([]rune(text)[sn.Start:sn.End]))
			}
		}
		if t.Failed() {
			t.Fatalf("trial %d: text %q, options %+v", trial, text, opts)
		}
	}
}

func mustChunk(t *testing.T, text string, opts ChunkOptions) []Chunk {
	t.Helper()
	chunks, err := ChunkText(text, opts)
	if err != nil {
		t.Fatalf("ChunkText(%+v): %v", opts, err)
	}
	return chunks
}

// checkChunks verifies what holds for every chunking: indexes in order,
// Text matching the rune offsets, no chunk over Size, trimmed chunks,
// progress, overlap never over Overlap, and every non-space rune covered.
func checkChunks(t *testing.T, text string, opts ChunkOptions, chunks []Chunk) {
	t.Helper()
	r := []rune(text)
	covered := make([]bool, len(r))
	for i, c := range chunks {
		if c.Index != i {
			t.Errorf("chunk %d has Index %d", i, c.Index)
		}
		if c.Start < 0 || c.End > len(r) || c.Start >= c.End {
			t.Errorf("chunk %d has bad offsets [%d, %d)", i, c.Start, c.End)
			continue
		}
		if got := string(r[c.Start:c.End]); got != c.Text {
			t.Errorf("chunk %d: text %q, but runes [%d, %d) are %q", i, c.Text, c.Start, c.End, got)
		}
		if n := c.End - c.Start; n > opts.Size {
			t.Errorf("chunk %d %q has %d runes, over size %d", i, c.Text, n, opts.Size)
		}
		if c.Text != strings.TrimFunc(c.Text, unicode.IsSpace) {
			t.Errorf("chunk %d %q is not trimmed", i, c.Text)
		}
		if i > 0 {
			p := chunks[i-1]
			if c.Start <= p.Start || c.End <= p.End {
				t.Errorf("chunk %d [%d, %d) does not move on from [%d, %d)", i, c.Start, c.End, p.Start, p.End)
			}
			if ov := p.End - c.Start; ov > opts.Overlap {
				t.Errorf("chunks %d and %d overlap by %d runes, over %d", i-1, i, ov, opts.Overlap)
			}
		}
		for j := c.Start; j < c.End; j++ {
			covered[j] = true
		}
	}
	for j, ch := range r {
		if !covered[j] && !unicode.IsSpace(ch) {
			t.Errorf("rune %d %q is in no chunk", j, ch)
			return
		}
	}
}
