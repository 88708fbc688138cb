package config

import (
	"strings"
	"testing"

	"github.com/retentiond/retentiond/rules"
)

func TestCheckLayoutPath(t *testing.T) {
	tests := []struct {
		path    string
		subject rules.SubjectType
		err     string // a part of the error; "" for a valid path
	}{
		{"{child.name}/Contracten/**", rules.Child, ""},
		{"{end_year}/{child.name}/**", rules.Child, ""},
		{"{date}.tar.gz", "", ""},
		{"**", "", ""},
		{"*.pdf", "", ""},
		{"Personeel/{employee.id} {employee.name}/**", rules.Employee, ""},
		{"{child.name}/{child.id}/*", rules.Child, ""},
		{"{participant.id}-{date}.csv", rules.Participant, ""},
		{"", "", "empty"},
		{"/abs/**", "", "starts with /"},
		{`a\b`, "", `\`},
		{"a//b", "", "empty folder name"},
		{"a/", "", "empty folder name"},
		{"../x", "", "contains .."},
		{"a/./b", "", "contains ."},
		{"a**/b", "", "whole folder name"},
		{"***", "", "whole folder name"},
		{"{child.name", "", "without a matching }"},
		{"child.name}", "", "} without a {"},
		{"{{child.name}}", "", "without a matching }"},
		{"{child.naam}", "", "{child.naam} is not a placeholder"},
		{"{kind.name}", "", "{kind.name} is not a placeholder"},
		{"{year}", "", "{year} is not a placeholder"},
		{"{}", "", "{} is not a placeholder"},
		{"{child.name}{child.id}", "", "nothing between"},
		{"{child.name}/{parent.name}", "", "two subject types"},
		{"{child.id}-{employee.id}", "", "two subject types"},
	}
	for _, tt := range tests {
		got, err := CheckLayoutPath(tt.path)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("%q: unexpected error %v", tt.path, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%q: error %v, want one containing %q", tt.path, err, tt.err)
		case tt.err != "" && !strings.Contains(err.Error(), "fix: "):
			t.Errorf("%q: error without a fix: %v", tt.path, err)
		case got != tt.subject:
			t.Errorf("%q: subject %q, want %q", tt.path, got, tt.subject)
		}
	}
}
