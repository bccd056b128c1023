package flows

// FieldType is the type of a field in a node or settings spec. It decides how
// the YAML value is checked and what JSON Schema the field gets.
type FieldType string

// Field types.
const (
	TypeString    FieldType = "string"     // any scalar, kept as text
	TypeTemplate  FieldType = "template"   // text with {{ expr }} parts
	TypeExpr      FieldType = "expression" // an expr-lang expression
	TypeCondition FieldType = "condition"  // an expression that yields a boolean
	TypeInt       FieldType = "integer"
	TypeNumber    FieldType = "number"
	TypeBool      FieldType = "boolean"
	TypeDuration  FieldType = "duration" // 30s, 10m, 2h, 3d, 1w, or combinations like 1h30m
	TypeURL       FieldType = "url"      // absolute http(s) URL
	TypeNode      FieldType = "node"     // the id of a node of the same bot
	TypeBot       FieldType = "bot"      // the slug of a bot
	TypeVariable  FieldType = "variable" // the name of a declared variable
	TypeEdge      FieldType = "edge"     // a node id, or a list of {if, to}
	TypeEnum      FieldType = "enum"     // one of Options
	TypeRegex     FieldType = "regex"    // a Go (RE2) regular expression
	TypeObject    FieldType = "object"   // a mapping with the fields in Fields
	TypeList      FieldType = "list"     // a sequence of Elem
	TypeMap       FieldType = "map"      // a mapping from free keys (checked by Key) to Elem
	TypeAny       FieldType = "any"      // any YAML value
	TypeTemplated FieldType = "templated"
)

// Field declares one field of a node kind, of the bot settings or of a nested
// object: how it is checked, documented and turned into JSON Schema.
type Field struct {
	Name     string
	Type     FieldType
	Doc      string // one line, shown in errors, the schema and the editor
	Required bool
	Default  any
	Example  any
	Options  []string  // TypeEnum
	Min, Max *float64  // TypeInt and TypeNumber bounds, inclusive
	Fields   []*Field  // TypeObject
	Elem     *Field    // TypeList and TypeMap
	Key      FieldType // TypeMap keys: TypeString (default) or TypeVariable
	NonEmpty bool      // TypeList and TypeMap: at least one item
	// ErrorPath marks a TypeNode field followed only when something fails
	// (on_error); loop detection does not count it as a way out.
	ErrorPath bool
}

// NewField returns a field of type typ documented by doc.
func NewField(name string, typ FieldType, doc string) *Field {
	return &Field{Name: name, Type: typ, Doc: doc}
}

// Req marks the field as required.
func (f *Field) Req() *Field { f.Required = true; return f }

// Def sets the value used when the field is absent.
func (f *Field) Def(v any) *Field { f.Default = v; return f }

// Ex sets the example shown in the schema and the editor.
func (f *Field) Ex(v any) *Field { f.Example = v; return f }

// Range bounds an integer or number field, inclusive.
func (f *Field) Range(lo, hi float64) *Field { f.Min, f.Max = &lo, &hi; return f }

// AtLeast bounds an integer or number field from below, inclusive.
func (f *Field) AtLeast(lo float64) *Field { f.Min = &lo; return f }

// NotEmpty requires a list or map to have at least one item.
func (f *Field) NotEmpty() *Field { f.NonEmpty = true; return f }

// OnError marks a node reference as an error path.
func (f *Field) OnError() *Field { f.ErrorPath = true; return f }

// EnumField returns an enum field with the given options.
func EnumField(name, doc string, options ...string) *Field {
	return &Field{Name: name, Type: TypeEnum, Doc: doc, Options: options}
}

// ObjectField returns an object field with the given fields.
func ObjectField(name, doc string, fields ...*Field) *Field {
	return &Field{Name: name, Type: TypeObject, Doc: doc, Fields: fields}
}

// ListField returns a list field whose items are elem.
func ListField(name, doc string, elem *Field) *Field {
	return &Field{Name: name, Type: TypeList, Doc: doc, Elem: elem}
}

// MapField returns a map field with keys of type key and values elem.
func MapField(name, doc string, key FieldType, elem *Field) *Field {
	return &Field{Name: name, Type: TypeMap, Doc: doc, Key: key, Elem: elem}
}

// field returns the field named name, or nil.
func fieldNamed(fields []*Field, name string) *Field {
	for _, f := range fields {
		if f.Name == name {
			return f
		}
	}
	return nil
}

func fieldNames(fields []*Field) []string {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Name
	}
	return names
}

// KindSpec declares a node kind: its name, summary and fields. The fields
// common to every node (kind, ui, description) are added by the loader.
type KindSpec struct {
	Name    string
	Summary string
	Fields  []*Field
}

// Kind is a node kind, implemented in package nodes.
type Kind interface {
	Spec() *KindSpec
	// Decode turns a node's checked fields into the kind's typed config and
	// reports problems that the field types alone cannot catch.
	Decode(n *Node, c *Checker) any
	// Pauses reports whether a node with config cfg waits for something
	// outside the turn (a user, a service, an operator, time).
	Pauses(cfg any) bool
}

// Language is everything the loader needs to know about node kinds and
// settings. Package nodes provides the one Parley uses.
type Language struct {
	Kinds    []Kind // in documentation order
	Settings *Field // the `settings` object
	// CheckSettings reports problems in the settings that their field types
	// cannot catch; it may be nil.
	CheckSettings func(c *Checker, settings *Object)
}

// Kind returns the kind named name, or nil.
func (l *Language) Kind(name string) Kind {
	for _, k := range l.Kinds {
		if k.Spec().Name == name {
			return k
		}
	}
	return nil
}

// KindNames lists the kind names in documentation order.
func (l *Language) KindNames() []string {
	names := make([]string, len(l.Kinds))
	for i, k := range l.Kinds {
		names[i] = k.Spec().Name
	}
	return names
}
