package knowledge

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
)

// Format is a document type that Extract understands.
type Format string

// The formats Extract supports.
const (
	FormatText     Format = "txt"
	FormatMarkdown Format = "md"
	FormatHTML     Format = "html"
	FormatCSV      Format = "csv" // also tab- and semicolon-separated files
	FormatJSON     Format = "json"
	FormatPDF      Format = "pdf"
	FormatDOCX     Format = "docx"
)

// SupportedFormats lists the formats Extract supports, in a stable order.
func SupportedFormats() []Format {
	return []Format{FormatText, FormatMarkdown, FormatHTML, FormatCSV, FormatJSON, FormatPDF, FormatDOCX}
}

var (
	// ErrUnsupportedFormat is returned (wrapped) by Extract and DetectFormat
	// for a document whose type is not one of SupportedFormats.
	ErrUnsupportedFormat = errors.New("knowledge: unsupported document type")
	// ErrNoText is returned (wrapped) by Extract when a document was read
	// fine but holds no text, such as an empty file or a scanned PDF made
	// only of images.
	ErrNoText = errors.New("knowledge: document contains no extractable text")
)

// maxPartSize bounds the uncompressed size of the XML part read from a docx
// file, so that a small zip cannot expand into gigabytes of memory.
const maxPartSize = 64 << 20

// maxJSONDepth bounds how deeply nested JSON may be.
const maxJSONDepth = 10000

// Extract returns the plain text of a document. The format is taken from
// mimeType when that names one (parameters such as charset are allowed),
// else from the extension of name, else from the content itself for PDF
// and DOCX; see DetectFormat.
//
// The text has "\n" line ends, no trailing spaces on lines, at most one blank
// line in a row (a blank line separates paragraphs), and no leading or
// trailing blank lines. Text formats are decoded from their byte order
// mark, declared charset or <meta> charset, else read as UTF-8, falling back
// to Windows-1252 when they are not valid UTF-8.
//
// Extract returns an error wrapping ErrUnsupportedFormat for a type it does
// not handle, one wrapping ErrNoText when the result would be empty, and
// another error when the document is malformed.
func Extract(name, mimeType string, data []byte) (string, error) {
	format, err := DetectFormat(name, mimeType, data)
	if err != nil {
		return "", err
	}
	var text string
	switch format {
	case FormatText:
		text = toUTF8(data, mimeType, false)
	case FormatMarkdown:
		text = extractMarkdown(toUTF8(data, mimeType, false))
	case FormatHTML:
		text, err = extractHTML(toUTF8(data, mimeType, true))
	case FormatCSV:
		text, err = extractCSV(toUTF8(data, mimeType, false))
	case FormatJSON:
		text, err = extractJSON(toUTF8(data, mimeType, false))
	case FormatPDF:
		text, err = extractPDF(data)
	case FormatDOCX:
		text, err = extractDOCX(data)
	}
	if err != nil {
		return "", fmt.Errorf("knowledge: extract %s %q: %w", format, name, err)
	}
	text = normalizeText(text)
	if text == "" {
		return "", fmt.Errorf("%w: %s %q", ErrNoText, format, name)
	}
	return text, nil
}

// DetectFormat decides which format Extract will read a document as.
//
// A specific mimeType wins (text/markdown, text/html, text/csv,
// application/json, application/pdf, the docx type, ...). A generic or
// missing one (text/plain, application/octet-stream, application/zip, "")
// defers to the extension of name; failing that, text/* means plain text,
// and data starting like a PDF or holding word/document.xml is read as PDF
// or DOCX. Anything else is an error wrapping ErrUnsupportedFormat.
func DetectFormat(name, mimeType string, data []byte) (Format, error) {
	mediaType := strings.ToLower(strings.TrimSpace(mimeType))
	if mt, _, err := mime.ParseMediaType(mediaType); err == nil {
		mediaType = mt
	} else if before, _, ok := strings.Cut(mediaType, ";"); ok {
		mediaType = strings.TrimSpace(before)
	}
	if f := formatFromMIME(mediaType); f != "" {
		return f, nil
	}
	if f := formatFromExt(name); f != "" {
		return f, nil
	}
	if strings.HasPrefix(mediaType, "text/") {
		return FormatText, nil
	}
	if f := sniffFormat(data); f != "" {
		return f, nil
	}
	names := make([]string, 0, 7)
	for _, f := range SupportedFormats() {
		names = append(names, string(f))
	}
	return "", fmt.Errorf("%w: %q (MIME type %q); supported types are %s",
		ErrUnsupportedFormat, name, mimeType, strings.Join(names, ", "))
}

// formatFromMIME maps a specific media type to its format; generic types
// (text/plain, octet-stream, zip) map to "" so the extension can decide.
func formatFromMIME(mt string) Format {
	switch mt {
	case "text/markdown", "text/x-markdown":
		return FormatMarkdown
	case "text/html", "application/xhtml+xml":
		return FormatHTML
	case "text/csv", "application/csv", "text/x-csv", "text/tab-separated-values":
		return FormatCSV
	case "application/json", "text/json", "application/x-ndjson", "application/jsonl",
		"application/x-jsonlines", "application/jsonlines":
		return FormatJSON
	case "application/pdf", "application/x-pdf":
		return FormatPDF
	case "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
		return FormatDOCX
	}
	if strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json") {
		return FormatJSON
	}
	return ""
}

func formatFromExt(name string) Format {
	switch strings.ToLower(path.Ext(strings.ReplaceAll(name, `\`, "/"))) {
	case ".txt", ".text", ".log":
		return FormatText
	case ".md", ".markdown", ".mdown", ".mkd", ".mkdn":
		return FormatMarkdown
	case ".html", ".htm", ".xhtml":
		return FormatHTML
	case ".csv", ".tsv":
		return FormatCSV
	case ".json", ".jsonl", ".ndjson":
		return FormatJSON
	case ".pdf":
		return FormatPDF
	case ".docx":
		return FormatDOCX
	}
	return ""
}

func sniffFormat(data []byte) Format {
	if bytes.HasPrefix(data, []byte("%PDF-")) {
		return FormatPDF
	}
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		if zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data))); err == nil {
			for _, f := range zr.File {
				if f.Name == "word/document.xml" {
					return FormatDOCX
				}
			}
		}
	}
	return ""
}

// toUTF8 decodes a text document: by its byte order mark if it has one,
// else by the charset parameter of mimeType, else as UTF-8 if it is valid
// UTF-8, else (for HTML) by a <meta> charset, else as Windows-1252, which
// is what spreadsheet programs and older editors write.
func toUTF8(data []byte, mimeType string, isHTML bool) string {
	label := ""
	switch {
	case bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")):
		return string(data[3:])
	case bytes.HasPrefix(data, []byte("\xFF\xFE")):
		label, data = "utf-16le", data[2:]
	case bytes.HasPrefix(data, []byte("\xFE\xFF")):
		label, data = "utf-16be", data[2:]
	}
	if label == "" {
		if _, params, err := mime.ParseMediaType(mimeType); err == nil {
			label = params["charset"]
		}
	}
	if label == "" && utf8.Valid(data) {
		return string(data)
	}
	if label == "" && isHTML {
		_, label, _ = charset.DetermineEncoding(data, "")
	}
	enc, _ := charset.Lookup(label)
	if enc == nil {
		enc, _ = charset.Lookup("windows-1252")
	}
	if out, err := enc.NewDecoder().Bytes(data); err == nil {
		return string(out)
	}
	return string(data)
}

// normalizeText makes extracted text uniform: valid UTF-8, no BOM, "\n"
// line ends, no control characters but tab and newline, no trailing spaces,
// at most one blank line in a row and none at either end.
func normalizeText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.TrimPrefix(s, "\uFEFF")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\r', r == '\u2028', r == '\u2029', r == '\f', r == '\v':
			return '\n'
		case r == '\n', r == '\t':
			return r
		case unicode.IsControl(r), r == '\uFEFF':
			return -1
		}
		return r
	}, s)
	var b strings.Builder
	b.Grow(len(s))
	blank := 0
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.TrimRightFunc(line, unicode.IsSpace)
		if line == "" {
			blank++
			continue
		}
		if b.Len() > 0 {
			if blank > 0 {
				b.WriteString("\n\n")
			} else {
				b.WriteByte('\n')
			}
		}
		blank = 0
		b.WriteString(line)
	}
	return b.String()
}

// ---- Markdown ----

var (
	mdFence      = regexp.MustCompile("^ {0,3}(`{3,}|~{3,})")
	mdRule       = regexp.MustCompile(`^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,}|=+[ \t]*)$`)
	mdTableSep   = regexp.MustCompile(`^\s*\|?\s*:?-{1,}:?\s*(?:\|\s*:?-{1,}:?\s*)*\|?\s*$`)
	mdRefDef     = regexp.MustCompile(`^ {0,3}\[[^\]]+\]:\s*\S+`)
	mdQuote      = regexp.MustCompile(`^\s*>\s?`)
	mdHeading    = regexp.MustCompile(`^ {0,3}#{1,6}(?:[ \t]+|$)`)
	mdHeadingEnd = regexp.MustCompile(`[ \t]+#+[ \t]*$`)
	mdList       = regexp.MustCompile(`^\s*(?:[-*+]|\d{1,9}[.)])[ \t]+`)
	mdTask       = regexp.MustCompile(`^\[[ xX]\][ \t]+`)
	mdEscape     = regexp.MustCompile("\\\\([!-/:-@\\[-`{-~])")
	mdImage      = regexp.MustCompile(`!\[([^\]]*)\]\([^)]*\)`)
	mdLink       = regexp.MustCompile(`\[([^\]]+)\]\([^)]*\)`)
	mdRefLink    = regexp.MustCompile(`\[([^\]]+)\]\[[^\]]*\]`)
	mdAutoLink   = regexp.MustCompile(`<((?:https?|ftp|mailto):[^>\s]+|[^@<>\s]+@[^@<>\s]+\.[^@<>\s]+)>`)
	mdComment    = regexp.MustCompile(`<!--.*?-->`)
	mdTag        = regexp.MustCompile(`</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>`)
	mdStrong     = regexp.MustCompile(`\*\*(\S(?:.*?\S)?)\*\*`)
	mdStrongU    = regexp.MustCompile(`(^|[^\p{L}\p{N}_])__(\S(?:.*?\S)?)__([^\p{L}\p{N}_]|$)`)
	mdStrike     = regexp.MustCompile(`~~(\S(?:.*?\S)?)~~`)
	mdEm         = regexp.MustCompile(`\*(\S(?:.*?\S)?)\*`)
	mdEmU        = regexp.MustCompile(`(^|[^\p{L}\p{N}_])_(\S(?:.*?\S)?)_([^\p{L}\p{N}_]|$)`)
)

// extractMarkdown keeps the words of a Markdown document and drops its
// markup: heading hashes, list bullets, quote marks, emphasis, code fences
// and backticks (the code itself stays), link and image syntax (their text
// stays), table pipes (cells are joined with " | "), rules and inline HTML.
func extractMarkdown(src string) string {
	src = strings.ReplaceAll(strings.ReplaceAll(src, "\r\n", "\n"), "\r", "\n")
	var out []string
	fence := ""
	for line := range strings.SplitSeq(src, "\n") {
		if fence != "" {
			t := strings.TrimSpace(line)
			if strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]) == "" {
				fence = ""
				out = append(out, "")
				continue
			}
			out = append(out, line)
			continue
		}
		if m := mdFence.FindStringSubmatch(line); m != nil {
			fence = m[1]
			out = append(out, "")
			continue
		}
		if mdRule.MatchString(line) {
			out = append(out, "")
			continue
		}
		if strings.Contains(line, "-") && strings.Contains(line, "|") && mdTableSep.MatchString(line) {
			continue
		}
		if mdRefDef.MatchString(line) {
			continue
		}
		for mdQuote.MatchString(line) {
			line = mdQuote.ReplaceAllString(line, "")
		}
		if loc := mdHeading.FindStringIndex(line); loc != nil {
			line = mdHeadingEnd.ReplaceAllString(line[loc[1]:], "")
		}
		if loc := mdList.FindStringIndex(line); loc != nil {
			line = line[loc[1]:]
			line = mdTask.ReplaceAllString(line, "")
		}
		if t := strings.TrimSpace(line); strings.HasPrefix(t, "|") {
			line = mdTableRow(t)
		}
		out = append(out, mdInline(line))
	}
	return strings.Join(out, "\n")
}

// mdTableRow turns "| a | b |" into "a | b".
func mdTableRow(t string) string {
	t = strings.TrimPrefix(t, "|")
	if strings.HasSuffix(t, "|") && !strings.HasSuffix(t, `\|`) {
		t = strings.TrimSuffix(t, "|")
	}
	var cells []string
	start := 0
	for i := 0; i < len(t); i++ {
		if t[i] == '|' && (i == 0 || t[i-1] != '\\') {
			cells = append(cells, strings.TrimSpace(t[start:i]))
			start = i + 1
		}
	}
	cells = append(cells, strings.TrimSpace(t[start:]))
	return strings.Join(cells, " | ")
}

// mdInline strips inline markup from one line, leaving code spans verbatim.
func mdInline(line string) string {
	var b strings.Builder
	rest := line
	var unclosed map[int]bool // backtick run lengths with no closing run left
	for {
		i := strings.IndexByte(rest, '`')
		if i < 0 {
			b.WriteString(mdInlineText(rest))
			break
		}
		n := 1
		for i+n < len(rest) && rest[i+n] == '`' {
			n++
		}
		ticks := rest[i : i+n]
		end := -1
		for j := i + n; j < len(rest) && !unclosed[n]; {
			k := strings.Index(rest[j:], ticks)
			if k < 0 {
				break
			}
			k += j
			m := k + n
			for m < len(rest) && rest[m] == '`' {
				m++
			}
			if m-k == n {
				end = k
				break
			}
			j = m
		}
		if end < 0 { // unmatched backticks are literal
			if unclosed == nil {
				unclosed = make(map[int]bool)
			}
			unclosed[n] = true
			b.WriteString(mdInlineText(rest[:i+n]))
			rest = rest[i+n:]
			continue
		}
		b.WriteString(mdInlineText(rest[:i]))
		code := rest[i+n : end]
		if len(code) > 1 && code[0] == ' ' && code[len(code)-1] == ' ' && strings.TrimSpace(code) != "" {
			code = code[1 : len(code)-1]
		}
		b.WriteString(code)
		rest = rest[end+n:]
	}
	return b.String()
}

// mdEscapeBase maps a backslash-escaped ASCII punctuation character into the
// Private Use Area so that emphasis rules leave it alone.
const mdEscapeBase = 0xF0000

func mdInlineText(s string) string {
	if s == "" {
		return s
	}
	s = mdEscape.ReplaceAllStringFunc(s, func(m string) string {
		return string(rune(mdEscapeBase + int(m[1])))
	})
	s = mdComment.ReplaceAllString(s, "")
	s = mdImage.ReplaceAllString(s, "$1")
	s = mdLink.ReplaceAllString(s, "$1")
	s = mdRefLink.ReplaceAllString(s, "$1")
	s = mdAutoLink.ReplaceAllString(s, "$1")
	s = mdTag.ReplaceAllString(s, "")
	s = mdStrong.ReplaceAllString(s, "$1")
	s = mdStrongU.ReplaceAllString(s, "$1$2$3")
	s = mdStrike.ReplaceAllString(s, "$1")
	s = mdEm.ReplaceAllString(s, "$1")
	s = mdEmU.ReplaceAllString(s, "$1$2$3")
	return strings.Map(func(r rune) rune {
		if r >= mdEscapeBase && r < mdEscapeBase+128 {
			return r - mdEscapeBase
		}
		return r
	}, s)
}

// ---- HTML ----

// htmlSkip are elements whose content is not visible text.
var htmlSkip = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Svg: true, atom.Math: true, atom.Iframe: true, atom.Object: true,
	atom.Embed: true, atom.Canvas: true, atom.Audio: true, atom.Video: true,
	atom.Select: true, atom.Datalist: true, atom.Textarea: true, atom.Meta: true,
	atom.Link: true, atom.Base: true,
}

// htmlBreaks is the number of newlines around a block element: 2 for a
// paragraph break, 1 for a line break.
var htmlBreaks = map[atom.Atom]int{
	atom.P: 2, atom.Div: 2, atom.Section: 2, atom.Article: 2, atom.Header: 2,
	atom.Footer: 2, atom.Nav: 2, atom.Aside: 2, atom.Main: 2, atom.H1: 2,
	atom.H2: 2, atom.H3: 2, atom.H4: 2, atom.H5: 2, atom.H6: 2,
	atom.Blockquote: 2, atom.Pre: 2, atom.Table: 2, atom.Ul: 2, atom.Ol: 2,
	atom.Dl: 2, atom.Form: 2, atom.Fieldset: 2, atom.Figure: 2, atom.Address: 2,
	atom.Details: 2, atom.Title: 2, atom.Hr: 2, atom.Body: 2, atom.Hgroup: 2,
	atom.Li: 1, atom.Tr: 1, atom.Dt: 1, atom.Dd: 1, atom.Caption: 1,
	atom.Figcaption: 1, atom.Summary: 1, atom.Legend: 1, atom.Thead: 1,
	atom.Tbody: 1, atom.Tfoot: 1, atom.Option: 1,
}

// extractHTML returns the visible text of an HTML document: script, style
// and other non-text elements and hidden elements are dropped, block
// elements become paragraph or line breaks, table cells are joined with
// " | ", and whitespace collapses as a browser would (except inside pre).
func extractHTML(src string) (string, error) {
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		return "", err
	}
	var tb textBuilder
	walkHTML(doc, &tb, false)
	return tb.String(), nil
}

func walkHTML(n *html.Node, tb *textBuilder, pre bool) {
	switch n.Type {
	case html.TextNode:
		if pre {
			tb.raw(n.Data)
		} else {
			tb.text(n.Data)
		}
		return
	case html.CommentNode, html.DoctypeNode, html.RawNode:
		return
	case html.ElementNode:
		if htmlSkip[n.DataAtom] || htmlHidden(n) {
			return
		}
		switch n.DataAtom {
		case atom.Br:
			tb.newline()
			return
		case atom.Td, atom.Th:
			if prev := prevElement(n); prev != nil && (prev.DataAtom == atom.Td || prev.DataAtom == atom.Th) {
				tb.separator(" | ")
			}
		case atom.Pre, atom.Listing:
			pre = true
		}
	}
	brk := htmlBreaks[n.DataAtom]
	if n.Type != html.ElementNode {
		brk = 0
	}
	tb.brk(brk)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walkHTML(c, tb, pre)
	}
	tb.brk(brk)
}

func prevElement(n *html.Node) *html.Node {
	for p := n.PrevSibling; p != nil; p = p.PrevSibling {
		if p.Type == html.ElementNode {
			return p
		}
	}
	return nil
}

func htmlHidden(n *html.Node) bool {
	for _, a := range n.Attr {
		switch strings.ToLower(a.Key) {
		case "hidden":
			return true
		case "aria-hidden":
			if strings.EqualFold(strings.TrimSpace(a.Val), "true") {
				return true
			}
		case "style":
			v := strings.ToLower(strings.Join(strings.Fields(a.Val), ""))
			if strings.Contains(v, "display:none") || strings.Contains(v, "visibility:hidden") {
				return true
			}
		}
	}
	return n.DataAtom == atom.Input && strings.EqualFold(htmlAttr(n, "type"), "hidden")
}

func htmlAttr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

// textBuilder assembles text from pieces, collapsing whitespace and
// merging requested breaks so that nested blocks do not pile up newlines.
type textBuilder struct {
	b      strings.Builder
	breaks int    // newlines owed before the next text
	sep    string // separator owed before the next text, if no break
	space  bool   // a space owed before the next text
}

func (t *textBuilder) brk(n int) {
	if n > t.breaks {
		t.breaks = n
	}
}

func (t *textBuilder) newline() {
	// Consecutive <br>s are each a line break, up to a blank line.
	if t.b.Len() > 0 {
		t.flush()
		t.b.WriteByte('\n')
	}
}

func (t *textBuilder) separator(s string) { t.sep = s }

// flush writes what is owed before the next piece of text.
func (t *textBuilder) flush() {
	if t.b.Len() > 0 {
		switch {
		case t.breaks > 0:
			t.b.WriteString(strings.Repeat("\n", t.breaks))
		case t.sep != "":
			t.b.WriteString(t.sep)
		case t.space:
			t.b.WriteByte(' ')
		}
	}
	t.breaks, t.sep, t.space = 0, "", false
}

// text adds text whose whitespace collapses to single spaces.
func (t *textBuilder) text(s string) {
	if s == "" {
		return
	}
	words := strings.Fields(s)
	if len(words) == 0 {
		t.space = true
		return
	}
	first, _ := utf8.DecodeRuneInString(s)
	if unicode.IsSpace(first) {
		t.space = true
	}
	t.flush()
	t.b.WriteString(strings.Join(words, " "))
	last, _ := utf8.DecodeLastRuneInString(s)
	t.space = unicode.IsSpace(last)
}

// raw adds preformatted text as it is.
func (t *textBuilder) raw(s string) {
	if s == "" {
		return
	}
	t.flush()
	t.b.WriteString(s)
}

func (t *textBuilder) String() string { return t.b.String() }

// ---- CSV ----

// extractCSV writes one line per data row, "header: value" pairs joined by
// "; " (empty values are left out). The delimiter is guessed from the first
// line among comma, semicolon, tab and pipe. A file with only a header row
// yields that row.
func extractCSV(src string) (string, error) {
	src = strings.TrimPrefix(src, "\uFEFF")
	r := csv.NewReader(strings.NewReader(src))
	r.Comma = sniffDelimiter(src)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	records, err := r.ReadAll()
	if err != nil {
		return "", err
	}
	for len(records) > 0 && csvEmpty(records[0]) {
		records = records[1:]
	}
	if len(records) == 0 {
		return "", nil
	}
	header := make([]string, len(records[0]))
	for i, h := range records[0] {
		header[i] = oneLine(h)
	}
	if len(records) == 1 {
		return strings.Join(header, ", "), nil
	}
	var b strings.Builder
	for _, rec := range records[1:] {
		var pairs []string
		for i, v := range rec {
			v = oneLine(v)
			if v == "" {
				continue
			}
			h := ""
			if i < len(header) {
				h = header[i]
			}
			if h == "" {
				h = "column " + strconv.Itoa(i+1)
			}
			pairs = append(pairs, h+": "+v)
		}
		if len(pairs) == 0 {
			continue
		}
		b.WriteString(strings.Join(pairs, "; "))
		b.WriteByte('\n')
	}
	return b.String(), nil
}

func csvEmpty(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

func sniffDelimiter(src string) rune {
	line, _, _ := strings.Cut(src, "\n")
	best, bestN := ',', 0
	for _, d := range []rune{',', ';', '\t', '|'} {
		if n := strings.Count(line, string(d)); n > bestN {
			best, bestN = d, n
		}
	}
	return best
}

// oneLine collapses all whitespace, newlines included, to single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// ---- JSON ----

// extractJSON flattens JSON to "path: value" lines, keys joined by "." and
// array elements written as [i], in document order: {"a":{"b":[1,2]}} gives
// "a.b[0]: 1" and "a.b[1]: 2". Nulls and empty strings are left out; string
// values are put on one line. Several top-level values (JSON Lines) are
// separated by blank lines; a top-level scalar is written alone.
func extractJSON(src string) (string, error) {
	dec := json.NewDecoder(strings.NewReader(strings.TrimPrefix(src, "\uFEFF")))
	dec.UseNumber()
	var b strings.Builder
	for dec.More() {
		var lines []string
		if err := flattenJSON(dec, "", 0, &lines); err != nil {
			return "", err
		}
		if len(lines) == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		for _, l := range lines {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("unexpected data after JSON value")
		}
		return "", err
	}
	return b.String(), nil
}

func flattenJSON(dec *json.Decoder, p string, depth int, out *[]string) error {
	if depth > maxJSONDepth {
		return fmt.Errorf("JSON nested deeper than %d levels", maxJSONDepth)
	}
	tok, err := jsonToken(dec)
	if err != nil {
		return err
	}
	emit := func(v string) {
		if p == "" {
			*out = append(*out, v)
		} else {
			*out = append(*out, p+": "+v)
		}
	}
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			for dec.More() {
				kt, err := jsonToken(dec)
				if err != nil {
					return err
				}
				key, _ := kt.(string)
				kp := key
				if p != "" {
					kp = p + "." + key
				}
				if err := flattenJSON(dec, kp, depth+1, out); err != nil {
					return err
				}
			}
		case '[':
			for i := 0; dec.More(); i++ {
				if err := flattenJSON(dec, p+"["+strconv.Itoa(i)+"]", depth+1, out); err != nil {
					return err
				}
			}
		default:
			return fmt.Errorf("unexpected %q in JSON", v)
		}
		_, err := jsonToken(dec) // the closing delimiter
		return err
	case string:
		if s := oneLine(v); s != "" {
			emit(s)
		}
	case json.Number:
		emit(v.String())
	case bool:
		emit(strconv.FormatBool(v))
	case nil:
	}
	return nil
}

// jsonToken is dec.Token inside a value, where the input may not end.
func jsonToken(dec *json.Decoder) (json.Token, error) {
	tok, err := dec.Token()
	if err == io.EOF {
		err = errors.New("unexpected end of JSON input")
	}
	return tok, err
}

// ---- PDF ----

// Limits on a PDF's page tree; real documents stay far below them, and a
// cyclic tree (which the parser would follow forever) runs into them.
const (
	maxPDFTreeDepth = 256
	maxPDFTreeNodes = 1 << 20
)

// extractPDF returns the text of each page, pages separated by a blank
// line. Encrypted PDFs are refused; PDFs of scanned images have no text.
//
// The parser (github.com/ledongthuc/pdf) is not hardened against hostile
// files: the cross-reference chain and page tree are checked for loops
// here, but a crafted object stream can still make it loop or overflow the
// stack, so untrusted PDFs are best extracted in a separate process with a
// time limit.
func extractPDF(data []byte) (text string, err error) {
	defer func() {
		if r := recover(); r != nil {
			text, err = "", fmt.Errorf("malformed PDF: %v", r)
		}
	}()
	if err := checkXrefChain(data); err != nil {
		return "", err
	}
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		if errors.Is(err, pdf.ErrInvalidPassword) {
			return "", errors.New("PDF is encrypted")
		}
		return "", err
	}
	pages, err := pdfPages(r)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for i, p := range pages {
		t, err := p.GetPlainText(nil)
		if err != nil {
			return "", fmt.Errorf("page %d: %w", i+1, err)
		}
		b.WriteString(t)
		b.WriteString("\n\n")
	}
	return b.String(), nil
}

// pdfPages lists the pages of r in order, refusing a page tree that is
// cyclic or absurdly deep or large, and pages whose chain of Parent links
// (followed by the parser to find inherited resources) does not end.
func pdfPages(r *pdf.Reader) ([]pdf.Page, error) {
	errTree := errors.New("malformed PDF: page tree is cyclic or too large")
	var pages []pdf.Page
	nodes := 0
	var walk func(v pdf.Value, depth int) error
	walk = func(v pdf.Value, depth int) error {
		nodes++
		if depth > maxPDFTreeDepth || nodes > maxPDFTreeNodes {
			return errTree
		}
		switch v.Key("Type").Name() {
		case "Pages":
			kids := v.Key("Kids")
			for i := 0; i < kids.Len(); i++ {
				if err := walk(kids.Index(i), depth+1); err != nil {
					return err
				}
			}
		case "Page":
			steps := 0
			for p := v; !p.IsNull(); p = p.Key("Parent") {
				if steps++; steps > maxPDFTreeDepth+1 {
					return errTree
				}
			}
			pages = append(pages, pdf.Page{V: v})
		}
		return nil
	}
	return pages, walk(r.Trailer().Key("Root").Key("Pages"), 0)
}

var (
	pdfStartXref = regexp.MustCompile(`^startxref\s+(\d+)`)
	pdfPrev      = regexp.MustCompile(`/Prev\s+(\d+)`)
)

// checkXrefChain follows the cross-reference sections from the last
// startxref through their /Prev entries and fails if an offset comes back,
// on which the parser would loop forever. Anything it cannot follow is left
// to the parser to judge.
func checkXrefChain(data []byte) error {
	i := bytes.LastIndex(data, []byte("startxref"))
	if i < 0 {
		return nil
	}
	m := pdfStartXref.FindSubmatch(data[i:])
	if m == nil {
		return nil
	}
	next := m[1]
	seen := make(map[int64]bool)
	for next != nil {
		off, err := strconv.ParseInt(string(next), 10, 64)
		if err != nil || off < 0 || off >= int64(len(data)) {
			return nil
		}
		if seen[off] {
			return errors.New("malformed PDF: cross-reference sections form a loop")
		}
		seen[off] = true
		// A section's /Prev is in its trailer (before startxref) or, for a
		// cross-reference stream, in the stream's dictionary.
		sec := data[off:]
		for _, kw := range []string{"startxref", "stream"} {
			if i := bytes.Index(sec, []byte(kw)); i >= 0 {
				sec = sec[:i]
			}
		}
		next = nil
		if m := pdfPrev.FindSubmatch(sec); m != nil {
			next = m[1]
		}
	}
	return nil
}

// ---- DOCX ----

// extractDOCX returns the paragraphs of a Word document's main part,
// separated by blank lines. Table rows become one line each with the cells
// joined by " | ". Deleted text (tracked changes), field codes and the
// fallback copies of text boxes are left out.
func extractDOCX(data []byte) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", fmt.Errorf("not a docx (zip) file: %w", err)
	}
	partName := docxMainPart(zr)
	var part *zip.File
	for _, f := range zr.File {
		if f.Name == partName {
			part = f
			break
		}
	}
	if part == nil {
		return "", fmt.Errorf("not a docx file: %s is missing", partName)
	}
	if part.UncompressedSize64 > maxPartSize {
		return "", fmt.Errorf("%s is larger than %d bytes", partName, maxPartSize)
	}
	rc, err := part.Open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	return docxText(io.LimitReader(rc, maxPartSize))
}

// docxMainPart finds the main document part through _rels/.rels, falling
// back to word/document.xml.
func docxMainPart(zr *zip.Reader) string {
	const fallback = "word/document.xml"
	for _, f := range zr.File {
		if f.Name != "_rels/.rels" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return fallback
		}
		defer rc.Close()
		var rels struct {
			Rel []struct {
				Type   string `xml:"Type,attr"`
				Target string `xml:"Target,attr"`
			} `xml:"Relationship"`
		}
		if err := xml.NewDecoder(io.LimitReader(rc, 1<<20)).Decode(&rels); err != nil {
			return fallback
		}
		for _, r := range rels.Rel {
			if strings.HasSuffix(r.Type, "/officeDocument") && r.Target != "" {
				return path.Clean(strings.TrimPrefix(r.Target, "/"))
			}
		}
	}
	return fallback
}

func docxText(r io.Reader) (string, error) {
	dec := xml.NewDecoder(r)
	var (
		paras     []string
		para      strings.Builder
		cell      strings.Builder
		row       []string
		inText    bool
		runDepth  int
		tblDepth  int
		paraDepth int
	)
	endPara := func() {
		t := strings.TrimSpace(para.String())
		para.Reset()
		if t == "" {
			return
		}
		if tblDepth > 0 {
			if cell.Len() > 0 {
				cell.WriteByte(' ')
			}
			cell.WriteString(t)
			return
		}
		paras = append(paras, t)
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "t":
				inText = true
			case "r":
				runDepth++
			case "tab", "ptab":
				if runDepth > 0 {
					para.WriteByte('\t')
				}
			case "br", "cr":
				if runDepth > 0 {
					para.WriteByte('\n')
				}
			case "noBreakHyphen":
				if runDepth > 0 {
					para.WriteByte('-')
				}
			case "p":
				if paraDepth > 0 { // a text box inside a paragraph
					endPara()
				}
				paraDepth++
			case "tbl":
				tblDepth++
				if tblDepth == 1 {
					row = nil
					cell.Reset()
				}
			case "tr":
				if tblDepth == 1 {
					row = nil
				}
			case "tc":
				if tblDepth == 1 {
					cell.Reset()
				}
			case "Fallback", "delText", "instrText":
				if err := dec.Skip(); err != nil {
					return "", err
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "r":
				runDepth--
			case "p":
				paraDepth--
				endPara()
			case "tc":
				if tblDepth == 1 {
					row = append(row, oneLine(cell.String()))
					cell.Reset()
				}
			case "tr":
				if tblDepth == 1 {
					var cells []string
					for _, c := range row {
						if c != "" {
							cells = append(cells, c)
						}
					}
					if len(cells) > 0 {
						paras = append(paras, strings.Join(cells, " | "))
					}
					row = nil
				}
			case "tbl":
				tblDepth--
			}
		case xml.CharData:
			if inText {
				para.Write(t)
			}
		}
	}
	endPara()
	return strings.Join(paras, "\n\n"), nil
}
