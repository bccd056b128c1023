package engine

import (
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parleyhq/parley/nodes"
)

// parseAnswer checks a user's text against a question's input. It returns
// the value to save, the answer as recorded in collected data, and whether
// the answer is valid. options are the rendered choices.
func parseAnswer(in nodes.Input, options []string, text string) (any, string, bool) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, "", false
	}
	switch in.Type {
	case nodes.InputNumber:
		return parseNumber(in, text)
	case nodes.InputEmail:
		return parseEmail(text)
	case nodes.InputPhone:
		return parsePhone(text)
	case nodes.InputDate:
		return parseDate(text)
	case nodes.InputChoice:
		return parseChoice(options, text)
	case nodes.InputMultichoice:
		return parseMultichoice(options, text)
	case nodes.InputYesNo:
		return parseYesNo(text)
	case nodes.InputFile:
		return nil, "", false // files arrive as uploads (parseFile), not as text
	case nodes.InputRegex:
		if in.Pattern == nil || !in.Pattern.MatchString(text) {
			return nil, "", false
		}
		return text, text, true
	}
	n := float64(utf8.RuneCountInString(text))
	if (in.Min != nil && n < *in.Min) || (in.Max != nil && n > *in.Max) {
		return nil, "", false
	}
	return text, text, true
}

func parseNumber(in nodes.Input, text string) (any, string, bool) {
	clean := strings.ReplaceAll(strings.ReplaceAll(text, " ", ""), ",", ".")
	f, err := strconv.ParseFloat(clean, 64)
	if err != nil || f != f || f > 1e300 || f < -1e300 {
		return nil, "", false
	}
	if (in.Min != nil && f < *in.Min) || (in.Max != nil && f > *in.Max) {
		return nil, "", false
	}
	return f, strconv.FormatFloat(f, 'f', -1, 64), true
}

func parseEmail(text string) (any, string, bool) {
	addr, err := mail.ParseAddress(text)
	if err != nil || addr.Address != text || !strings.Contains(text[strings.LastIndex(text, "@"):], ".") {
		return nil, "", false
	}
	return text, text, true
}

var phoneJunk = strings.NewReplacer(" ", "", "-", "", "(", "", ")", "", ".", "")
var phonePattern = regexp.MustCompile(`^\+?[0-9]{7,15}$`)

// parsePhone accepts numbers with spaces, dashes, dots and parentheses and
// saves them as + and digits when they had a +.
func parsePhone(text string) (any, string, bool) {
	p := phoneJunk.Replace(text)
	if !phonePattern.MatchString(p) {
		return nil, "", false
	}
	return p, p, true
}

var dateLayouts = []string{"2006-01-02", "02.01.2006", "2.1.2006", "02/01/2006", "2/1/2006"}

// parseDate accepts ISO dates and day-first dates; it saves YYYY-MM-DD.
func parseDate(text string) (any, string, bool) {
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, text); err == nil {
			iso := t.Format("2006-01-02")
			return iso, iso, true
		}
	}
	return nil, "", false
}

// parseChoice matches an option by its text (ignoring case) or its number.
func parseChoice(options []string, text string) (any, string, bool) {
	for _, o := range options {
		if strings.EqualFold(strings.TrimSpace(o), text) {
			return o, o, true
		}
	}
	if i, err := strconv.Atoi(text); err == nil && i >= 1 && i <= len(options) {
		return options[i-1], options[i-1], true
	}
	return nil, "", false
}

// parseMultichoice takes options separated by commas, semicolons or lines.
func parseMultichoice(options []string, text string) (any, string, bool) {
	parts := strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ';' || r == '\n' })
	var picked []any
	var shown []string
	for _, part := range parts {
		o, _, ok := parseChoice(options, strings.TrimSpace(part))
		if !ok {
			return nil, "", false
		}
		picked = append(picked, o)
		shown = append(shown, o.(string))
	}
	if len(picked) == 0 {
		return nil, "", false
	}
	return picked, strings.Join(shown, ", "), true
}

var (
	yesWords = []string{"yes", "y", "yeah", "yep", "sure", "ok", "okay", "true", "1", "да", "ага", "конечно", "si", "sí", "oui", "ja"}
	noWords  = []string{"no", "n", "nope", "nah", "false", "0", "нет", "non", "nein"}
)

func parseYesNo(text string) (any, string, bool) {
	t := strings.ToLower(strings.Trim(text, " .!"))
	for _, w := range yesWords {
		if t == w {
			return true, "yes", true
		}
	}
	for _, w := range noWords {
		if t == w {
			return false, "no", true
		}
	}
	return nil, "", false
}

// parseFile accepts an uploaded file whose type matches the question's
// `accept` patterns (image/*, application/pdf, ...; none: any type). It
// saves {id, name, type, size, url} and records the download URL.
func parseFile(in nodes.Input, f *FileRef) (any, string, bool) {
	if f == nil || !Accepts(in.Accept, f.MIMEType) {
		return nil, "", false
	}
	v := map[string]any{"id": f.ID, "name": f.Name, "type": f.MIMEType, "size": f.Size, "url": f.URL}
	return v, f.URL, true
}

// Accepts reports whether a MIME type matches one of the patterns: an exact
// type, or "major/*". No patterns accept everything.
func Accepts(patterns []string, mimeType string) bool {
	if len(patterns) == 0 {
		return true
	}
	major, _, _ := strings.Cut(mimeType, "/")
	for _, p := range patterns {
		if strings.EqualFold(p, mimeType) || strings.EqualFold(p, major+"/*") || p == "*/*" {
			return true
		}
	}
	return false
}
