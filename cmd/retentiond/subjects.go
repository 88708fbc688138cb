package main

import (
	"fmt"
	"io"

	"github.com/retentiond/retentiond/agent/holds"
	"github.com/retentiond/retentiond/agent/pipeline"
	"github.com/retentiond/retentiond/config"
)

// knownSubject checks that ref names a subject in the config's
// registries. A request or a hold for anyone else would answer nothing
// (the plan finds no records of an id nobody has) and could then be
// closed as done. When the subject is unknown, the closest matches (type,
// id and name: the terminal is the administrator's) go to w, and the
// error, which may be logged, names neither the typed text nor a person.
func knownSubject(cfg *config.Config, ref holds.SubjectRef, w io.Writer) error {
	ix, _, err := pipeline.Subjects(cfg)
	if err != nil {
		return err
	}
	if ix.ByID(ref.Type, ref.ID) != nil {
		return nil
	}
	if w != nil {
		if near := ix.Closest(ref.Type, ref.ID, 5); len(near) > 0 {
			fmt.Fprintln(w, "Closest matches in the registries:")
			for _, s := range near {
				fmt.Fprintf(w, "  %s:%s  %s  (%s)\n", s.Type, s.ID, s.Name, s.Source)
			}
		} else {
			fmt.Fprintln(w, "No one in the registries comes close.")
		}
	}
	return fmt.Errorf("--subject: that %s id is not in the registries: give TYPE:ID as the registry has it (the id column, not the name)", ref.Type)
}
