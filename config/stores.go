package config

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/retentiond/retentiond/rules"
)

func (k checker) stores() {
	seen := map[string]string{}
	for i, s := range k.c.Stores {
		p := fmt.Sprintf("stores[%d]", i)
		switch {
		case s.Name == "":
			k.missing(p, "name", "is missing", "give the store a name of lower-case letters, digits and -, such as dossiers")
		case !storeNameRe.MatchString(s.Name):
			k.add(p+".name", fmt.Sprintf("%q is not a store name", s.Name),
				"use lower-case letters, digits and - only (plans and metrics use the name), such as "+suggestName(s.Name))
		case seen[s.Name] != "":
			k.add(p+".name", fmt.Sprintf("%q is also the name of %s", s.Name, seen[s.Name]), "give each store its own name")
		default:
			seen[s.Name] = p
		}
		allowed, ok := storeKeys[s.Type]
		switch {
		case s.Type == "":
			k.missing(p, "type", "is missing", "add type: one of "+strings.Join(StoreTypes, ", "))
			continue
		case !ok:
			k.add(p+".type", fmt.Sprintf("%q is not a store type", s.Type), "use one of "+strings.Join(StoreTypes, ", "))
			continue
		}
		k.storeKeys(p, s.Type, allowed)
		k.storeType(p, s)
		if len(s.Layout) == 0 && s.Type != TypeExport {
			k.missing(p, "layout", "is missing",
				`add layout: entries that map paths to categories, such as - {path: "{child.name}/**", category: child-dossier}; without them every record would go to review`)
		}
		for j, l := range s.Layout {
			k.layout(fmt.Sprintf("%s.layout[%d]", p, j), &k.c.Stores[i].Layout[j], l)
		}
	}
}

// suggestName turns a bad store name into a good one for the fix text.
func suggestName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-':
			b.WriteRune(r)
		case r == ' ' || r == '_' || r == '.':
			b.WriteByte('-')
		}
	}
	if b.Len() == 0 {
		return "dossiers"
	}
	return strconv.Quote(b.String())
}

// storeKeys reports keys written for a store that its type does not use.
func (k checker) storeKeys(p, typ string, allowed []string) {
	for _, key := range allStoreKeys() {
		if k.has(p+"."+key) && !slices.Contains(allowed, key) {
			var owners []string
			for _, t := range StoreTypes {
				if slices.Contains(storeKeys[t], key) {
					owners = append(owners, t)
				}
			}
			k.add(p+"."+key, fmt.Sprintf("does not apply to type %s (only to %s)", typ, strings.Join(owners, ", ")),
				"remove it, or correct type:")
		}
	}
}

func allStoreKeys() []string {
	var keys []string
	for _, t := range StoreTypes {
		for _, key := range storeKeys[t] {
			if !slices.Contains(keys, key) {
				keys = append(keys, key)
			}
		}
	}
	return keys
}

// storeType checks the keys a store of s.Type needs.
func (k checker) storeType(p string, s Store) {
	need := func(key, val, fix string) {
		if strings.TrimSpace(val) == "" {
			k.missing(p, key, "is missing (type "+s.Type+" needs it)", fix)
		}
	}
	switch s.Type {
	case TypeLocalFS, TypeICloud:
		need("root", s.Root, "add root: the folder to scan, relative to this config or absolute")
	case TypeS3:
		need("bucket", s.Bucket, "add bucket: the bucket's name")
		k.url(p, "endpoint", s.Endpoint)
		secret := s.SecretAccessKeyFile != "" || s.SecretAccessKeyEnv != ""
		switch {
		case s.SecretAccessKeyFile != "" && s.SecretAccessKeyEnv != "":
			k.add(p+".secret_access_key_file", "is given with secret_access_key_env", "give the secret one way only")
		case (s.AccessKeyID != "") != secret:
			k.missing(p, "access_key_id", "and secret_access_key_file (or secret_access_key_env) go together",
				"give both, or neither to use the SDK's default credentials (environment, profile, instance role)")
		case s.AccessKeyID != "" && s.AWSProfile != "":
			k.add(p+".aws_profile", "is given with access_key_id", "use a profile or explicit keys, not both")
		}
	case TypeExport:
		need("files", s.Files, "add files: a glob of the export files, such as exports/konnect/dagboek-*.csv")
		need("profile", s.Profile, "add profile: the export profile, such as konnect-diary")
		if s.MaxUnzippedMB < 0 || s.MaxUnzippedMB > 1<<20 {
			k.add(p+".max_unzipped_mb", fmt.Sprintf("%d is out of range", s.MaxUnzippedMB),
				"give the most MB an .xlsx export may unpack to, such as 2048 (the default), or leave it out")
		}
	case TypeOneDrive:
		need("tenant_id", s.TenantID, "add tenant_id: the Microsoft Entra tenant (directory) id")
		need("client_id", s.ClientID, "add client_id: the app registration's application (client) id")
		creds := 0
		for _, v := range []string{s.ClientSecretFile, s.ClientSecretEnv, s.ClientCertificateFile} {
			if v != "" {
				creds++
			}
		}
		if creds != 1 {
			k.missing(p, "client_secret_file", "give exactly one of client_secret_file, client_secret_env and client_certificate_file",
				"keep the credential out of the config: point client_secret_file at a file holding the secret, client_secret_env at an environment variable, or client_certificate_file at the app's certificate and key")
		}
		if s.ClientCertificatePasswordEnv != "" && s.ClientCertificateFile == "" {
			k.add(p+".client_certificate_password_env", "applies only with client_certificate_file:", "add client_certificate_file:, or remove this key")
		}
		if s.RequestsPerMinute < 0 {
			k.add(p+".requests_per_minute", "is negative", "leave it out for the default (600), or give a positive number")
		}
		if s.SharingLinks != "" && !slices.Contains([]string{"shared", "all", "off"}, s.SharingLinks) {
			k.add(p+".sharing_links", fmt.Sprintf("%q is not one of shared, all, off", s.SharingLinks),
				"use shared (check what Graph marks as shared), all (every record with personal data) or off")
		}
		n := 0
		for _, v := range []string{s.DriveID, s.User, s.Site} {
			if v != "" {
				n++
			}
		}
		if n != 1 {
			k.missing(p, "drive_id", "give exactly one of drive_id, user and site",
				"name the drive: drive_id: the drive's id, user: the owner's sign-in name, or site: with library:")
		}
		if s.Library != "" && s.Site == "" {
			k.add(p+".library", "applies only with site:", "add site:, or remove library:")
		}
		k.url(p, "endpoint", s.Endpoint)
		k.url(p, "authority_host", s.AuthorityHost)
	}
}

func (k checker) url(p, key, val string) {
	if val == "" {
		return
	}
	if u, err := url.Parse(val); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		k.add(p+"."+key, "is not an http(s) URL", "write a full URL starting with https://, or leave it out for the default")
	}
}

func (k checker) layout(p string, dst *Layout, l Layout) {
	if !k.has(p + ".path") {
		k.missing(p, "path", "is missing", `add path: the pattern of paths this entry matches, such as "{child.name}/**"`)
	} else if t, prob := checkLayoutPath(l.Path); prob != nil {
		k.add(p+".path", prob.msg, prob.fix)
	} else {
		dst.Subject = t
		if t != "" && l.Rule != "" {
			k.add(p+".rule", fmt.Sprintf("names a backup rotation rule, but the path names a %s: backups belong to no subject", t),
				"remove rule:, or remove the {"+string(t)+".name} and {"+string(t)+".id} placeholders from the path")
		}
	}
	if k.has(p+".rule") && !ruleIDRe.MatchString(l.Rule) {
		k.add(p+".rule", fmt.Sprintf("%q is not a rule id", l.Rule),
			"name the policy's backup rotation rule for these backups as the policy writes it, such as V4 (Kidsadmin) or V2 (Tactiplan)")
	}
	switch {
	case l.Category == "":
		k.missing(p, "category", "is missing", "add category: one of "+categoryList())
	case !rules.IsCategory(rules.Category(l.Category)):
		k.add(p+".category", fmt.Sprintf("%q is not a category", l.Category), "use one of "+categoryList())
	}
}

func categoryList() string {
	names := make([]string, len(rules.Categories))
	for i, c := range rules.Categories {
		names[i] = string(c)
	}
	return strings.Join(names, ", ")
}
