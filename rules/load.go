package rules

import (
	"embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

//go:embed policies/*.yaml
var builtinFS embed.FS

// BuiltinPrefix starts a policy reference to a built-in policy.
const BuiltinPrefix = "builtin:"

// Builtins returns the names of the built-in policies, sorted.
func Builtins() []string {
	entries, _ := builtinFS.ReadDir("policies")
	var out []string
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(out)
	return out
}

// LoadError is a problem in a policy file. It names the file, the line and
// the key, never a value that could be personal data (policies hold none,
// but the habit is kept).
type LoadError struct {
	File string
	Line int    // 0 if unknown
	Key  string // such as "rules[2].term (rule C3)"; "" for the whole file
	Msg  string
}

func (e *LoadError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(" line " + strconv.Itoa(e.Line))
	}
	if e.Key != "" {
		b.WriteString(", key " + e.Key)
	}
	b.WriteString(": " + e.Msg)
	return b.String()
}

// Load reads a policy. ref is "builtin:NAME" for an embedded policy, or the
// path of a policy YAML file, relative to baseDir unless absolute.
func Load(ref, baseDir string) (*Policy, error) {
	if name, ok := strings.CutPrefix(ref, BuiltinPrefix); ok {
		data, err := builtinFS.ReadFile("policies/" + name + ".yaml")
		if err != nil {
			return nil, fmt.Errorf("policy %q: there is no built-in policy %q; built-in policies: %s",
				ref, name, strings.Join(Builtins(), ", "))
		}
		return Parse(ref, data)
	}
	if ref == "" {
		return nil, fmt.Errorf("no policy given: write builtin:%s or the path of a policy YAML file", Builtins()[0])
	}
	path := ref
	if !filepath.IsAbs(path) {
		path = filepath.Join(baseDir, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", path, err)
	}
	return Parse(path, data)
}

// yamlPolicy and yamlRule are the file format; Parse turns them into a
// Policy after checking every value.
type yamlPolicy struct {
	Name        string     `yaml:"name"`
	Description Text       `yaml:"description"`
	Rules       []yamlRule `yaml:"rules"`
}

type yamlRule struct {
	ID         string        `yaml:"id"`
	Row        string        `yaml:"row"`
	Title      Text          `yaml:"title"`
	Subjects   []string      `yaml:"subjects"`
	Categories []string      `yaml:"categories"`
	Fields     []string      `yaml:"fields"`
	Trigger    any           `yaml:"trigger"` // an event or a list of events
	Term       string        `yaml:"term"`
	Kind       string        `yaml:"kind"`
	When       []string      `yaml:"when"`
	Unless     []string      `yaml:"unless"`
	Disabled   bool          `yaml:"disabled"`
	Source     string        `yaml:"source"`
	Basis      Text          `yaml:"basis"`
	To         *yamlTransfer `yaml:"to"`
	Rotation   *yamlRotation `yaml:"rotation"`
}

type yamlTransfer struct {
	Subject  string `yaml:"subject"`
	Category string `yaml:"category"`
}

// keySchema lists the keys a mapping may have, for the strict check that
// names the unknown key and its line (goccy's own check reports the value's
// token, which for a nested mapping is on the next line).
type keySchema struct {
	keys map[string]*keySchema // nil value: a scalar or a list of scalars
	elem *keySchema            // for a list of mappings
}

var textSchema = &keySchema{keys: map[string]*keySchema{"en": nil, "nl": nil}}

var policySchema = &keySchema{keys: map[string]*keySchema{
	"name":        nil,
	"description": textSchema,
	"rules": {elem: &keySchema{keys: map[string]*keySchema{
		"id": nil, "row": nil, "title": textSchema, "subjects": nil, "categories": nil, "fields": nil,
		"trigger": nil, "term": nil, "kind": nil, "when": nil, "unless": nil,
		"disabled": nil, "source": nil, "basis": textSchema,
		"to":       {keys: map[string]*keySchema{"subject": nil, "category": nil}},
		"rotation": rotationSchema,
	}}},
}}

// positions remembers where each key path is in the file, so that errors
// found after decoding can still name the line.
type positions struct {
	lines  map[string]int
	tokens map[*token.Token]string
}

// Parse reads a policy from YAML data; file names the source in errors.
func Parse(file string, data []byte) (*Policy, error) {
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, yamlError(file, err, nil)
	}
	if len(f.Docs) != 1 || f.Docs[0].Body == nil {
		return nil, &LoadError{File: file, Msg: "expected one YAML document with name and rules"}
	}
	body := f.Docs[0].Body
	pos := &positions{lines: map[string]int{}, tokens: map[*token.Token]string{}}
	if err := checkKeys(file, body, policySchema, "", pos); err != nil {
		return nil, err
	}
	var raw yamlPolicy
	if err := yaml.NodeToValue(body, &raw, yaml.DisallowUnknownField()); err != nil {
		return nil, yamlError(file, err, pos)
	}
	return build(file, &raw, pos)
}

// yamlError turns a goccy error into a LoadError with the line and, where
// the token is one we walked, the key.
func yamlError(file string, err error, pos *positions) error {
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil {
		e := &LoadError{File: file, Line: ye.GetToken().Position.Line, Msg: ye.GetMessage()}
		var te *yaml.TypeError
		if errors.As(err, &te) && te.DstType != nil {
			// goccy names Go types; say what the file should hold instead.
			e.Msg = "expected " + shape(te.DstType) + " here"
		}
		if pos != nil {
			e.Key = pos.tokens[ye.GetToken()]
		}
		return e
	}
	return &LoadError{File: file, Msg: err.Error()}
}

// shape says in words what kind of YAML value a Go type takes.
func shape(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a single value"
	case reflect.Slice, reflect.Array:
		return "a list, such as [a, b]"
	case reflect.Struct, reflect.Map, reflect.Pointer:
		return "keys and values, such as {en: ..., nl: ...}"
	}
	return "a different kind of value"
}

// checkKeys walks node against schema, rejecting unknown keys and
// recording each key's line.
func checkKeys(file string, node ast.Node, schema *keySchema, path string, pos *positions) error {
	if node == nil || schema == nil {
		return nil
	}
	if t := node.GetToken(); t != nil {
		pos.tokens[t] = path
		if _, ok := pos.lines[path]; !ok {
			pos.lines[path] = t.Position.Line
		}
	}
	switch n := node.(type) {
	case *ast.MappingNode:
		if schema.keys == nil {
			return nil
		}
		for _, mv := range n.Values {
			if err := checkEntry(file, mv, schema, path, pos); err != nil {
				return err
			}
		}
	case *ast.MappingValueNode:
		if schema.keys == nil {
			return nil
		}
		return checkEntry(file, n, schema, path, pos)
	case *ast.SequenceNode:
		if schema.elem == nil {
			return nil
		}
		for i, v := range n.Values {
			if err := checkKeys(file, v, schema.elem, fmt.Sprintf("%s[%d]", path, i), pos); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkEntry(file string, mv *ast.MappingValueNode, schema *keySchema, path string, pos *positions) error {
	key := mv.Key.String()
	line := mv.Key.GetToken().Position.Line
	sub := joinKey(path, key)
	child, ok := schema.keys[key]
	if !ok {
		where := "at the top level"
		if path != "" {
			where = "in " + path
		}
		return &LoadError{File: file, Line: line, Key: sub,
			Msg: fmt.Sprintf("unknown key %q %s; known keys: %s", key, where, strings.Join(sortedKeys(schema.keys), ", "))}
	}
	pos.lines[sub] = line
	pos.tokens[mv.Key.GetToken()] = sub
	if mv.Value != nil && mv.Value.GetToken() != nil {
		pos.tokens[mv.Value.GetToken()] = sub
	}
	return checkKeys(file, mv.Value, child, sub, pos)
}

func joinKey(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func sortedKeys(m map[string]*keySchema) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
