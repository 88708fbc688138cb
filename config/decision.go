package config

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"sort"
	"strings"

	"github.com/retentiond/retentiond/rules"
)

// DecisionVersion is the version of the encoding DecisionDigest hashes.
// A plan whose decision digest has another version was made by a
// retentiond that encodes what decides differently: it is refused, and a
// new plan must be made.
const DecisionVersion = 1

// Decision is the digest of what decides a plan (Config.DecisionDigest):
// the resolved policy with the organisation's overrides, the timezone,
// the registries and their mappings, the stores (where they are, their
// layouts, profile, operators and limits) and the export profiles. A plan
// records it in its header; approve and apply refuse a plan whose
// decision differs from the config's now, and Changes says what changed.
//
// What does not decide is left out, so that editing it keeps a plan and
// its approval: comments and the file's layout, the daemon's listen
// address and schedules, notify, the state dir's terms, the delete limit
// and plan_max_age, ledger_copy, credentials (secrets, certificates, CA
// files, profiles), rate limits and sharing-link checks. Legal holds and
// review resolutions are not in the config: apply re-reads both and
// re-checks every item against them, so they need not cancel an
// approval (a hold added after approval stops its items at apply).
type Decision struct {
	Version int `json:"version"`
	// Digest is "sha256:" and the hex SHA-256 over every section's name
	// and digest: two decisions are the same when their digests are.
	Digest string `json:"digest"`
	// Sections maps each section's name (such as "policy.rules.C1",
	// "registries.kinderen.columns" or "stores.dossiers.layout") to the
	// hex SHA-256 of its canonical encoding. They say which part changed;
	// they hold no value of the config.
	Sections map[string]string `json:"sections"`
}

// Equal reports whether d and o are the same decision.
func (d Decision) Equal(o Decision) bool {
	return d.Version == o.Version && d.Digest != "" && d.Digest == o.Digest
}

// Parts of the sections of each kind. Registries and stores have several
// (one per key that decides); the others are one section each.
var (
	registryParts = []string{"subject", "file", "sheet", "columns", "delimiter", "max_unzipped_mb"}
	// storeParts are the store keys that decide (where the store is and
	// how its records are read and changed), besides type and layout.
	storeParts = []string{"root", "files", "bucket", "prefix", "endpoint", "tenant_id", "drive_id", "user", "site",
		"library", "archives", "profile", "operators", "max_unzipped_mb", "permanent_delete"}
)

// decisionPrefix starts every hashed text, so that the digests of this
// encoding can never equal another's.
const decisionPrefix = "retentiond decision v1\x00"

// DecisionDigest returns the digest of what decides a plan made with c
// and pol, the policy as resolved for c (with its overrides applied, as
// pipeline.Policy returns it). Each section is encoded canonically (JSON
// of fixed fields, maps by sorted key) and hashed with its name.
func (c *Config) DecisionDigest(pol *rules.Policy) Decision {
	s := map[string]any{"timezone": c.Timezone}
	if pol != nil {
		s["policy"] = pol.Name()
		s["policy.order"] = pol.IDs()
		for _, r := range pol.Rules() {
			s["policy.rules."+r.ID] = ruleSection(r)
		}
	} else {
		s["policy"] = c.Policy
	}
	for id, o := range c.Overrides {
		v := struct {
			Term     string `json:"term"`
			Disabled *bool  `json:"disabled"`
		}{Disabled: o.Disabled}
		if o.ParsedTerm != nil {
			v.Term = o.ParsedTerm.String()
		}
		s["overrides."+id] = v
	}
	for _, r := range c.Registries {
		p := "registries." + r.Name + "."
		for part, v := range map[string]any{"subject": r.Subject, "file": r.File, "sheet": r.Sheet,
			"columns": orEmpty(r.Columns), "delimiter": r.Delimiter, "max_unzipped_mb": r.MaxUnzippedMB} {
			s[p+part] = v
		}
	}
	for _, p := range c.Profiles {
		v := p
		v.Line = 0
		v.Fields = orEmpty(p.Fields)
		s["profiles."+p.Name] = v
	}
	for _, st := range c.Stores {
		p := "stores." + st.Name + "."
		s[p+"type"] = st.Type
		layout := make([][3]string, len(st.Layout))
		for i, l := range st.Layout {
			layout[i] = [3]string{l.Path, l.Category, l.Rule}
		}
		s[p+"layout"] = layout
		vals := map[string]any{"root": st.Root, "files": st.Files, "bucket": st.Bucket, "prefix": st.Prefix,
			"endpoint": st.Endpoint, "tenant_id": st.TenantID, "drive_id": st.DriveID, "user": st.User, "site": st.Site,
			"library": st.Library, "archives": st.OpenArchives(), "profile": st.Profile, "operators": orEmpty(st.Operators),
			"max_unzipped_mb": st.MaxUnzippedMB, "permanent_delete": st.PermanentDelete}
		for _, part := range storeParts {
			if slices.Contains(storeKeys[st.Type], part) {
				s[p+part] = vals[part]
			}
		}
	}
	d := Decision{Version: DecisionVersion, Sections: make(map[string]string, len(s))}
	for name, v := range s {
		d.Sections[name] = sectionDigest(name, v)
	}
	d.Digest = d.overall()
	return d
}

// overall is the digest over the sections' names and digests.
func (d Decision) overall() string {
	names := make([]string, 0, len(d.Sections))
	for n := range d.Sections {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	h.Write([]byte(decisionPrefix))
	for _, n := range names {
		h.Write([]byte(n + "\x00" + d.Sections[n] + "\n"))
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// sectionDigest hashes one section's canonical encoding: encoding/json
// writes struct fields in order and map keys sorted.
func sectionDigest(name string, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic("config: a decision section cannot be encoded: " + err.Error()) // strings, ints, bools and maps of them
	}
	sum := sha256.Sum256(append([]byte(decisionPrefix+name+"\x00"), b...))
	return hex.EncodeToString(sum[:])
}

// ruleSection is what of a rule decides: not its title, basis, source or
// the citation of an override, which only explain.
func ruleSection(r rules.Rule) any {
	v := struct {
		Kind       rules.Kind          `json:"kind"`
		Subjects   []rules.SubjectType `json:"subjects"`
		Categories []rules.Category    `json:"categories"`
		Fields     []rules.Field       `json:"fields"`
		Triggers   []rules.Event       `json:"triggers"`
		Term       string              `json:"term"`
		When       []string            `json:"when"`
		Unless     []string            `json:"unless"`
		Disabled   bool                `json:"disabled"`
		To         []string            `json:"to"`
		Rotation   string              `json:"rotation"`
	}{Kind: r.Kind, Subjects: r.Subjects, Categories: r.Categories, Fields: r.Fields, Triggers: r.Triggers,
		When: r.When, Unless: r.Unless, Disabled: r.Disabled}
	if r.Term != nil {
		v.Term = r.Term.String()
	}
	if r.To != nil {
		v.To = []string{string(r.To.Subject), string(r.To.Category)}
	}
	if r.Rotation != nil {
		v.Rotation = r.Rotation.String()
	}
	return v
}

// orEmpty makes a nil map an empty one, so that "columns:" left empty and
// left out encode alike.
func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// sectionName splits a section's name into its kind ("stores"), the name
// of what it is about ("dossiers") and its part ("layout"); ok is false
// for a name this version does not write.
func sectionName(s string) (kind, name, part string, ok bool) {
	switch {
	case s == "timezone" || s == "policy" || s == "policy.order":
		return s, "", "", true
	case strings.HasPrefix(s, "policy.rules."):
		return "rule", strings.TrimPrefix(s, "policy.rules."), "", true
	case strings.HasPrefix(s, "overrides."):
		return "override", strings.TrimPrefix(s, "overrides."), "", true
	case strings.HasPrefix(s, "profiles."):
		return "profile", strings.TrimPrefix(s, "profiles."), "", true
	}
	for _, k := range []struct {
		prefix, kind string
		parts        []string
	}{{"registries.", "registry", registryParts}, {"stores.", "store", append([]string{"type", "layout"}, storeParts...)}} {
		rest, found := strings.CutPrefix(s, k.prefix)
		i := strings.LastIndexByte(rest, '.')
		if !found || i <= 0 || !slices.Contains(k.parts, rest[i+1:]) {
			continue
		}
		return k.kind, rest[:i], rest[i+1:], true
	}
	return "", "", "", false
}
