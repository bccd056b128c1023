package flows

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
)

// Pos is a 1-based line and column in a bot file.
type Pos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// Severity tells whether a problem stops a flow from loading.
type Severity int

const (
	// Error problems make a flow invalid.
	Error Severity = iota
	// Warning problems are printed but do not stop a flow from loading.
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// MarshalJSON renders the severity as "error" or "warning".
func (s Severity) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// UnmarshalJSON reads "error" or "warning".
func (s *Severity) UnmarshalJSON(b []byte) error {
	var text string
	if err := json.Unmarshal(b, &text); err != nil {
		return err
	}
	switch text {
	case "error":
		*s = Error
	case "warning":
		*s = Warning
	default:
		return fmt.Errorf("unknown severity %q", text)
	}
	return nil
}

// Problem is one mistake found in a bot file, with its position.
type Problem struct {
	File     string   `json:"file"`
	Line     int      `json:"line"`
	Column   int      `json:"column"`
	Severity Severity `json:"severity"`
	Code     string   `json:"code"`
	Message  string   `json:"message"`
}

// String renders the problem as "file:line:col: code: message"; warnings
// carry a "warning: " prefix before the code.
func (p Problem) String() string {
	sev := ""
	if p.Severity == Warning {
		sev = "warning: "
	}
	return fmt.Sprintf("%s:%d:%d: %s%s: %s", p.File, p.Line, p.Column, sev, p.Code, p.Message)
}

// Problems is a list of problems, kept in file order by Sort.
type Problems []Problem

// HasErrors reports whether any problem is an error (not a warning).
func (ps Problems) HasErrors() bool {
	return slices.ContainsFunc(ps, func(p Problem) bool { return p.Severity == Error })
}

// Errors returns the problems that are errors.
func (ps Problems) Errors() Problems {
	return slices.DeleteFunc(slices.Clone(ps), func(p Problem) bool { return p.Severity != Error })
}

// Sort orders problems by file, line and column, keeping the order of
// problems found at the same position.
func (ps Problems) Sort() {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
}

// Problem codes. They are part of the public contract of `parley validate`.
const (
	CodeYAMLSyntax      = "yaml_syntax"
	CodeTooLarge        = "too_large"
	CodeUnsupportedYAML = "unsupported_yaml"
	CodeDuplicateKey    = "duplicate_key"
	CodeUnknownField    = "unknown_field"
	CodeMissingField    = "missing_field"
	CodeWrongType       = "wrong_type"
	CodeInvalidValue    = "invalid_value"
	CodeOutOfRange      = "out_of_range"
	CodeInvalidID       = "invalid_id"
	CodeReservedName    = "reserved_name"
	CodeUnknownKind     = "unknown_kind"
	CodeUnknownNode     = "unknown_node"
	CodeUnknownVariable = "unknown_variable"
	CodeExpression      = "expression"
	CodeTemplate        = "template"
	CodeBadDuration     = "bad_duration"
	CodeBadURL          = "bad_url"
	CodeBadRegex        = "bad_regex"
	CodeConflict        = "conflicting_fields"
	CodeUnusedField     = "unused_field"
	CodeTypeMismatch    = "type_mismatch"
	CodeEdgeAfterDflt   = "edge_after_default"
	CodeNoDefaultEdge   = "no_default_edge"
	CodeUnreachable     = "unreachable_node"
	CodeEndlessLoop     = "loop_without_pause"
	CodeNoNodes         = "no_nodes"
)

// Reporter collects the problems of one file.
type Reporter struct {
	file     string
	problems Problems
}

// Errorf records an error at pos.
func (r *Reporter) Errorf(pos Pos, code, format string, args ...any) {
	r.add(pos, Error, code, fmt.Sprintf(format, args...))
}

// Warnf records a warning at pos.
func (r *Reporter) Warnf(pos Pos, code, format string, args ...any) {
	r.add(pos, Warning, code, fmt.Sprintf(format, args...))
}

func (r *Reporter) add(pos Pos, sev Severity, code, msg string) {
	pos.Line, pos.Column = max(pos.Line, 1), max(pos.Column, 1)
	r.problems = append(r.problems, Problem{File: r.file, Line: pos.Line, Column: pos.Column, Severity: sev, Code: code, Message: msg})
}
