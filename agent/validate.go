package agent

import (
	"context"
	"fmt"

	"github.com/retentiond/retentiond/agent/notify"
	"github.com/retentiond/retentiond/agent/pipeline"
)

// Validation is what a check of the config found.
type Validation struct {
	Policy     string // the policy's name
	Overrides  int
	Registries int
	People     int // subjects in the registries
	Stores     int
}

// Validate checks the config, its policy overrides, its layouts, its
// stores' settings and its registries, without listing any store; it
// refuses what `retentiond run` refuses at start-up too (auto_apply rules
// the policy lacks, notify files that cannot be read). Problems of the
// config are *InputError; registries that cannot be read are other
// errors.
func (s *Service) Validate(ctx context.Context) (*Validation, error) {
	cfg := s.cfg
	pol, err := pipeline.Policy(cfg)
	if err != nil {
		return nil, configErr(err)
	}
	for i, id := range cfg.Daemon.AutoApply {
		if _, ok := pol.Rule(id); !ok {
			return nil, inputErr("%s:%d: daemon.auto_apply[%d]: the policy has no rule %s", cfg.Path, cfg.Line("daemon.auto_apply"), i, id)
		}
	}
	if nc, ok := cfg.Notify.NotifyConfig(); ok {
		if _, err := notify.New(nc); err != nil {
			return nil, badInput(fmt.Errorf("%s: notify: %w", cfg.Path, err))
		}
	}
	stores, err := pipeline.Stores(ctx, cfg)
	if err != nil {
		return nil, configErr(err)
	}
	_, n, err := pipeline.Subjects(cfg)
	if err != nil {
		return nil, fmt.Errorf("registries:\n%w", err)
	}
	for _, st := range stores {
		if st.OpenErr != nil {
			return nil, inputErr("store %s: %v", st.Name, st.OpenErr)
		}
	}
	return &Validation{Policy: pol.Name(), Overrides: len(cfg.Overrides), Registries: len(cfg.Registries), People: n, Stores: len(cfg.Stores)}, nil
}
