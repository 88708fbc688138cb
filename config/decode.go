package config

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// pos is where a key was written.
type pos struct{ line, col int }

// decoder fills Go values from a goccy/go-yaml AST. It exists instead of
// yaml.Strict() decoding because that stops at the first problem and
// reports type errors without our key paths; walking the AST ourselves
// reports every unknown key and every ill-typed value at once, each with
// its line, and remembers where every key was written so that semantic
// errors found later carry lines too.
type decoder struct {
	file    string
	errs    *Errors
	pos     map[string]pos      // key path -> position of the key
	order   map[string][]string // key path of a map -> its keys in file order
	anchors map[string]ast.Node
	// badType holds the paths whose value had the wrong shape, so that
	// validation does not also call them missing.
	badType map[string]bool
	depth   int
	// steps counts the values decoded; past maxSteps decoding stops.
	steps int
}

// maxDepth bounds recursion through aliases; no sane config nests deeper.
const maxDepth = 64

// maxSteps bounds the values decoded in all. Aliases and merge keys can
// repeat a part of the file many times over ("billion laughs": ten merges
// of ten merges of ... expand exponentially); a real config decodes a few
// thousand values, a MaxConfigSize file without aliases a few hundred
// thousand at most.
const maxSteps = 1_000_000

func newDecoder(file string, errs *Errors) *decoder {
	return &decoder{
		file:    file,
		errs:    errs,
		pos:     map[string]pos{},
		order:   map[string][]string{},
		anchors: map[string]ast.Node{},
		badType: map[string]bool{},
	}
}

// add records a problem at the place where key path was written.
func (d *decoder) add(path, msg, fix string) {
	p := d.pos[path]
	d.errs.Errs = append(d.errs.Errs, &Error{File: d.file, Line: p.line, Column: p.col, Key: path, Msg: msg, Fix: fix})
}

func (d *decoder) typeError(path, msg, fix string) {
	d.badType[path] = true
	d.add(path, msg, fix)
}

// collectAnchors remembers every anchor so that aliases resolve even when
// a part of the tree is decoded on its own.
func (d *decoder) collectAnchors(n ast.Node) {
	switch v := n.(type) {
	case *ast.AnchorNode:
		if v.Name != nil {
			d.anchors[v.Name.GetToken().Value] = v.Value
		}
		d.collectAnchors(v.Value)
	case *ast.TagNode:
		d.collectAnchors(v.Value)
	case *ast.MappingNode:
		for _, mv := range v.Values {
			d.collectAnchors(mv)
		}
	case *ast.MappingValueNode:
		d.collectAnchors(v.Value)
	case *ast.SequenceNode:
		for _, x := range v.Values {
			d.collectAnchors(x)
		}
	}
}

// resolve strips anchors and tags and follows aliases.
func (d *decoder) resolve(n ast.Node) ast.Node {
	for range maxDepth {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			n = v.Value
		case *ast.AliasNode:
			n = d.anchors[v.Value.GetToken().Value]
		default:
			return n
		}
	}
	return nil
}

// entries returns the key/value pairs of a mapping node, or nil and false
// if n is not a mapping.
func entries(n ast.Node) ([]*ast.MappingValueNode, bool) {
	switch v := n.(type) {
	case *ast.MappingNode:
		return v.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{v}, true
	}
	return nil, false
}

func keyText(k ast.MapKeyNode) string {
	if s, ok := k.(*ast.StringNode); ok {
		return s.Value
	}
	if tk := k.GetToken(); tk != nil {
		return tk.Value
	}
	return ""
}

func tokenPos(n ast.Node) pos {
	if n == nil || n.GetToken() == nil {
		return pos{}
	}
	p := n.GetToken().Position
	return pos{p.Line, p.Column}
}

// itemPos is where a sequence item starts: its first key for a mapping,
// else its own token.
func itemPos(n ast.Node) pos {
	if es, ok := entries(n); ok && len(es) > 0 {
		return tokenPos(es[0].Key)
	}
	return tokenPos(n)
}

// yamlFields maps the yaml tag names of t's fields to field indexes.
func yamlFields(t reflect.Type) (map[string]int, []string) {
	m := map[string]int{}
	var names []string
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || tag == "" || tag == "-" {
			continue
		}
		m[tag] = i
		names = append(names, tag)
	}
	return m, names
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// decode fills v from n; path names n in errors.
func (d *decoder) decode(n ast.Node, v reflect.Value, path string) {
	d.depth++
	defer func() { d.depth-- }()
	if d.depth > maxDepth {
		d.add(path, "nested too deeply", "remove the alias loop or the nesting")
		return
	}
	if d.steps++; d.steps > maxSteps {
		if d.steps == maxSteps+1 {
			d.add(path, fmt.Sprintf("the config expands to more than %d values through its aliases and merge keys", maxSteps),
				"write the values out instead of repeating anchors (*name) and merge keys (<<) inside each other")
		}
		return
	}
	n = d.resolve(n)
	if n == nil {
		return
	}
	if _, ok := n.(*ast.NullNode); ok {
		return // an empty value means "not set": defaults apply
	}
	switch v.Kind() {
	case reflect.Pointer:
		e := reflect.New(v.Type().Elem())
		d.decode(n, e.Elem(), path)
		v.Set(e)
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Map:
		d.decodeMap(n, v, path)
	case reflect.Slice:
		seq, ok := n.(*ast.SequenceNode)
		if !ok {
			d.typeError(path, "must be a list", "write one item per line, each starting with \"- \"")
			return
		}
		s := reflect.MakeSlice(v.Type(), 0, len(seq.Values))
		for i, item := range seq.Values {
			p := fmt.Sprintf("%s[%d]", path, i)
			d.pos[p] = itemPos(d.resolve(item))
			e := reflect.New(v.Type().Elem()).Elem()
			d.decode(item, e, p)
			s = reflect.Append(s, e)
		}
		v.Set(s)
	case reflect.String:
		s, ok := scalarText(n)
		if !ok {
			d.typeError(path, "must be a single value, not a list or mapping", "write the value on the same line as the key")
			return
		}
		v.SetString(s)
	case reflect.Bool:
		b, ok := n.(*ast.BoolNode)
		if !ok {
			d.typeError(path, "must be true or false", "write true or false (without quotes)")
			return
		}
		v.SetBool(b.Value)
	case reflect.Int:
		i, ok := n.(*ast.IntegerNode)
		if !ok {
			d.typeError(path, "must be a whole number", "write a number such as 500 (without quotes)")
			return
		}
		switch x := i.Value.(type) {
		case int64:
			v.SetInt(x)
		case uint64:
			v.SetInt(int64(x))
		default:
			d.typeError(path, "must be a whole number", "write a number such as 500 (without quotes)")
		}
	default:
		panic("config: cannot decode into " + v.Type().String())
	}
}

// scalarText returns the text of a scalar as it was written, so that
// tenant ids such as 0123 keep their leading zero.
func scalarText(n ast.Node) (string, bool) {
	switch v := n.(type) {
	case *ast.StringNode:
		return v.Value, true
	case *ast.LiteralNode:
		return v.Value.Value, true
	case *ast.MappingNode, *ast.MappingValueNode, *ast.SequenceNode:
		return "", false
	case ast.ScalarNode:
		return v.GetToken().Value, true
	}
	return "", false
}

func (d *decoder) decodeStruct(n ast.Node, v reflect.Value, path string) {
	es, ok := entries(n)
	if !ok {
		d.typeError(path, "must be a mapping of keys to values", "write key: value pairs, indented under "+lastKey(path))
		return
	}
	fields, names := yamlFields(v.Type())
	for _, e := range es {
		if e.Key.IsMergeKey() {
			d.decodeMerge(e.Value, v, path)
			continue
		}
		key := keyText(e.Key)
		p := join(path, key)
		d.pos[p] = tokenPos(e.Key)
		i, ok := fields[key]
		if !ok {
			d.add(p, fmt.Sprintf("unknown key %q", key), unknownFix(key, names))
			continue
		}
		d.decode(e.Value, v.Field(i), p)
	}
	// Line fields say where the item was written, for errors found by
	// other packages (a policy check of an override id, a layout match).
	if f := v.FieldByName("Line"); f.IsValid() && f.Kind() == reflect.Int {
		f.SetInt(int64(d.pos[path].line))
	}
}

// decodeMerge applies a YAML merge key (<<: *anchor or a list of them).
func (d *decoder) decodeMerge(n ast.Node, v reflect.Value, path string) {
	n = d.resolve(n)
	if seq, ok := n.(*ast.SequenceNode); ok {
		for _, item := range seq.Values {
			d.decode(item, v, path)
		}
		return
	}
	d.decode(n, v, path)
}

func (d *decoder) decodeMap(n ast.Node, v reflect.Value, path string) {
	es, ok := entries(n)
	if !ok {
		d.typeError(path, "must be a mapping of keys to values", "write key: value pairs, indented under "+lastKey(path))
		return
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(v.Type()))
	}
	for _, e := range es {
		if e.Key.IsMergeKey() {
			d.decodeMap(d.resolve(e.Value), v, path)
			continue
		}
		key := keyText(e.Key)
		p := join(path, key)
		d.pos[p] = tokenPos(e.Key)
		d.order[path] = append(d.order[path], key)
		ev := reflect.New(v.Type().Elem()).Elem()
		d.decode(e.Value, ev, p)
		v.SetMapIndex(reflect.ValueOf(key), ev)
	}
}

func lastKey(path string) string {
	if i := strings.LastIndexAny(path, ".]"); i >= 0 && path[i] == '.' {
		return path[i+1:]
	}
	if path == "" {
		return "the top level"
	}
	return path
}

// unknownFix suggests the nearest allowed key, then lists them all.
func unknownFix(key string, allowed []string) string {
	sorted := append([]string(nil), allowed...)
	sort.Strings(sorted)
	list := "allowed keys here: " + strings.Join(sorted, ", ")
	best, bestDist := "", 3
	for _, a := range allowed {
		if dist := levenshtein(strings.ToLower(key), a); dist < bestDist {
			best, bestDist = a, dist
		}
	}
	if best != "" {
		return "did you mean " + strconv.Quote(best) + "? " + list
	}
	return "remove it or rename it; " + list
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
