// Package pipeline wires a loaded config into the parts that plan and act:
// the policy with the organisation's overrides, the registries, and the
// stores with their layouts. Commands and the daemon share it, so that a
// plan and an apply see a config the same way.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/retentiond/retentiond/agent/apply"
	"github.com/retentiond/retentiond/agent/classify"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/agent/registry"
	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners"
	"github.com/retentiond/retentiond/scanners/archive"
	"github.com/retentiond/retentiond/scanners/export"
	"github.com/retentiond/retentiond/scanners/localfs"
)

// ErrConfig marks errors in what the config says (exit code 2), as opposed
// to failures while reading what it points to.
var ErrConfig = errors.New("bad config")

// Policy loads the config's policy and applies its overrides. An override
// of a rule the policy does not have is a config error naming the line; so
// are a rotation rule whose terms do not fit together (naming the policy
// file's line) and a store layout whose rule: is not a rotation rule of
// the policy for the entry's category.
func Policy(cfg *config.Config) (*rules.Policy, error) {
	p, err := rules.Load(cfg.Policy, cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: policy: %v", ErrConfig, cfg.Path, err)
	}
	if p, err = overrides(cfg, p); err != nil {
		return nil, err
	}
	if err := plan.CheckRotations(p); err != nil {
		return nil, fmt.Errorf("%w: %s: policy: %w", ErrConfig, cfg.Path, err)
	}
	var errs []error
	for i, sc := range cfg.Stores {
		for j, l := range sc.Layout {
			if l.Rule == "" {
				continue
			}
			if pr := plan.CheckLayoutRule(p, l.Rule, rules.Category(l.Category)); pr != nil {
				errs = append(errs, cfg.ErrorAt(fmt.Sprintf("stores[%d].layout[%d].rule", i, j), pr.Msg, pr.Fix))
			}
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrConfig, errors.Join(errs...))
	}
	return p, nil
}

// Decision returns the digest of what decides a plan under cfg
// (config.DecisionDigest), with cfg's policy resolved as Policy does.
func Decision(cfg *config.Config) (config.Decision, error) {
	p, err := Policy(cfg)
	if err != nil {
		return config.Decision{}, err
	}
	return cfg.DecisionDigest(p), nil
}

func overrides(cfg *config.Config, p *rules.Policy) (*rules.Policy, error) {
	if len(cfg.Overrides) == 0 {
		return p, nil
	}
	ov := map[string]rules.Override{}
	var errs []error
	for _, id := range cfg.OverrideIDs {
		o := cfg.Overrides[id]
		if _, ok := p.Rule(id); !ok {
			errs = append(errs, fmt.Errorf("%s:%d: overrides.%s: the policy %s has no rule %s; fix: use one of %s",
				cfg.Path, o.Line, id, cfg.Policy, id, ruleIDs(p)))
			continue
		}
		ov[id] = rules.Override{Term: o.ParsedTerm, Disabled: o.Disabled, Source: o.Source}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrConfig, errors.Join(errs...))
	}
	p, err := p.WithOverrides(ov)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: overrides: %v", ErrConfig, cfg.Path, err)
	}
	return p, nil
}

func ruleIDs(p *rules.Policy) string {
	var ids []string
	for _, r := range p.Rules() {
		ids = append(ids, r.ID)
	}
	sort.Strings(ids)
	return strings.Join(ids, ", ")
}

// Subjects reads every registry and indexes the subjects. Any bad row in
// any registry is an error: nothing is planned on a half-read registry.
func Subjects(cfg *config.Config) (*classify.Index, int, error) {
	set, err := registry.LoadAll(cfg.Registries, cfg.Location)
	if err != nil {
		return nil, 0, err
	}
	var all []*rules.Subject
	for _, t := range rules.SubjectTypes {
		all = append(all, set.All(t)...)
	}
	return classify.NewIndex(all), len(all), nil
}

// Stores opens every store the config names, with its layout compiled. A
// config error (a store type this version lacks, a bad layout) is returned;
// a store that cannot be opened (its root is missing, say) is returned with
// OpenErr set, so that the plan shows it failed and plans nothing in it.
func Stores(ctx context.Context, cfg *config.Config) ([]plan.Store, error) {
	var out []plan.Store
	var errs []error
	var key *pseudonym.Keyed
	var keyErr error
	keyRead := false
	for i, sc := range cfg.Stores {
		if sc.Type == config.TypeExport {
			if !keyRead {
				key, keyErr = rowKey(cfg)
				keyRead = true
			}
			ps, err := exportStore(cfg, sc, key, keyErr)
			if errors.Is(err, ErrConfig) {
				errs = append(errs, fmt.Errorf("%s:%d: stores[%d] (%s): %w", cfg.Path, sc.Line, i, sc.Name, err))
				continue
			}
			out = append(out, ps)
			continue
		}
		st, err := openStore(ctx, cfg, sc)
		if errors.Is(err, ErrConfig) {
			errs = append(errs, fmt.Errorf("%s: stores[%d] (%s): %w", cfg.Path, i, sc.Name, err))
			continue
		}
		if err != nil {
			out = append(out, plan.Store{Name: sc.Name, Type: sc.Type, OpenErr: err})
			continue
		}
		var layouts []classify.Layout
		for _, l := range sc.Layout {
			layouts = append(layouts, classify.Layout{Path: l.Path, Category: rules.Category(l.Category), Rule: l.Rule})
		}
		cl, err := classify.Compile(layouts)
		if err != nil {
			errs = append(errs, fmt.Errorf("%w: %s: stores[%d] (%s): %v", ErrConfig, cfg.Path, i, sc.Name, err))
			continue
		}
		out = append(out, plan.Store{Name: sc.Name, Type: sc.Type, Store: st, Classifier: cl, Links: sc.SharingLinks})
	}
	return out, errors.Join(errs...)
}

func openStore(ctx context.Context, cfg *config.Config, sc config.Store) (scanners.Store, error) {
	var st scanners.Store
	switch sc.Type {
	case config.TypeLocalFS, config.TypeICloud:
		s, err := localfs.Open(sc.Root, localfs.Options{ICloud: sc.Type == config.TypeICloud})
		if err != nil {
			return nil, err
		}
		st = s
	default:
		open := opener(sc.Type)
		if open == nil {
			return nil, fmt.Errorf("%w: store type %q is not available in this build; fix: remove the store or use localfs or icloud", ErrConfig, sc.Type)
		}
		dir, err := StoreStateDir(cfg, sc.Name)
		if err != nil {
			return nil, err
		}
		if st, err = open(ctx, sc, dir); err != nil {
			return nil, err
		}
	}
	if sc.OpenArchives() {
		st = archive.Wrap(st, archive.Options{})
	}
	return st, nil
}

// exportStore opens an export store with its profile: one of the
// config's own profiles, or a built-in one.
//
// key is the pseudonym key that ties rows whose subject column was
// pseudonymised; keyErr, why it could not be read, fails the store.
func exportStore(cfg *config.Config, sc config.Store, key *pseudonym.Keyed, keyErr error) (plan.Store, error) {
	var prof export.Profile
	found := false
	for _, p := range cfg.Profiles {
		if p.Name == sc.Profile {
			prof = export.Profile{Name: p.Name, Subject: p.Subject, SubjectBy: p.SubjectBy, SubjectColumn: p.SubjectColumn,
				Category: p.Category, DateColumn: p.DateColumn, Fields: p.Fields, Sheet: p.Sheet}
			found = true
		}
	}
	if !found {
		prof, found = export.Builtin(sc.Profile)
	}
	if !found {
		return plan.Store{}, fmt.Errorf("%w: profile %q is neither defined under profiles: nor built in; fix: use one of %s, or define it under profiles:",
			ErrConfig, sc.Profile, strings.Join(export.BuiltinNames(), ", "))
	}
	if err := prof.Validate(); err != nil {
		return plan.Store{}, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	if _, err := apply.Operators(sc.Operators); err != nil {
		return plan.Store{}, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	spec := &plan.RowSpec{Subject: rules.SubjectType(prof.Subject), ByName: prof.SubjectBy == "name", Category: rules.Category(prof.Category),
		Pseudonyms: key}
	if keyErr != nil {
		return plan.Store{Name: sc.Name, Type: sc.Type, Rows: spec, Operators: sc.Operators, OpenErr: fmt.Errorf("pseudonym_key_file: %w", keyErr)}, nil
	}
	st, err := export.Open(sc.Files, prof)
	if err != nil {
		return plan.Store{Name: sc.Name, Type: sc.Type, Rows: spec, Operators: sc.Operators, OpenErr: err}, nil
	}
	st.SetMaxUnzipped(int64(sc.MaxUnzippedMB) << 20)
	return plan.Store{Name: sc.Name, Type: sc.Type, Store: st, Rows: spec, Operators: sc.Operators}, nil
}
