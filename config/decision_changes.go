package config

import (
	"fmt"
	"slices"
	"strings"
)

// partWords names the parts of registries and stores in Changes' lines.
var partWords = map[string]string{
	"subject": "subject type", "file": "file", "sheet": "sheet", "columns": "columns", "delimiter": "delimiter",
	"max_unzipped_mb": "size limit (max_unzipped_mb)", "type": "type", "layout": "layouts", "root": "root",
	"files": "files (glob)", "bucket": "bucket", "prefix": "prefix", "endpoint": "endpoint", "tenant_id": "tenant (tenant_id)",
	"drive_id": "drive (drive_id)", "user": "drive's user (user)", "site": "site", "library": "library",
	"archives": "archives setting", "profile": "profile", "operators": "operators", "permanent_delete": "permanent_delete setting",
}

// kindOrder is the order Changes lists changes in: the policy first, then
// the registries, profiles and stores.
var kindOrder = []string{"timezone", "policy", "override", "rule", "policy.order", "registry", "profile", "store", ""}

// Changes says, one line each, what differs between was (the decision a
// plan was made under) and d (the config's now): "the layouts of store
// kinddossiers changed", "the columns of registry kinderen changed",
// "override C1 changed", "store archief was added". It names sections
// only (store, registry, profile and rule names, config keys), never a
// value of the config. It returns nil when the two are the same decision.
func (d Decision) Changes(was Decision) []string {
	if d.Equal(was) {
		return nil
	}
	if was.Version != d.Version {
		return []string{fmt.Sprintf("the plan records what decides in another form (version %d; this retentiond writes version %d)", was.Version, d.Version)}
	}
	type entity struct{ kind, name string }
	type change struct {
		entity
		part string
	}
	var changed []change
	in := map[bool]map[entity]bool{false: {}, true: {}} // was, now
	for _, side := range []struct {
		now  bool
		secs map[string]string
	}{{false, was.Sections}, {true, d.Sections}} {
		for s := range side.secs {
			kind, name, _, ok := sectionName(s)
			if !ok {
				kind, name = "", s
			}
			in[side.now][entity{kind, name}] = true
		}
	}
	names := map[string]bool{}
	for s := range was.Sections {
		names[s] = true
	}
	for s := range d.Sections {
		names[s] = true
	}
	for s := range names {
		if was.Sections[s] == d.Sections[s] {
			continue
		}
		kind, name, part, ok := sectionName(s)
		if !ok {
			kind, name, part = "", s, ""
		}
		changed = append(changed, change{entity{kind, name}, part})
	}
	slices.SortFunc(changed, func(a, b change) int {
		if c := slices.Index(kindOrder, a.kind) - slices.Index(kindOrder, b.kind); c != 0 {
			return c
		}
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		return strings.Compare(a.part, b.part)
	})
	overridden := map[string]bool{}
	rulesAddedOrRemoved := false
	for _, c := range changed {
		if c.kind == "override" {
			overridden[c.name] = true
		}
		if c.kind == "rule" && in[false][c.entity] != in[true][c.entity] {
			rulesAddedOrRemoved = true
		}
	}
	var out []string
	said := map[entity]bool{}
	for _, c := range changed {
		added, removed := !in[false][c.entity], !in[true][c.entity]
		switch {
		case c.kind == "rule" && overridden[c.name] && !added && !removed:
			continue // the override says it
		case c.kind == "policy.order" && rulesAddedOrRemoved:
			continue // the rules added or removed say it
		case (added || removed) && said[c.entity]:
			continue // said of the whole
		}
		said[c.entity] = true
		out = append(out, changeLine(c.kind, c.name, c.part, added, removed))
	}
	if len(out) == 0 {
		out = []string{"the plan's digest of what decides does not match its sections"}
	}
	return out
}

// changeLine words one change.
func changeLine(kind, name, part string, added, removed bool) string {
	var what string
	switch kind {
	case "timezone":
		return "the timezone changed"
	case "policy":
		return "the policy changed"
	case "policy.order":
		return "the order of the policy's rules changed"
	case "rule":
		switch {
		case added:
			return "rule " + name + " was added to the policy"
		case removed:
			return "rule " + name + " was removed from the policy"
		}
		return "rule " + name + " of the policy changed"
	case "override", "profile", "registry", "store":
		what = kind + " " + name
	default:
		what = "section " + name
	}
	switch {
	case added:
		return what + " was added"
	case removed:
		return what + " was removed"
	case part != "":
		w := partWords[part]
		if w == "" {
			w = part
		}
		return "the " + w + " of " + what + " changed"
	}
	return what + " changed"
}
