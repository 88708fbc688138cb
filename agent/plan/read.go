package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
)

// File is a plan.json as read back for approval and apply.
type File struct {
	Header
	Items   []*Item       `json:"items"`
	Stores  []StoreResult `json:"stores"`
	Summary Summary       `json:"summary"`
	// Digest is "sha256:" and the hex SHA-256 of the file's bytes: an
	// approval names the plan by it, so that a plan edited after approval
	// is no longer approved.
	Digest string `json:"-"`
	// Path is where the plan was read from.
	Path string `json:"-"`
}

// Read reads and checks a plan.json.
func Read(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, b)
}

// Parse checks the content b of the plan.json at path. Errors name the
// file, the item and the field, never a value: a plan holds names.
func Parse(path string, b []byte) (*File, error) {
	var f File
	if err := json.Unmarshal(b, &f); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return nil, fmt.Errorf("%s is not a plan: not valid JSON at byte %d", path, syn.Offset)
		case errors.As(err, &typ):
			return nil, fmt.Errorf("%s is not a plan: field %q has the wrong type", path, typ.Field)
		default:
			return nil, fmt.Errorf("%s is not a plan: not valid JSON", path)
		}
	}
	if f.Version != Version {
		return nil, fmt.Errorf("%s: plan version %d; this retentiond reads version %d: make a new plan", path, f.Version, Version)
	}
	if f.AsOf == "" || f.CreatedAt == "" || f.ConfigSHA256 == "" {
		return nil, fmt.Errorf("%s: the plan lacks as_of, created_at or config_sha256: make a new plan", path)
	}
	for i, it := range f.Items {
		if it == nil || it.Store == "" || it.Record == "" || it.Action == "" {
			return nil, fmt.Errorf("%s: item %d lacks store, record or action", path, i+1)
		}
	}
	sum := sha256.Sum256(b)
	f.Digest = "sha256:" + hex.EncodeToString(sum[:])
	f.Path = path
	return &f, nil
}

// StoreFailed reports whether the plan says listing the store failed.
func (f *File) StoreFailed(store string) bool {
	for _, s := range f.Stores {
		if s.Name == store {
			return s.Error != ""
		}
	}
	return true // a store the plan does not account for is not trusted
}
