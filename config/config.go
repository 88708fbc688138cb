// Package config loads, completes and checks retentiond's YAML config file
// (the "Config contract" of DESIGN.md).
//
// Load reports every problem it finds at once, each as an *Error naming the
// file, the line, the key and a fix, so that an administrator can correct a
// config in one pass. Paths in the config are relative to the config file's
// own directory, not to the working directory of whoever runs retentiond:
// the daemon and the command line then agree on what a config means.
package config

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	// Embedded zone data: the timezone must load on minimal container
	// images that have no /usr/share/zoneinfo.
	_ "time/tzdata"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/retentiond/retentiond/rules"
)

// Defaults applied by Load to keys the config leaves out.
const (
	DefaultTimezone      = "Europe/Amsterdam"
	DefaultPolicy        = BuiltinPrefix + "kinderopvang-nl"
	DefaultStateDir      = "./state"
	DefaultListen        = "127.0.0.1:9465"
	DefaultPlanSchedule  = "0 2 * * *"
	DefaultApplySchedule = "0 3 * * *"
	DefaultMaxDeletions  = 500
	DefaultPlanMaxAge    = "14d"
	// DefaultRegistryMaxUnzippedMB is a registry workbook's largest
	// unpacked size: ample for the registry of a large organisation (a
	// few MB per 10,000 people), far below what would strain memory.
	DefaultRegistryMaxUnzippedMB = 64
)

// MaxConfigSize is the largest config file Load reads, in bytes. A config
// is a few kilobytes; a file of hundreds of megabytes is a mistake (or an
// attack) that would take gigabytes to parse.
const MaxConfigSize = 1 << 20

// BuiltinPrefix marks a policy that is compiled into retentiond rather than
// read from a file.
const BuiltinPrefix = "builtin:"

// Config is a loaded, defaulted and validated config file. Paths in it are
// absolute (resolved against Dir).
type Config struct {
	// Path is the config file as given to Load; Dir is its directory,
	// absolute.
	Path string `yaml:"-"`
	Dir  string `yaml:"-"`
	// SHA256 is the hex SHA-256 of the file's bytes (plan.config_sha256).
	SHA256 string `yaml:"-"`

	Organisation string `yaml:"organisation"`
	Timezone     string `yaml:"timezone"`
	// Location is Timezone loaded.
	Location *time.Location `yaml:"-"`
	// Policy is "builtin:NAME" or the absolute path of a policy file.
	Policy           string `yaml:"policy"`
	StateDir         string `yaml:"state_dir"`
	PseudonymKeyFile string `yaml:"pseudonym_key_file"`
	LedgerKeyFile    string `yaml:"ledger_key_file"`
	// LedgerVerifyKeyFile is the ledger's verifier key (the ledger.pub
	// `retentiond keygen` wrote): the daemon's nightly verification
	// checks the ledger with it, and the daemon is not ready without it.
	LedgerVerifyKeyFile string `yaml:"ledger_verify_key_file"`

	// Overrides are the organisation's changes to policy rules, by rule
	// id. Only the id's form is checked here: the caller checks that each
	// id exists in the policy (using Line or ErrorAt for the message).
	Overrides map[string]Override `yaml:"overrides"`
	// OverrideIDs lists the keys of Overrides in file order.
	OverrideIDs []string `yaml:"-"`

	Registries []Registry `yaml:"registries"`
	// Profiles are the organisation's own export profiles, for exports
	// no built-in profile describes; export stores name them by name.
	Profiles []Profile `yaml:"profiles"`
	Daemon   Daemon    `yaml:"daemon"`
	Notify   Notify    `yaml:"notify"`
	// LedgerCopy, when set, ships the ledger's new lines and signed
	// checkpoint after every apply to an S3 bucket with Object Lock, in
	// compliance mode, where nobody can rewrite them.
	LedgerCopy *LedgerCopy `yaml:"ledger_copy"`
	Apply      Apply       `yaml:"apply"`
	// Console is the review console's section (console.go).
	Console Console `yaml:"console"`
	// State holds the state dir's own retention terms (state.go).
	State  State   `yaml:"state"`
	Stores []Store `yaml:"stores"`

	pos map[string]pos
}

// Override changes one policy rule.
type Override struct {
	// Term replaces the rule's term, as written (such as "2y").
	Term string `yaml:"term"`
	// ParsedTerm is Term parsed; nil when the override sets no term.
	ParsedTerm *rules.Term `yaml:"-"`
	// Disabled, when set and true, turns the rule off.
	Disabled *bool `yaml:"disabled"`
	// Source says where the organisation decided this (shown in reports).
	Source string `yaml:"source"`
	// Line is where the override's rule id is written.
	Line int `yaml:"-"`
}

// Registry is an export of lifecycle facts for one subject type.
type Registry struct {
	Name    string            `yaml:"name"`
	Subject string            `yaml:"subject"`
	File    string            `yaml:"file"`  // absolute after Load
	Sheet   string            `yaml:"sheet"` // xlsx only; "" means the first sheet
	Columns map[string]string `yaml:"columns"`
	// Delimiter is ";" or "," for CSV files; "" detects it from the
	// header line.
	Delimiter string `yaml:"delimiter"`
	// MaxUnzippedMB caps how large an .xlsx registry may be once
	// unpacked, in MB (default DefaultRegistryMaxUnzippedMB): a workbook
	// is a zip, and a small file can expand to gigabytes.
	MaxUnzippedMB int `yaml:"max_unzipped_mb"`
	Line          int `yaml:"-"`
}

// SubjectType returns Subject as a rules.SubjectType.
func (r Registry) SubjectType() rules.SubjectType { return rules.SubjectType(r.Subject) }

// Profile describes the columns of a vendor export: whose row it is, what
// kind of record, from which date its clock runs, and which columns hold
// which kind of personal data.
type Profile struct {
	Name          string            `yaml:"name"`
	Subject       string            `yaml:"subject"`
	SubjectBy     string            `yaml:"subject_by"` // "id" (default) or "name"
	SubjectColumn string            `yaml:"subject_column"`
	Category      string            `yaml:"category"`
	DateColumn    string            `yaml:"date_column"`
	Sheet         string            `yaml:"sheet"`
	Fields        map[string]string `yaml:"fields"` // field kind -> column header
	Line          int               `yaml:"-"`
}

// ExportFields are the field kinds a profile may map.
var ExportFields = []string{"name", "bsn", "address", "postcode", "town", "birth_date", "iban", "email", "phone", "health", "notes", "photo", "id"}

// Apply configures `retentiond approve` and `retentiond apply`.
type Apply struct {
	// MaxDeletions stops an apply run before it deletes more than this
	// many records (default DefaultMaxDeletions); a later run continues.
	// 0 means the default: the limit cannot be switched off.
	MaxDeletions int `yaml:"max_deletions"`
	// PlanMaxAge is how long after it was made a plan can be applied, as
	// a term (default DefaultPlanMaxAge).
	PlanMaxAge string `yaml:"plan_max_age"`
	// ParsedPlanMaxAge is PlanMaxAge parsed.
	ParsedPlanMaxAge rules.Term `yaml:"-"`
}

// Daemon configures `retentiond run`.
type Daemon struct {
	Listen        string `yaml:"listen"`
	PlanSchedule  string `yaml:"plan_schedule"`
	ApplySchedule string `yaml:"apply_schedule"`
	// AutoApply lists rule ids whose due items the daemon carries out
	// without a person's approval (diary entries and photos past 3
	// months, say, where a review adds nothing). Everything else waits.
	AutoApply []string `yaml:"auto_apply"`
	// Redis, when set, makes several replicas run each job once.
	Redis *Redis `yaml:"redis"`
	// LogLevel is debug, info (default), warn or error.
	LogLevel string `yaml:"log_level"`
}

// LedgerCopy is the ledger_copy section: the Object Lock bucket the
// ledger is copied to (see package lockcopy).
type LedgerCopy struct {
	Bucket              string `yaml:"bucket"`
	Prefix              string `yaml:"prefix"`
	Region              string `yaml:"region"`
	Endpoint            string `yaml:"endpoint"`
	PathStyle           bool   `yaml:"path_style"`
	RetainDays          int    `yaml:"retain_days"` // compliance retention of each copy; default 2555 (7 years)
	CAFile              string `yaml:"ca_file"`     // absolute after Load
	AWSProfile          string `yaml:"aws_profile"`
	AccessKeyID         string `yaml:"access_key_id"`
	SecretAccessKeyFile string `yaml:"secret_access_key_file"` // absolute after Load
	SecretAccessKeyEnv  string `yaml:"secret_access_key_env"`
}

// Notify says whom the daemon tells when a plan awaits review or a run
// failed: by e-mail and/or a webhook. Messages hold counts and where the
// report is, never personal data.
type Notify struct {
	Lang    string         `yaml:"lang"` // nl (default) or en
	On      []string       `yaml:"on"`   // plan-ready, failure, apply-done; empty means all
	SMTP    *NotifySMTP    `yaml:"smtp"`
	Webhook *NotifyWebhook `yaml:"webhook"`
}

// NotifySMTP is the notify.smtp section (see package notify).
type NotifySMTP struct {
	Host         string   `yaml:"host"`
	Port         int      `yaml:"port"`
	Security     string   `yaml:"security"` // starttls (default), tls, insecure_plain
	From         string   `yaml:"from"`
	To           []string `yaml:"to"`
	Username     string   `yaml:"username"`
	PasswordFile string   `yaml:"password_file"` // absolute after Load
	ServerName   string   `yaml:"server_name"`
	CAFile       string   `yaml:"ca_file"` // absolute after Load
}

// NotifyWebhook is the notify.webhook section (see package notify).
type NotifyWebhook struct {
	URL          string            `yaml:"url"`
	Format       string            `yaml:"format"` // json (default), slack, teams
	Headers      map[string]string `yaml:"headers"`
	HeaderFiles  map[string]string `yaml:"header_files"` // absolute after Load
	CAFile       string            `yaml:"ca_file"`      // absolute after Load
	InsecureHTTP bool              `yaml:"insecure_http"`
}

// Store is one place records live. Which keys apply depends on Type; see
// storeKeys in validate.go.
type Store struct {
	Name   string   `yaml:"name"`
	Type   string   `yaml:"type"`
	Root   string   `yaml:"root"` // absolute after Load
	Layout []Layout `yaml:"layout"`
	// Archives says whether zip archives are opened and their entries
	// listed; Load sets it (default true for local stores, false for
	// onedrive and s3, where opening every zip means downloading it on
	// every scan), so it is never nil afterwards.
	Archives *bool `yaml:"archives"`

	// export
	Files   string `yaml:"files"` // a glob, absolute after Load
	Profile string `yaml:"profile"`
	// Operators choose, per field kind, how a due field is pseudonymised:
	// pseudonym, redact, generalise or mask[:N]. Fields not named get the
	// default for their kind.
	Operators map[string]string `yaml:"operators"`
	// MaxUnzippedMB caps how large an .xlsx export may be once unpacked,
	// in MB (0: export.DefaultMaxUnzipped, 2 GB); a larger workbook is
	// refused before it is read.
	MaxUnzippedMB int `yaml:"max_unzipped_mb"`

	// onedrive
	TenantID         string `yaml:"tenant_id"`
	ClientID         string `yaml:"client_id"`
	ClientSecretFile string `yaml:"client_secret_file"` // absolute after Load
	ClientSecretEnv  string `yaml:"client_secret_env"`
	// ClientCertificateFile is, instead of a secret, a PEM (certificate
	// and key) or PKCS#12 file; its password, if any, comes from the
	// environment variable ClientCertificatePasswordEnv.
	ClientCertificateFile        string `yaml:"client_certificate_file"` // absolute after Load
	ClientCertificatePasswordEnv string `yaml:"client_certificate_password_env"`
	// RequestsPerMinute caps the requests sent to Graph in any minute;
	// 0 means the store's default.
	RequestsPerMinute int `yaml:"requests_per_minute"`
	// SharingLinks says which records are checked for anonymous and
	// organisation-wide links: "shared" (default: those Graph marks as
	// shared, directly or through a folder), "all" (every record with
	// personal data, one request each) or "off".
	SharingLinks    string `yaml:"sharing_links"`
	DriveID         string `yaml:"drive_id"`
	User            string `yaml:"user"`
	Site            string `yaml:"site"`
	Library         string `yaml:"library"`
	AuthorityHost   string `yaml:"authority_host"`
	PermanentDelete bool   `yaml:"permanent_delete"`

	// s3
	Bucket    string `yaml:"bucket"`
	Prefix    string `yaml:"prefix"`
	Region    string `yaml:"region"`
	PathStyle bool   `yaml:"path_style"`
	// AWSProfile is a shared AWS config profile; AccessKeyID with
	// SecretAccessKeyFile (or SecretAccessKeyEnv) are explicit keys, as
	// S3-compatible servers hand them out. Without either the SDK's
	// default chain is used (environment, profile, instance role).
	AWSProfile          string `yaml:"aws_profile"`
	AccessKeyID         string `yaml:"access_key_id"`
	SecretAccessKeyFile string `yaml:"secret_access_key_file"` // absolute after Load
	SecretAccessKeyEnv  string `yaml:"secret_access_key_env"`

	// onedrive and s3: the service's base URL; "" means the public cloud.
	Endpoint string `yaml:"endpoint"`
	// CAFile is a PEM bundle of certificate authorities to trust for
	// the service's TLS instead of the system's (a private CA, or a
	// proxy that inspects TLS). Absolute after Load.
	CAFile string `yaml:"ca_file"`

	Line int `yaml:"-"`
}

// OpenArchives reports whether zip archives in the store are opened.
func (s Store) OpenArchives() bool { return s.Archives == nil || *s.Archives }

// Layout maps paths in a store to a category and, through placeholders,
// to a subject.
type Layout struct {
	Path     string `yaml:"path"`
	Category string `yaml:"category"`
	// Rule names the backup rotation rule (such as V4) that decides the
	// backups this entry matches, as one set; optional. Load checks only
	// that it is written as a rule id; the pipeline checks that the policy
	// has it and that it is a rotation rule.
	Rule string `yaml:"rule"`
	// Subject is the subject type the path's {SUBJECT.name} or
	// {SUBJECT.id} placeholders name; "" if none.
	Subject rules.SubjectType `yaml:"-"`
	Line    int               `yaml:"-"`
}

// Load reads, decodes, completes and validates the config at path. On any
// problem it returns a nil Config and an *Errors listing all of them.
func Load(path string) (*Config, error) {
	errs := &Errors{}
	data, e := readConfig(path)
	if e != nil {
		errs.Errs = append(errs.Errs, e)
		return nil, errs
	}
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		errs.Errs = append(errs.Errs, &Error{File: path, Msg: err.Error(), Fix: "give the config as an absolute path"})
		return nil, errs
	}
	sum := sha256.Sum256(data)
	c := &Config{Path: path, Dir: dir, SHA256: hex.EncodeToString(sum[:])}
	d := newDecoder(path, errs)
	if !c.decode(data, d) {
		return nil, errs.err()
	}
	c.pos = d.pos
	c.OverrideIDs = d.order["overrides"]
	c.applyDefaults()
	c.validate(d)
	c.resolvePaths()
	k := checker{c, d}
	k.overlaps()
	if err := errs.err(); err != nil {
		return nil, err
	}
	return c, nil
}

// decode parses data and fills c, reporting to d; it returns false if the
// file is not YAML at all.
func (c *Config) decode(data []byte, d *decoder) bool {
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		e := &Error{File: d.file, Msg: "not valid YAML: " + err.Error(), Fix: "correct the YAML syntax at this place"}
		var ye yaml.Error
		if errors.As(err, &ye) && ye.GetToken() != nil {
			e.Line, e.Column = ye.GetToken().Position.Line, ye.GetToken().Position.Column
			e.Msg = "not valid YAML: " + strings.ReplaceAll(ye.GetMessage(), "\t", `\t`)
		}
		if bytes.Contains(data, []byte("\n\t")) {
			e.Fix += "; indent with spaces, not tabs"
		}
		d.errs.Errs = append(d.errs.Errs, e)
		return false
	}
	var docs []*ast.DocumentNode
	for _, doc := range f.Docs {
		if doc.Body != nil {
			docs = append(docs, doc)
		}
	}
	if len(docs) == 0 {
		d.errs.Errs = append(d.errs.Errs, &Error{File: d.file, Msg: "the config is empty",
			Fix: "start from the sample config in the documentation; organisation, registries and stores are needed"})
		return false
	}
	if len(docs) > 1 {
		p := tokenPos(docs[1].Body)
		d.errs.Errs = append(d.errs.Errs, &Error{File: d.file, Line: p.line, Column: p.col,
			Msg: "the file holds more than one YAML document", Fix: "remove the second \"---\" and what follows, or merge it into the first document"})
		return false
	}
	d.collectAnchors(docs[0].Body)
	if _, ok := entries(d.resolve(docs[0].Body)); !ok {
		p := tokenPos(docs[0].Body)
		d.errs.Errs = append(d.errs.Errs, &Error{File: d.file, Line: p.line, Column: p.col,
			Msg: "the config is not a mapping of keys to values", Fix: "start the file with organisation: and the other top-level keys, unindented"})
		return false
	}
	d.decode(docs[0].Body, reflect.ValueOf(c).Elem(), "")
	return true
}

func (c *Config) applyDefaults() {
	def := func(s *string, v string) {
		if strings.TrimSpace(*s) == "" {
			*s = v
		}
	}
	def(&c.Timezone, DefaultTimezone)
	def(&c.Policy, DefaultPolicy)
	def(&c.StateDir, DefaultStateDir)
	def(&c.Daemon.Listen, DefaultListen)
	def(&c.Daemon.PlanSchedule, DefaultPlanSchedule)
	def(&c.Daemon.ApplySchedule, DefaultApplySchedule)
	if _, set := c.pos["daemon.redis.key_prefix"]; c.Daemon.Redis != nil && !set {
		r := c.Daemon.Redis
		r.KeyPrefix = DefaultKeyPrefix(c.Organisation)
	}
	def(&c.Apply.PlanMaxAge, DefaultPlanMaxAge)
	c.State.defaults()
	c.Console.defaults()
	if c.Apply.MaxDeletions == 0 {
		c.Apply.MaxDeletions = DefaultMaxDeletions
	}
	for i := range c.Registries {
		if c.Registries[i].MaxUnzippedMB == 0 {
			c.Registries[i].MaxUnzippedMB = DefaultRegistryMaxUnzippedMB
		}
	}
	for i := range c.Stores {
		if c.Stores[i].Archives == nil {
			local := c.Stores[i].Type != TypeOneDrive && c.Stores[i].Type != TypeS3
			c.Stores[i].Archives = &local
		}
	}
}

// resolvePaths makes every path in c absolute, relative to c.Dir.
func (c *Config) resolvePaths() {
	abs := func(p *string) {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(c.Dir, filepath.FromSlash(*p))
		}
	}
	abs(&c.StateDir)
	abs(&c.PseudonymKeyFile)
	abs(&c.LedgerKeyFile)
	abs(&c.LedgerVerifyKeyFile)
	if _, ok := c.BuiltinPolicy(); !ok {
		abs(&c.Policy)
	}
	for i := range c.Registries {
		abs(&c.Registries[i].File)
	}
	abs(&c.Console.TLSCertFile)
	abs(&c.Console.TLSKeyFile)
	if o := c.Console.OIDC; o != nil {
		abs(&o.ClientSecretFile)
	}
	if r := c.Daemon.Redis; r != nil {
		abs(&r.PasswordFile)
		if t := r.TLS; t != nil {
			abs(&t.CAFile)
			abs(&t.CertFile)
			abs(&t.KeyFile)
		}
	}
	if l := c.LedgerCopy; l != nil {
		abs(&l.CAFile)
		abs(&l.SecretAccessKeyFile)
	}
	if m := c.Notify.SMTP; m != nil {
		abs(&m.PasswordFile)
		abs(&m.CAFile)
	}
	if w := c.Notify.Webhook; w != nil {
		abs(&w.CAFile)
		for k, v := range w.HeaderFiles {
			abs(&v)
			w.HeaderFiles[k] = v
		}
	}
	for i := range c.Stores {
		s := &c.Stores[i]
		abs(&s.Root)
		abs(&s.Files)
		abs(&s.ClientSecretFile)
		abs(&s.ClientCertificateFile)
		abs(&s.CAFile)
		abs(&s.SecretAccessKeyFile)
	}
}

// BuiltinPolicy returns the name of a built-in policy ("kinderopvang-nl")
// and true, or "" and false when Policy is a file.
func (c *Config) BuiltinPolicy() (string, bool) {
	return strings.CutPrefix(c.Policy, BuiltinPrefix)
}

// Line returns the line on which key (a path such as "overrides.C99" or
// "stores[1].layout[0].path") is written, or 0 if it is not in the file.
func (c *Config) Line(key string) int { return c.pos[key].line }

// Position returns the line and column of key, or zeros.
func (c *Config) Position(key string) (line, col int) {
	p := c.pos[key]
	return p.line, p.col
}

// ErrorAt returns an *Error about key, placed where key is written; for
// checks done outside this package, such as whether an override's rule id
// exists in the policy.
func (c *Config) ErrorAt(key, msg, fix string) *Error {
	p := c.pos[key]
	return &Error{File: c.Path, Line: p.line, Column: p.col, Key: key, Msg: msg, Fix: fix}
}
