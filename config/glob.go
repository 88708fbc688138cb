package config

import "path/filepath"

// globToken is one element of a file-name pattern: a literal character,
// "?", "*" or a bracket class such as [0-9].
type globToken struct {
	kind byte   // 'l' literal, '?', '*', '['
	text string // the literal character, or the whole class with brackets
}

func tokens(p string) []globToken {
	var out []globToken
	rs := []rune(p)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; {
		case r == '\\' && i+1 < len(rs):
			i++
			out = append(out, globToken{'l', string(rs[i])})
		case r == '*':
			if len(out) == 0 || out[len(out)-1].kind != '*' {
				out = append(out, globToken{kind: '*'})
			}
		case r == '?':
			out = append(out, globToken{kind: '?'})
		case r == '[':
			end := -1
			for j := i + 1; j < len(rs); j++ {
				if rs[j] == '\\' {
					j++
					continue
				}
				if rs[j] == ']' && j > i+1 {
					end = j
					break
				}
			}
			if end < 0 {
				out = append(out, globToken{'l', "["})
				continue
			}
			out = append(out, globToken{'[', string(rs[i : end+1])})
			i = end
		default:
			out = append(out, globToken{'l', string(r)})
		}
	}
	return out
}

// sameChar reports whether one character can match both tokens (neither
// is "*" here). Two classes are taken to share a character: a false "yes"
// only refuses a config, a false "no" would let two stores overlap.
func sameChar(a, b globToken) bool {
	switch {
	case a.kind == '?' || b.kind == '?':
		return true
	case a.kind == 'l' && b.kind == 'l':
		return a.text == b.text
	case a.kind == 'l':
		ok, _ := filepath.Match(b.text, a.text)
		return ok
	case b.kind == 'l':
		ok, _ := filepath.Match(a.text, b.text)
		return ok
	}
	return true
}

// patternsMeet reports whether some file name matches both patterns (one
// path element each, as filepath.Match reads them). It walks the product
// of the two patterns' automata.
func patternsMeet(p, q string) bool {
	a, b := tokens(p), tokens(q)
	type state struct{ i, j int }
	seen := map[state]bool{}
	var walk func(i, j int) bool
	walk = func(i, j int) bool {
		s := state{i, j}
		if seen[s] {
			return false
		}
		seen[s] = true
		if i == len(a) && j == len(b) {
			return true
		}
		starA := i < len(a) && a[i].kind == '*'
		starB := j < len(b) && b[j].kind == '*'
		if starA && walk(i+1, j) || starB && walk(i, j+1) {
			return true
		}
		if i == len(a) || j == len(b) {
			return false
		}
		// Both consume one character.
		if !starA && !starB && !sameChar(a[i], b[j]) {
			return false
		}
		if starA && !starB && b[j].kind == 'l' && b[j].text == "/" || starB && !starA && a[i].kind == 'l' && a[i].text == "/" {
			return false
		}
		ni, nj := i+1, j+1
		if starA {
			ni = i
		}
		if starB {
			nj = j
		}
		if ni == i && nj == j {
			return false
		}
		return walk(ni, nj)
	}
	return walk(0, 0)
}
