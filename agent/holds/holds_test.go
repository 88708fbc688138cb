package holds

import (
	"strings"
	"testing"
	"time"

	"github.com/retentiond/retentiond/rules"
)

// Personal data that must never appear in an error.
const (
	secretReason = "Geschil met Piet Jansen over ontslag"
	secretID     = "998877"
	secretName   = "Jansen"
)

// zone stands in for Europe/Amsterdam without needing tzdata.
var zone = time.FixedZone("CET", 3600)

// now is 23 November 2026, 10:00 in the organisation's zone.
var now = time.Date(2026, 11, 23, 10, 0, 0, 0, zone)

func day(s string) rules.Date {
	d, err := rules.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func subjectHold(typ, id string) Hold {
	return Hold{Subject: &SubjectRef{Type: rules.SubjectType(typ), ID: id}, Reason: secretReason, AddedBy: "Beheerder"}
}

func pathHold(store, glob string) Hold {
	return Hold{Store: store, PathGlob: glob, Reason: secretReason, AddedBy: "Beheerder"}
}

func TestAddValidation(t *testing.T) {
	with := func(h Hold, f func(*Hold)) Hold { f(&h); return h }
	tests := []struct {
		name string
		hold Hold
		want string // substring of the error; "" means accepted
	}{
		{"subject hold", subjectHold("child", secretID), ""},
		{"path hold", pathHold("dossiers", secretName+", Piet/**"), ""},
		{"whole store", pathHold("dossiers", "**"), ""},
		{"zip entry", pathHold("archief", "2019.zip!/"+secretName+"/x.pdf"), ""},
		{"until today", with(subjectHold("employee", secretID), func(h *Hold) { h.Until = day("2026-11-23") }), ""},
		{"until tomorrow", with(subjectHold("employee", secretID), func(h *Hold) { h.Until = day("2026-11-24") }), ""},
		{"until yesterday", with(subjectHold("employee", secretID), func(h *Hold) { h.Until = day("2026-11-22") }), "until: 2026-11-22 is before today (2026-11-23)"},
		{"both subject and path", with(subjectHold("child", secretID), func(h *Hold) { h.Store, h.PathGlob = "dossiers", secretName+"/**" }), "not both"},
		{"subject and store only", with(subjectHold("child", secretID), func(h *Hold) { h.Store = "dossiers" }), "not both"},
		{"neither", Hold{Reason: secretReason, AddedBy: "B"}, "say what is held"},
		{"store without path", pathHold("dossiers", ""), "path: missing"},
		{"path without store", pathHold("", secretName+"/**"), "store: missing"},
		{"bad store name", pathHold("Dossiers", secretName+"/**"), "store: not a store name"},
		{"unknown subject type", subjectHold("kid", secretID), "subject: type is not one of child, parent"},
		{"empty subject id", subjectHold("child", ""), "subject: id is missing"},
		{"subject id with space", subjectHold("child", " "+secretID), "starts or ends with a space"},
		{"subject id with control", subjectHold("child", "99\x0188"), "control character"},
		{"no reason", with(subjectHold("child", secretID), func(h *Hold) { h.Reason = "  " }), "reason: missing"},
		{"reason with control", with(subjectHold("child", secretID), func(h *Hold) { h.Reason = secretReason + "\x1b[2J" }), "reason: contains a control character"},
		{"reason on lines", with(subjectHold("child", secretID), func(h *Hold) { h.Reason = secretReason + "\nen verder" }), ""},
		{"reason too long", with(subjectHold("child", secretID), func(h *Hold) { h.Reason = strings.Repeat("x", maxReason+1) }), "reason: longer than"},
		{"no adder", with(subjectHold("child", secretID), func(h *Hold) { h.AddedBy = "" }), "added by: missing"},
		{"id given", with(subjectHold("child", secretID), func(h *Hold) { h.ID = "H-0001" }), "Add assigns one"},
		{"released given", with(subjectHold("child", secretID), func(h *Hold) { h.ReleasedBy = "x" }), "released already"},
		{"absolute path", pathHold("dossiers", "/"+secretName+"/**"), "starts with /"},
		{"backslash", pathHold("dossiers", secretName+`\x`), `contains \`},
		{"empty folder", pathHold("dossiers", secretName+"//x"), "folder name 2 is empty"},
		{"trailing slash", pathHold("dossiers", secretName+"/"), "folder name 2 is empty"},
		{"dot dot", pathHold("dossiers", secretName+"/../x"), "folder name 2 is .."},
		{"dot", pathHold("dossiers", "./"+secretName), "folder name 1 is ."},
		{"double star in name", pathHold("dossiers", secretName+"/x**/y"), "folder name 2 has ** with other characters"},
		{"placeholder", pathHold("dossiers", "{child.name}/**"), "placeholders do not work in holds"},
		{"control in path", pathHold("dossiers", secretName+"\x00"), "control character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openSet(t, t.TempDir())
			got, err := s.Add(tt.hold, now)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Add: %v", err)
				}
				if got.ID != "H-0001" || !got.AddedAt.Equal(now.Truncate(time.Second)) {
					t.Errorf("Add = id %q added %v, want H-0001 at %v", got.ID, got.AddedAt, now)
				}
				return
			}
			if err == nil {
				t.Fatalf("Add accepted the hold, want an error with %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Add error %q, want it to contain %q", err, tt.want)
			}
			noPersonalData(t, err.Error())
			if n := len(s.List(true)); n != 0 {
				t.Errorf("a refused hold was stored: %d holds", n)
			}
		})
	}
}

// noPersonalData fails if text repeats the reason, the subject id or a
// name from a path.
func noPersonalData(t *testing.T, text string) {
	t.Helper()
	for _, s := range []string{secretReason, "Piet", secretID, secretName} {
		if strings.Contains(text, s) {
			t.Errorf("%q repeats personal data %q", text, s)
		}
	}
}

func TestParseSubjectRef(t *testing.T) {
	tests := []struct {
		in   string
		want SubjectRef
		err  string
	}{
		{"child:1234", SubjectRef{rules.Child, "1234"}, ""},
		{" employee : E-17 ", SubjectRef{rules.Employee, "E-17"}, ""},
		{"applicant:a:b", SubjectRef{rules.Applicant, "a:b"}, ""},
		{"1234", SubjectRef{}, "write TYPE:ID"},
		{"kid:" + secretID, SubjectRef{}, "type is not one of"},
		{"child:", SubjectRef{}, "id is missing"},
	}
	for _, tt := range tests {
		got, err := ParseSubjectRef(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseSubjectRef(%q) error %v, want %q", tt.in, err, tt.err)
			} else {
				noPersonalData(t, err.Error())
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseSubjectRef(%q) = %+v, %v, want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestActiveOnUntilBoundary(t *testing.T) {
	released := now
	tests := []struct {
		name string
		hold Hold
		on   string
		want bool
	}{
		{"no until", Hold{}, "2099-01-01", true},
		{"day before until", Hold{Until: day("2027-03-01")}, "2027-02-28", true},
		{"until day", Hold{Until: day("2027-03-01")}, "2027-03-01", true},
		{"day after until", Hold{Until: day("2027-03-01")}, "2027-03-02", false},
		{"released", Hold{ReleasedAt: &released}, "2026-11-23", false},
	}
	for _, tt := range tests {
		if got := tt.hold.ActiveOn(day(tt.on)); got != tt.want {
			t.Errorf("%s: ActiveOn(%s) = %v, want %v", tt.name, tt.on, got, tt.want)
		}
	}
}
