package knowledge

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestExtract(t *testing.T) {
	tests := []struct {
		name, file, mime string
		in               string
		want             string
	}{
		{
			name: "txt normalises line ends and blank lines",
			file: "notes.txt",
			in:   "\uFEFFFirst line.  \r\nSecond line.\r\n\r\n\r\n\r\nNew paragraph.\x00\n\n",
			want: "First line.\nSecond line.\n\nNew paragraph.",
		},
		{
			name: "txt not utf-8 is read as windows-1252",
			file: "latin.txt",
			in:   "caf\xe9 au lait \x80 5",
			want: "café au lait € 5",
		},
		{
			name: "txt utf-16 with byte order mark",
			file: "notepad.txt",
			in:   "\xff\xfeH\x00i\x00 \x00\xe9\x00\n\x00",
			want: "Hi é",
		},
		{
			name: "csv in a declared charset",
			file: "cities.csv",
			mime: "text/csv; charset=iso-8859-1",
			in:   "Stadt\nM\xfcnchen\n",
			want: "Stadt: München",
		},
		{
			name: "html utf-8 past the first kilobyte without meta charset",
			file: "long.html",
			in:   "<p>" + strings.Repeat("a ", 600) + "</p><p>Grüße</p>",
			want: strings.TrimSpace(strings.Repeat("a ", 600)) + "\n\nGrüße",
		},
		{
			name: "html legacy charset from meta",
			file: "old.html",
			in:   "<html><head><meta charset=\"windows-1252\"></head><body><p>Caf\xe9 \x93quoted\x94</p></body></html>",
			want: "Café “quoted”",
		},
		{
			name: "markdown",
			file: "guide.md",
			in: "---\n" +
				"# Getting *started* #\n\n" +
				"Read the **manual** and the [docs](https://example.com/docs \"Docs\").\n" +
				"Some __strong__ and _em_ text, but snake_case_name stays; ~~old~~ new.\n" +
				"![logo](logo.png) An \\*escaped\\* star and `a_b*c*` code.\n\n" +
				"> Quoted **wisdom**.\n\n" +
				"- item one\n" +
				"* [x] item two\n" +
				"1. numbered\n\n" +
				"```go\n" +
				"fmt.Println(\"*hi*\")\n" +
				"```\n\n" +
				"| Plan | Price |\n" +
				"|:-----|------:|\n" +
				"| Basic | $10 |\n\n" +
				"***\n" +
				"Setext title\n" +
				"============\n" +
				"See <https://parley.dev> or <b>bold</b> <!-- hidden --> text.\n" +
				"[ref]: https://example.com\n",
			want: "Getting started\n\n" +
				"Read the manual and the docs.\n" +
				"Some strong and em text, but snake_case_name stays; old new.\n" +
				"logo An *escaped* star and a_b*c* code.\n\n" +
				"Quoted wisdom.\n\n" +
				"item one\n" +
				"item two\n" +
				"numbered\n\n" +
				"fmt.Println(\"*hi*\")\n\n" +
				"Plan | Price\n" +
				"Basic | $10\n\n" +
				"Setext title\n\n" +
				"See https://parley.dev or bold  text.",
		},
		{
			name: "html drops script style and hidden, keeps paragraphs",
			file: "page.html",
			in: `<!DOCTYPE html><html><head><title>Opening hours</title>
<style>body { color: red; }</style><script>var secret = "no";</script></head>
<body>
  <nav hidden>Skip me</nav>
  <h1>Our   shop</h1>
  <p>We are open <b>Monday</b> to
     Friday.</p><p>Closed on&nbsp;Sundays &amp; holidays.</p>
  <div style="display: none">invisible</div>
  <ul><li>Coffee</li><li>Tea</li></ul>
  <table><tr><th>Day</th><th>Hours</th></tr><tr><td>Mon</td><td>9-17</td></tr></table>
  <p>Line one<br>Line two</p>
  <pre>  keep   spacing
  here</pre>
  <noscript>Enable JS</noscript>
  <script>document.write("nope")</script>
</body></html>`,
			want: "Opening hours\n\n" +
				"Our shop\n\n" +
				"We are open Monday to Friday.\n\n" +
				"Closed on Sundays & holidays.\n\n" + // &nbsp; collapses too
				"Coffee\nTea\n\n" +
				"Day | Hours\nMon | 9-17\n\n" +
				"Line one\nLine two\n\n" +
				"  keep   spacing\n  here",
		},
		{
			name: "html by mime type with charset",
			file: "upload",
			mime: "text/html; charset=windows-1252",
			in:   "<p>Caf\xe9</p>",
			want: "Café",
		},
		{
			name: "csv with header",
			file: "prices.csv",
			in: "Product,Price,Notes\r\n" +
				"Coffee,2.50,\"Hot, fresh\"\r\n" +
				"Tea,2.00,\r\n" +
				",,\r\n" +
				"Cake,3.10,\"Two\nlines\",extra\r\n",
			want: "Product: Coffee; Price: 2.50; Notes: Hot, fresh\n" +
				"Product: Tea; Price: 2.00\n" +
				"Product: Cake; Price: 3.10; Notes: Two lines; column 4: extra",
		},
		{
			name: "csv semicolons",
			file: "export.csv",
			in:   "Name;City\nAnna;Berlin\n",
			want: "Name: Anna; City: Berlin",
		},
		{
			name: "tsv by mime",
			file: "data",
			mime: "text/tab-separated-values",
			in:   "Key\tValue\nmode\tfast, safe\n",
			want: "Key: mode; Value: fast, safe",
		},
		{
			name: "csv header only",
			file: "empty.csv",
			in:   "a,b,c\n",
			want: "a, b, c",
		},
		{
			name: "nested json keeps document order",
			file: "faq.json",
			in: `{"title": "FAQ", "meta": {"version": 2, "draft": false, "owner": null},
 "items": [{"q": "How?", "a": "Like\nthis."}, {"q": "Why?", "tags": ["x", "y"]}],
 "big": 12345678901234567890, "empty": {}, "blank": ""}`,
			want: "title: FAQ\n" +
				"meta.version: 2\n" +
				"meta.draft: false\n" +
				"items[0].q: How?\n" +
				"items[0].a: Like this.\n" +
				"items[1].q: Why?\n" +
				"items[1].tags[0]: x\n" +
				"items[1].tags[1]: y\n" +
				"big: 12345678901234567890",
		},
		{
			name: "json lines",
			file: "rows.jsonl",
			in:   "{\"id\": 1, \"name\": \"a\"}\n{\"id\": 2, \"name\": \"b\"}\n",
			want: "id: 1\nname: a\n\nid: 2\nname: b",
		},
		{
			name: "json top-level array and scalar",
			file: "list.json",
			in:   `[{"k": "v"}, "plain", 3]`,
			want: "[0].k: v\n[1]: plain\n[2]: 3",
		},
		{
			name: "json scalar",
			file: "one.json",
			in:   `"just text"`,
			want: "just text",
		},
		{
			name: "mime type wins over extension",
			file: "readme.txt",
			mime: "text/markdown",
			in:   "# Title",
			want: "Title",
		},
		{
			name: "generic mime defers to extension",
			file: "C:\\docs\\README.MD",
			mime: "application/octet-stream",
			in:   "**Bold**",
			want: "Bold",
		},
		{
			name: "unknown text type is plain text",
			file: "main.go",
			mime: "text/x-go",
			in:   "package main // *not* markdown",
			want: "package main // *not* markdown",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Extract(tt.file, tt.mime, []byte(tt.in))
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			if got != tt.want {
				t.Errorf("Extract =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestExtractErrors(t *testing.T) {
	tests := []struct {
		name, file, mime string
		data             []byte
		is               error  // if set, errors.Is(err, is) must hold
		contains         string // the message must contain this
	}{
		{name: "unknown type", file: "report.doc", mime: "application/msword", data: []byte("x"),
			is: ErrUnsupportedFormat, contains: "txt, md, html, csv, json, pdf, docx"},
		{name: "no type at all", file: "blob", data: []byte{1, 2, 3},
			is: ErrUnsupportedFormat, contains: `"blob"`},
		{name: "empty text", file: "empty.txt", data: []byte(" \n\t\n"), is: ErrNoText},
		{name: "html without visible text", file: "x.html",
			data: []byte("<script>alert(1)</script><style>p{}</style>"), is: ErrNoText},
		{name: "invalid json", file: "bad.json", data: []byte(`{"a": }`), contains: `extract json "bad.json"`},
		{name: "json trailing garbage", file: "bad.json", data: []byte(`{"a": 1}]`), contains: "json"},
		{name: "truncated json", file: "bad.json", data: []byte(`{"a": [1, 2`), contains: "unexpected end of JSON input"},
		{name: "docx that is not a zip", file: "x.docx", data: []byte("not a zip"), contains: "zip"},
		{name: "docx zip without document", file: "x.docx",
			data: zipFiles(t, map[string]string{"other.xml": "<a/>"}), contains: "word/document.xml"},
		{name: "malformed pdf", file: "x.pdf", data: []byte("%PDF-1.4\ngarbage"), contains: "extract pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Extract(tt.file, tt.mime, tt.data)
			if err == nil {
				t.Fatalf("Extract = %q, want an error", got)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q is not %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("error %q does not contain %q", err, tt.contains)
			}
		})
	}
}

func TestDetectFormat(t *testing.T) {
	docx := buildDOCX(t, `<w:p><w:r><w:t>x</w:t></w:r></w:p>`)
	pdfData := buildPDF(t, "x")
	tests := []struct {
		file, mime string
		data       []byte
		want       Format
	}{
		{"a.txt", "", nil, FormatText},
		{"a.md", "text/plain", nil, FormatMarkdown},
		{"a", "text/markdown; charset=utf-8", nil, FormatMarkdown},
		{"a.htm", "", nil, FormatHTML},
		{"a", "application/xhtml+xml", nil, FormatHTML},
		{"a.tsv", "", nil, FormatCSV},
		{"a", "TEXT/CSV", nil, FormatCSV},
		{"a.ndjson", "", nil, FormatJSON},
		{"a", "application/ld+json", nil, FormatJSON},
		{"a", "application/pdf", nil, FormatPDF},
		{"A.PDF", "", nil, FormatPDF},
		{"a.docx", "application/zip", nil, FormatDOCX},
		{"a", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", nil, FormatDOCX},
		{"upload", "application/octet-stream", pdfData, FormatPDF},
		{"upload", "", docx, FormatDOCX},
		{"notes", "text/plain", nil, FormatText},
	}
	for _, tt := range tests {
		t.Run(tt.file+" "+tt.mime, func(t *testing.T) {
			got, err := DetectFormat(tt.file, tt.mime, tt.data)
			if err != nil {
				t.Fatalf("DetectFormat: %v", err)
			}
			if got != tt.want {
				t.Errorf("DetectFormat = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestExtractDOCX(t *testing.T) {
	body := `<w:p><w:pPr><w:pStyle w:val="Heading1"/><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>` +
		`<w:r><w:t>Refund policy</w:t></w:r></w:p>` +
		`<w:p><w:r><w:t xml:space="preserve">Refunds are </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>free</w:t></w:r>` +
		`<w:del w:id="1"><w:r><w:delText>never</w:delText></w:r></w:del>` +
		`<w:r><w:t xml:space="preserve"> within 30 days.</w:t></w:r></w:p>` +
		`<w:p/>` +
		`<w:p><w:r><w:t>Name</w:t><w:tab/><w:t>Value</w:t><w:br/><w:t>Next line</w:t></w:r></w:p>` +
		`<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>` +
		`<w:r><w:t>Page field &amp; more</w:t></w:r></w:p>` +
		`<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Plan</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Price</w:t></w:r></w:p></w:tc></w:tr>` +
		`<w:tr><w:tc><w:p><w:r><w:t>Basic</w:t></w:r></w:p><w:p><w:r><w:t>(monthly)</w:t></w:r></w:p></w:tc>` +
		`<w:tc><w:p><w:r><w:t>€10</w:t></w:r></w:p></w:tc></w:tr></w:tbl>` +
		`<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><w:txbxContent>` +
		`<w:p><w:r><w:t>Boxed note</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice>` +
		`<mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>Boxed note</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback>` +
		`</mc:AlternateContent></w:r><w:r><w:t>After box.</w:t></w:r></w:p>`
	got, err := Extract("policy.docx", "", buildDOCX(t, body))
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	want := "Refund policy\n\n" +
		"Refunds are free within 30 days.\n\n" +
		"Name\tValue\nNext line\n\n" +
		"Page field & more\n\n" +
		"Plan | Price\n\n" +
		"Basic (monthly) | €10\n\n" +
		"Boxed note\n\n" +
		"After box."
	if got != want {
		t.Errorf("Extract =\n%q\nwant\n%q", got, want)
	}
}

func TestExtractDOCXMainPartFromRels(t *testing.T) {
	const rels = `<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/word/document2.xml"/>
</Relationships>`
	data := zipFiles(t, map[string]string{
		"_rels/.rels":        rels,
		"word/document2.xml": docxDocument(`<w:p><w:r><w:t>From the second part.</w:t></w:r></w:p>`),
	})
	got, err := Extract("x.docx", "", data)
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	if want := "From the second part."; got != want {
		t.Errorf("Extract = %q, want %q", got, want)
	}
}

func TestExtractPDF(t *testing.T) {
	tests := []struct {
		name  string
		pages []string
		want  string
	}{
		{
			name:  "one page",
			pages: []string{"Hello PDF world."},
			want:  "Hello PDF world.",
		},
		{
			name:  "lines, pages and escapes",
			pages: []string{"Opening hours\nMonday (9-17) to Friday.", `Back\slash on page two.`},
			want:  "Opening hours\nMonday (9-17) to Friday.\n\nBack\\slash on page two.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Extract("doc.pdf", "application/pdf", buildPDF(t, tt.pages...))
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			if got != tt.want {
				t.Errorf("Extract =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestExtractPDFMalformedLoops(t *testing.T) {
	page := func(parent string) string {
		return "<< /Type /Page /Parent " + parent + " /Contents 4 0 R >>"
	}
	const ops = "BT /F1 12 Tf (Loop) Tj ET\n"
	content := fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", len(ops), ops)
	tests := []struct {
		name    string
		objs    []string
		trailer string
		want    string
	}{
		{
			name:    "xref Prev points at itself",
			objs:    []string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>", page("2 0 R"), content},
			trailer: "/Prev %d ",
			want:    "cross-reference sections form a loop",
		},
		{
			name: "page tree contains itself",
			objs: []string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
				page("2 0 R"), content},
			want: "page tree is cyclic",
		},
		{
			name: "page is its own parent",
			objs: []string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
				page("3 0 R"), content},
			want: "page tree is cyclic",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Extract("loop.pdf", "", writePDF(t, tt.objs, tt.trailer))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Extract = %q, %v; want an error containing %q", got, err, tt.want)
			}
		})
	}
	// The same files without the loop are fine.
	objs := []string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>", page("2 0 R"), content}
	if got, err := Extract("ok.pdf", "", writePDF(t, objs, "")); err != nil || got != "Loop" {
		t.Fatalf("Extract = %q, %v; want %q", got, err, "Loop")
	}
}

func TestExtractPDFWithoutText(t *testing.T) {
	_, err := Extract("scan.pdf", "", buildPDF(t, ""))
	if !errors.Is(err, ErrNoText) {
		t.Fatalf("Extract error = %v, want ErrNoText", err)
	}
}

// buildPDF writes a minimal valid PDF with one page per entry of pages,
// each line of a page drawn in Helvetica.
func buildPDF(t *testing.T, pages ...string) []byte {
	t.Helper()
	// 1 catalog, 2 page tree, 3 font, then a page and its content per page.
	kids := make([]string, len(pages))
	for i := range pages {
		kids[i] = fmt.Sprintf("%d 0 R", 4+2*i)
	}
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(pages)),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
	}
	esc := strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`)
	for i, page := range pages {
		objs = append(objs, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "+
			"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", 5+2*i))
		var content strings.Builder
		if page != "" {
			for j, line := range strings.Split(page, "\n") {
				fmt.Fprintf(&content, "BT /F1 12 Tf 72 %d Td (%s) Tj ET\n", 720-16*j, esc.Replace(line))
			}
		}
		objs = append(objs, fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", content.Len(), content.String()))
	}
	return writePDF(t, objs, "")
}

// writePDF writes objs as objects 1, 2, ... of a PDF file with a correct
// cross-reference table; object 1 is the catalog. trailerExtra is added to
// the trailer dictionary, with %d replaced by the table's own offset.
func writePDF(t *testing.T, objs []string, trailerExtra string) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, body := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, body)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	if strings.Contains(trailerExtra, "%d") {
		trailerExtra = fmt.Sprintf(trailerExtra, xref)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, trailerExtra, xref)
	return b.Bytes()
}

// docxDocument wraps body in a word/document.xml root.
func docxDocument(body string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"` +
		` xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">` +
		`<w:body>` + body + `<w:sectPr/></w:body></w:document>`
}

// buildDOCX zips a minimal Word document whose body is body.
func buildDOCX(t *testing.T, body string) []byte {
	t.Helper()
	return zipFiles(t, map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?>` +
			`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
			`</Types>`,
		"_rels/.rels": `<?xml version="1.0" encoding="UTF-8"?>` +
			`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>` +
			`</Relationships>`,
		"word/document.xml": docxDocument(body),
	})
}

func zipFiles(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, content := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
