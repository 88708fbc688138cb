package config

import (
	"fmt"
	"net"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/retentiond/retentiond/rules"
)

// Store types.
const (
	TypeLocalFS  = "localfs"
	TypeICloud   = "icloud"
	TypeOneDrive = "onedrive"
	TypeS3       = "s3"
	TypeExport   = "export"
)

// StoreTypes lists the store types a config may name.
var StoreTypes = []string{TypeLocalFS, TypeICloud, TypeOneDrive, TypeS3, TypeExport}

// storeKeys lists the keys each store type accepts besides name, type and
// layout. A key of another type is an error, because it is almost always
// a store written under the wrong type, which would otherwise be scanned
// with half its settings ignored.
var storeKeys = map[string][]string{
	TypeLocalFS: {"root", "archives"},
	TypeICloud:  {"root", "archives"},
	TypeOneDrive: {"tenant_id", "client_id", "client_secret_file", "client_secret_env", "client_certificate_file",
		"client_certificate_password_env", "drive_id", "user", "site", "library", "endpoint", "authority_host",
		"permanent_delete", "requests_per_minute", "sharing_links", "ca_file", "archives"},
	TypeS3: {"bucket", "prefix", "region", "endpoint", "path_style", "aws_profile", "access_key_id",
		"secret_access_key_file", "secret_access_key_env", "ca_file", "archives"},
	TypeExport: {"files", "profile", "operators", "max_unzipped_mb"},
}

var (
	storeNameRe = regexp.MustCompile(`^[a-z0-9-]+$`)
	ruleIDRe    = regexp.MustCompile(`^[A-Z]+[0-9]+(-[a-z]+)?$`)
	cronNames   = []string{"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
)

// checker collects semantic problems, placing each at its key.
type checker struct {
	c *Config
	d *decoder
}

func (k checker) add(key, msg, fix string) { k.d.add(key, msg, fix) }

// has reports whether key was written in the file.
func (k checker) has(key string) bool {
	_, ok := k.d.pos[key]
	return ok
}

// missing reports a problem about a key that was left out, at the place of
// its parent (the list item or section that lacks it).
func (k checker) missing(parent, key, msg, fix string) {
	if k.d.badType[join(parent, key)] {
		return // written, but as the wrong kind of value: already reported
	}
	p := k.d.pos[parent]
	k.d.errs.Errs = append(k.d.errs.Errs, &Error{File: k.d.file, Line: p.line, Column: p.col,
		Key: join(parent, key), Msg: msg, Fix: fix})
}

func (c *Config) validate(d *decoder) {
	k := checker{c, d}
	if strings.TrimSpace(c.Organisation) == "" {
		k.missing("", "organisation", "is missing", "add organisation: with your organisation's name; reports show it")
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil || c.Timezone == "Local" {
		k.add("timezone", fmt.Sprintf("%q is not a time zone", c.Timezone), "use an IANA zone name such as Europe/Amsterdam")
	} else {
		c.Location = loc
	}
	if name, ok := c.BuiltinPolicy(); ok && strings.TrimSpace(name) == "" {
		k.add("policy", "names no built-in policy", "write builtin:kinderopvang-nl, or the path of a policy file")
	}
	k.overrides()
	k.registries()
	k.profiles()
	k.daemon()
	k.ledgerCopy()
	k.notify()
	k.apply()
	k.state()
	k.console()
	k.stores()
}

func (k checker) apply() {
	a := &k.c.Apply
	if a.MaxDeletions < 0 {
		k.add("apply.max_deletions", "is negative", "write the most records one apply run may delete, such as 500")
	}
	t, err := rules.ParseTerm(a.PlanMaxAge)
	if err != nil || t.N == 0 {
		k.add("apply.plan_max_age", fmt.Sprintf("%q is not a term of at least a day", a.PlanMaxAge), "write how long a plan stays valid, such as 14d or 2w")
		return
	}
	a.ParsedPlanMaxAge = t
}

func (k checker) overrides() {
	for _, id := range k.c.OverrideIDs {
		key := "overrides." + id
		if !ruleIDRe.MatchString(id) {
			k.add(key, fmt.Sprintf("%q is not a rule id", id), "write a rule id as the policy does: capital letters then digits, such as C12 or S9")
		}
		o := k.c.Overrides[id]
		if o.Term != "" {
			t, err := rules.ParseTerm(o.Term)
			if err != nil {
				k.add(key+".term", fmt.Sprintf("%q is not a term", o.Term), "write a number and a unit d, w, m or y, such as 28d, 4w, 3m or 2y")
			} else {
				o.ParsedTerm = &t
			}
		}
		disabled := o.Disabled != nil && *o.Disabled
		switch {
		case o.Term == "" && o.Disabled == nil:
			k.add(key, "changes nothing", "set term: (such as 2y) to change the rule's term, or disabled: true to turn it off")
		case o.Term != "" && disabled:
			k.add(key, "both sets a term and disables the rule", "remove term: or disabled: true")
		}
		k.c.Overrides[id] = o
	}
}

func (k checker) registries() {
	seen := map[string]string{}
	for i, r := range k.c.Registries {
		p := fmt.Sprintf("registries[%d]", i)
		switch {
		case strings.TrimSpace(r.Name) == "":
			k.missing(p, "name", "is missing", "give the registry a name, such as kinderen; plans and errors refer to it")
		case seen[r.Name] != "":
			k.add(p+".name", fmt.Sprintf("%q is also the name of %s", r.Name, seen[r.Name]), "give each registry its own name")
		default:
			seen[r.Name] = p
		}
		facts, ok := rules.SubjectFacts[r.SubjectType()]
		if r.Subject == "" {
			k.missing(p, "subject", "is missing", "add subject: one of "+subjectList())
		} else if !ok {
			k.add(p+".subject", fmt.Sprintf("%q is not a subject type", r.Subject), "use one of "+subjectList())
		}
		ext := strings.ToLower(filepath.Ext(r.File))
		switch {
		case strings.TrimSpace(r.File) == "":
			k.missing(p, "file", "is missing", "add file: the path of the export (.csv or .xlsx), relative to this config")
		case ext != ".csv" && ext != ".xlsx":
			k.add(p+".file", "is not a .csv or .xlsx file", "export the registry as CSV or as an Excel workbook (.xlsx)")
		}
		if r.Sheet != "" && ext != ".xlsx" {
			k.add(p+".sheet", "applies to .xlsx files only", "remove sheet:, or point file: at the workbook")
		}
		switch {
		case r.Delimiter != "" && ext == ".xlsx":
			k.add(p+".delimiter", "applies to .csv files only", "remove delimiter:")
		case r.Delimiter != "" && r.Delimiter != ";" && r.Delimiter != ",":
			k.add(p+".delimiter", fmt.Sprintf("%q is not a supported delimiter", r.Delimiter), `use ";" or ",", or leave it out to detect it from the header line`)
		}
		switch {
		case k.has(p+".max_unzipped_mb") && ext != ".xlsx":
			k.add(p+".max_unzipped_mb", "applies to .xlsx files only", "remove max_unzipped_mb:")
		case r.MaxUnzippedMB < 0 || r.MaxUnzippedMB > 1<<20:
			k.add(p+".max_unzipped_mb", fmt.Sprintf("%d is out of range", r.MaxUnzippedMB),
				fmt.Sprintf("give the most MB the workbook may unpack to, such as %d (the default)", DefaultRegistryMaxUnzippedMB))
		}
		k.columns(p, r, facts, ok)
	}
}

func (k checker) columns(p string, r Registry, facts map[string]rules.FactKind, known bool) {
	if len(r.Columns) == 0 {
		k.missing(p, "columns", "is missing", "map at least id: to the header of the export's id column")
		return
	}
	keys := k.d.order[p+".columns"]
	for _, fact := range keys {
		key := p + ".columns." + fact
		if _, ok := facts[fact]; known && !ok {
			k.add(key, fmt.Sprintf("%q is not a fact of subject type %s", fact, r.Subject),
				"use one of "+strings.Join(rules.FactNames(r.SubjectType()), ", "))
		}
		if strings.TrimSpace(r.Columns[fact]) == "" {
			k.add(key, "names no column", "write the column's header text as it appears in the export's first row")
		}
	}
	if _, ok := r.Columns["id"]; !ok {
		k.missing(p, "columns.id", "is missing", "map id: to the header of the column that identifies each person, such as Administratienummer")
	}
}

func (k checker) daemon() {
	dm := k.c.Daemon
	if host, port, err := net.SplitHostPort(dm.Listen); err != nil || !validPort(port) {
		k.add("daemon.listen", fmt.Sprintf("%q is not a host:port address", dm.Listen), "write an address such as 127.0.0.1:9465 or :9465")
	} else if strings.ContainsAny(host, "/ ") {
		k.add("daemon.listen", fmt.Sprintf("%q is not a host:port address", dm.Listen), "write an address such as 127.0.0.1:9465 or :9465")
	}
	for _, sc := range []struct{ key, s string }{{"daemon.plan_schedule", dm.PlanSchedule}, {"daemon.apply_schedule", dm.ApplySchedule}} {
		if n, s := len(strings.Fields(sc.s)), sc.s; n != 5 && !slices.Contains(cronNames, s) {
			k.add(sc.key, fmt.Sprintf("%q has %d fields, not 5", s, n),
				`write a cron schedule of five fields: minute hour day-of-month month day-of-week, such as "0 2 * * *"`)
		}
	}
	for i, id := range dm.AutoApply {
		if !ruleIDRe.MatchString(id) {
			k.add(fmt.Sprintf("daemon.auto_apply[%d]", i), fmt.Sprintf("%q is not a rule id", id), "list rule ids of the policy, such as C10")
		}
	}
	k.redis()
	if dm.LogLevel != "" && !slices.Contains([]string{"debug", "info", "warn", "error"}, dm.LogLevel) {
		k.add("daemon.log_level", fmt.Sprintf("%q is not a log level", dm.LogLevel), "use debug, info, warn or error")
	}
}

func (k checker) ledgerCopy() {
	l := k.c.LedgerCopy
	if l == nil {
		return
	}
	if strings.TrimSpace(l.Bucket) == "" {
		k.missing("ledger_copy", "bucket", "is missing", "name the S3 bucket with Object Lock that keeps the ledger's copies")
	}
	k.url("ledger_copy", "endpoint", l.Endpoint)
	if l.RetainDays < 0 || l.RetainDays > 36500 {
		k.add("ledger_copy.retain_days", fmt.Sprintf("%d is out of range", l.RetainDays), "give 1 to 36500 days, or leave it out for 2555 (7 years)")
	}
	if (l.AccessKeyID != "") != (l.SecretAccessKeyFile != "" || l.SecretAccessKeyEnv != "") {
		k.missing("ledger_copy", "access_key_id", "and secret_access_key_file (or secret_access_key_env) go together",
			"give both, or neither to use the SDK's default credentials")
	}
}

func validPort(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 0 && n <= 65535
}

func (k checker) profiles() {
	seen := map[string]bool{}
	for i := range k.c.Profiles {
		p := &k.c.Profiles[i]
		key := fmt.Sprintf("profiles[%d]", i)
		p.Line = k.d.pos[key].line
		switch {
		case !storeNameRe.MatchString(p.Name):
			k.missing(key, "name", "needs a name of lower-case letters, digits and -", "add name: such as mijn-export; export stores refer to it with profile:")
		case seen[p.Name]:
			k.add(key+".name", fmt.Sprintf("%q is also the name of another profile", p.Name), "give each profile its own name")
		}
		seen[p.Name] = true
		if _, ok := rules.SubjectFacts[rules.SubjectType(p.Subject)]; !ok {
			k.add(key+".subject", fmt.Sprintf("%q is not a subject type", p.Subject), "use one of child, parent, employee, applicant, intern, volunteer, participant")
		}
		if p.SubjectBy == "" {
			p.SubjectBy = "id"
		}
		if p.SubjectBy != "id" && p.SubjectBy != "name" {
			k.add(key+".subject_by", fmt.Sprintf("%q is neither id nor name", p.SubjectBy), "write id if the subject column holds the registry's number, name if it holds the name")
		}
		if strings.TrimSpace(p.SubjectColumn) == "" {
			k.missing(key, "subject_column", "is missing", "add subject_column: the header of the column that says whose row it is")
		}
		if !rules.IsCategory(rules.Category(p.Category)) {
			k.add(key+".category", fmt.Sprintf("%q is not a category", p.Category), "use a category such as diary, photo, consent, child-dossier or financial")
		}
		for f := range p.Fields {
			if !slices.Contains(ExportFields, f) {
				k.add(key+".fields."+f, fmt.Sprintf("%q is not a field kind", f), "use one of "+strings.Join(ExportFields, ", "))
			}
		}
	}
}
