package knowledge

import (
	"errors"
	"fmt"
	"sort"
	"unicode"
)

// Chunk is one piece of a text cut by ChunkText. Start and End are rune
// (not byte) offsets into that text, and Text is exactly the runes
// [Start, End) of it: string([]rune(text)[c.Start:c.End]) == c.Text.
type Chunk struct {
	Index int // 0, 1, 2, ... in text order
	Text  string
	Start int // rune offset of the first rune, inclusive
	End   int // rune offset after the last rune, exclusive
}

// ChunkOptions tells ChunkText how to cut.
type ChunkOptions struct {
	// Size is the most runes a chunk may hold; it must be > 0.
	Size int
	// Overlap is about how many runes consecutive chunks share, so that a
	// passage cut at a chunk border is still whole in one of them; it must
	// be >= 0 and < Size. 0 means chunks do not overlap.
	Overlap int
}

// ErrInvalidChunkOptions is returned (wrapped) by ChunkText for options it
// cannot use.
var ErrInvalidChunkOptions = errors.New("knowledge: invalid chunk options")

// span is a half-open range of rune offsets.
type span struct{ Start, End int }

// ChunkText cuts text into chunks of at most opts.Size runes.
//
// Text is first split into sentences: a sentence ends after '.', '!', '?'
// or '…' (with any closing quotes or brackets) that is followed by
// whitespace or the end of the text, after the CJK '。', '！' or '？', and at
// every line break, so lines and paragraphs are never joined into one
// sentence. Chunks are whole sentences packed greedily; a sentence is cut
// only when it alone is longer than Size, and then between words (or, for
// a single word longer than Size, anywhere).
//
// A chunk after the first starts about opts.Overlap runes before the end of
// the previous one. It starts at a sentence start when that gives at least
// half the overlap a word-aligned start would, and at a word start
// otherwise; the overlap shrinks when needed to keep the next sentence
// whole, and every chunk still ends past the previous one. Chunks are
// trimmed of surrounding whitespace, so whitespace-only text gives none.
func ChunkText(text string, opts ChunkOptions) ([]Chunk, error) {
	if opts.Size <= 0 {
		return nil, fmt.Errorf("%w: size must be > 0, got %d", ErrInvalidChunkOptions, opts.Size)
	}
	if opts.Overlap < 0 || opts.Overlap >= opts.Size {
		return nil, fmt.Errorf("%w: overlap must be >= 0 and < size %d, got %d",
			ErrInvalidChunkOptions, opts.Size, opts.Overlap)
	}
	r := []rune(text)
	units := splitSentences(r)
	if len(units) == 0 {
		return nil, nil
	}
	c := chunker{r: r, size: opts.Size, overlap: opts.Overlap}
	for _, u := range units {
		c.unitStarts = append(c.unitStarts, u.Start)
		c.unitEnds = append(c.unitEnds, u.End)
	}
	for i := range r {
		if unicode.IsSpace(r[i]) {
			continue
		}
		if i == 0 || unicode.IsSpace(r[i-1]) {
			c.wordStarts = append(c.wordStarts, i)
		}
		if i == len(r)-1 || unicode.IsSpace(r[i+1]) {
			c.wordEnds = append(c.wordEnds, i+1)
		}
	}
	return c.run(), nil
}

type chunker struct {
	r                    []rune
	size, overlap        int
	unitStarts, unitEnds []int // sentence starts and ends, ascending
	wordStarts, wordEnds []int // word starts and ends, ascending
}

func (c *chunker) run() []Chunk {
	last := c.unitEnds[len(c.unitEnds)-1]
	var chunks []Chunk
	s, prevEnd := c.unitStarts[0], -1
	for {
		e := c.end(s, prevEnd)
		chunks = append(chunks, Chunk{Index: len(chunks), Text: string(c.r[s:e]), Start: s, End: e})
		if e >= last {
			return chunks
		}
		s, prevEnd = c.nextStart(s, e), e
	}
}

// end picks where a chunk starting at s ends: the furthest sentence end
// within Size, else the furthest word end, else a hard cut at Size. The end
// is always past prevEnd, the end of the previous chunk.
func (c *chunker) end(s, prevEnd int) int {
	limit := s + c.size
	floor := max(s, prevEnd)
	if e, ok := lastAtMost(c.unitEnds, limit); ok && e > floor {
		return e
	}
	if e, ok := lastAtMost(c.wordEnds, limit); ok && e > floor {
		return e
	}
	return limit // inside a word longer than Size
}

// nextStart picks where the chunk after [s, e) starts.
func (c *chunker) nextStart(s, e int) int {
	next := e
	for next < len(c.r) && unicode.IsSpace(c.r[next]) {
		next++
	}
	lo := max(e-c.overlap, s+1)
	// Reach at least through the first word after e (or into it, if it is
	// longer than a chunk), whatever whitespace comes first.
	if we, ok := firstAtLeast(c.wordEnds, next+1); ok {
		if we-next > c.size {
			we = next + 1
		}
		lo = max(lo, we-c.size)
	}
	// Keep the sentence starting at next whole, if it fits in a chunk. (The
	// rest of a sentence already cut gets the usual overlap instead.)
	if u := sort.SearchInts(c.unitStarts, next); u < len(c.unitStarts) && c.unitStarts[u] == next &&
		c.unitEnds[u]-next <= c.size {
		lo = max(lo, c.unitEnds[u]-c.size)
	}
	if lo >= e {
		return next
	}
	us, uok := firstAtLeast(c.unitStarts, lo)
	uok = uok && us < e
	ws, wok := firstAtLeast(c.wordStarts, lo)
	wok = wok && ws < e
	switch {
	case uok && (!wok || 2*(e-us) >= e-ws):
		return us
	case wok:
		return ws
	}
	return next
}

// lastAtMost returns the largest element of the ascending xs that is <= v.
func lastAtMost(xs []int, v int) (int, bool) {
	i := sort.SearchInts(xs, v+1)
	if i == 0 {
		return 0, false
	}
	return xs[i-1], true
}

// firstAtLeast returns the smallest element of the ascending xs that is >= v.
func firstAtLeast(xs []int, v int) (int, bool) {
	i := sort.SearchInts(xs, v)
	if i == len(xs) {
		return 0, false
	}
	return xs[i], true
}

// splitSentences returns the sentences of r, trimmed of whitespace, in
// order; see ChunkText for where sentences end.
func splitSentences(r []rune) []span {
	var units []span
	start, last := -1, -1
	emit := func() {
		if start >= 0 {
			units = append(units, span{start, last})
			start = -1
		}
	}
	for i := 0; i < len(r); {
		ch := r[i]
		switch {
		case isLineBreak(ch):
			emit()
			i++
			continue
		case unicode.IsSpace(ch):
			i++
			continue
		}
		if start < 0 {
			start = i
		}
		if !isTerminator(ch) {
			i++
			last = i
			continue
		}
		j, cjk := i, false
		for j < len(r) && isTerminator(r[j]) {
			cjk = cjk || isCJKTerminator(r[j])
			j++
		}
		for j < len(r) && isCloser(r[j]) {
			j++
		}
		last = j
		if j == len(r) || cjk || unicode.IsSpace(r[j]) {
			emit()
		}
		i = j
	}
	emit()
	return units
}

func isLineBreak(r rune) bool {
	switch r {
	case '\n', '\r', '\v', '\f', '\u0085', '\u2028', '\u2029':
		return true
	}
	return false
}

func isTerminator(r rune) bool {
	switch r {
	case '.', '!', '?', '…', '‼', '⁇', '⁈', '⁉':
		return true
	}
	return isCJKTerminator(r)
}

func isCJKTerminator(r rune) bool {
	switch r {
	case '。', '！', '？', '｡':
		return true
	}
	return false
}

func isCloser(r rune) bool {
	switch r {
	case '"', '\'', ')', ']', '}', '»', '›', '”', '’', '」', '』', '）', '】', '〉', '》':
		return true
	}
	return false
}
