package config

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// place is where a local store lists files, or where retentiond keeps a
// file of its own: a folder, resolved through symbolic links, and either
// everything below it (a store's root, the state dir) or the names the
// pattern elements below it match (an export glob, one file).
type place struct {
	dir   string
	elems []string // nil: everything below dir
	// key is the config key that names the place, what is the name
	// shown for it ("store \"a\" (stores[0].root, line 8)"), store the
	// store's name.
	key, what, store string
}

// overlaps refuses stores that would list the same records: a second
// store rooted inside another lists its files again, and its rules,
// which do not know the first store's holds and minimums, delete them.
// It also refuses a root of "/", and stores that would list the state
// dir, the key and secret files, the policy or the config itself. Paths
// are compared by component after resolving symbolic links, so that
// /data/a and /data/ab do not overlap but a link into /data/a does.
func (k checker) overlaps() {
	var done []place // local stores checked so far
	for i, s := range k.c.Stores {
		p := fmt.Sprintf("stores[%d]", i)
		switch s.Type {
		case TypeLocalFS, TypeICloud:
			if s.Root == "" {
				continue
			}
			pl := k.place(p, "root", resolve(s.Root), nil)
			if filepath.Dir(pl.dir) == pl.dir {
				k.add(p+".root", fmt.Sprintf("store %q has the root of the file system (%s) as its root: it would list every file on this machine, retentiond's own among them", s.Name, pl.dir),
					"give the folder the store's records are in, such as /srv/kinderopvang/Archief")
				continue
			}
			k.ownFiles(pl)
			k.againstStores(pl, done, "root")
			done = append(done, pl)
		case TypeExport:
			if s.Files == "" {
				continue
			}
			base, elems := splitPattern(s.Files)
			pl := k.place(p, "files", resolve(base), elems)
			k.ownFiles(pl)
			k.againstStores(pl, done, "files")
			done = append(done, pl)
		case TypeS3:
			k.s3Overlap(i)
		case TypeOneDrive:
			k.driveOverlap(i)
		}
	}
}

func (k checker) place(store, key, dir string, elems []string) place {
	name := k.c.Stores[storeIndex(store)].Name
	return place{dir: dir, elems: elems, key: store + "." + key, store: name,
		what: fmt.Sprintf("store %q (%s.%s, line %d)", name, store, key, k.d.pos[store+"."+key].line)}
}

func storeIndex(p string) int {
	var i int
	fmt.Sscanf(p, "stores[%d]", &i)
	return i
}

// againstStores reports the first earlier store that lists files pl lists.
func (k checker) againstStores(pl place, earlier []place, key string) {
	const fix = "give each store its own folder: move one of them, or narrow root: or files: so that no file is listed by two stores"
	for _, o := range earlier {
		if !overlap(pl, o) {
			continue
		}
		var msg string
		switch {
		case pl.elems == nil && o.elems == nil && pl.dir == o.dir:
			msg = "is the same folder as the root of " + o.what
		case pl.elems == nil && o.elems == nil && isWithin(pl.dir, o.dir):
			msg = "is inside the root of " + o.what
		case pl.elems == nil && o.elems == nil:
			msg = "holds the root of " + o.what + " inside it"
		case pl.elems != nil && o.elems == nil:
			msg = "names export files inside the root of " + o.what + ", which lists the export files too"
		case pl.elems == nil:
			msg = "holds files that the files: glob of " + o.what + " matches"
		default:
			msg = "can match the same export files as " + o.what
		}
		k.add(pl.key, fmt.Sprintf("store %q %s (%s and %s): both would list, and could delete, the same files, each without the other's holds and minimums",
			pl.store, msg, shown(pl), shown(o)), fix)
		return
	}
}

// shown is a place as a path, after resolving links.
func shown(p place) string {
	if p.elems == nil {
		return p.dir
	}
	return filepath.Join(append([]string{p.dir}, p.elems...)...)
}

// ownFiles reports a store that would list the files retentiond keeps
// for itself: the state dir (plans, journal, ledger), keys and secrets,
// the policy and the config.
func (k checker) ownFiles(pl place) {
	c := k.c
	var own []place
	file := func(key, path string) {
		if path == "" {
			return
		}
		r := resolve(path)
		own = append(own, place{dir: filepath.Dir(r), elems: []string{escapeMeta(filepath.Base(r))},
			what: fmt.Sprintf("%s (line %d)", key, k.d.pos[key].line)})
	}
	st := place{dir: resolve(c.StateDir), what: "the state_dir"}
	if line := k.d.pos["state_dir"].line; line > 0 {
		st.what += fmt.Sprintf(" (line %d)", line)
	} else {
		st.what += " (default " + DefaultStateDir + ")"
	}
	own = append(own, st)
	file("pseudonym_key_file", c.PseudonymKeyFile)
	file("ledger_key_file", c.LedgerKeyFile)
	file("ledger_verify_key_file", c.LedgerVerifyKeyFile)
	if _, builtin := c.BuiltinPolicy(); !builtin {
		file("policy", c.Policy)
	}
	if r := c.Daemon.Redis; r != nil {
		file("daemon.redis.password_file", r.PasswordFile)
		if t := r.TLS; t != nil {
			file("daemon.redis.tls.key_file", t.KeyFile)
		}
	}
	if l := c.LedgerCopy; l != nil {
		file("ledger_copy.secret_access_key_file", l.SecretAccessKeyFile)
	}
	if m := c.Notify.SMTP; m != nil {
		file("notify.smtp.password_file", m.PasswordFile)
	}
	if w := c.Notify.Webhook; w != nil {
		for _, name := range sortedKeys(w.HeaderFiles) {
			file("notify.webhook.header_files."+name, w.HeaderFiles[name])
		}
	}
	for i, s := range c.Stores {
		p := fmt.Sprintf("stores[%d].", i)
		file(p+"client_secret_file", s.ClientSecretFile)
		file(p+"client_certificate_file", s.ClientCertificateFile)
		file(p+"secret_access_key_file", s.SecretAccessKeyFile)
	}
	if abs, err := filepath.Abs(k.d.file); err == nil {
		r := resolve(abs)
		own = append(own, place{dir: filepath.Dir(r), elems: []string{escapeMeta(filepath.Base(r))}, what: "the config file itself"})
	}
	var hit []string
	for _, o := range own {
		if overlap(pl, o) {
			hit = append(hit, o.what)
		}
	}
	if len(hit) > 0 {
		k.add(pl.key, fmt.Sprintf("store %q would list retentiond's own files (%s holds or is inside %s): a plan could delete or expose them",
			pl.store, shown(pl), strings.Join(hit, ", ")),
			"keep the state_dir, keys, secrets and the config outside every store's root and files: glob, or give the store a folder that holds records only")
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

// overlap reports whether some path lies in both places: for two roots,
// one is inside the other; for a root and a glob, the glob can match a
// path below the root; for two globs, both can match the same path.
func overlap(a, b place) bool {
	if rel, ok := within(b.dir, a.dir); ok {
		return reaches(a, rel, b)
	}
	if rel, ok := within(a.dir, b.dir); ok {
		return reaches(b, rel, a)
	}
	return false
}

// reaches reports whether outer, whose folder holds inner's folder at the
// path rel (nil when they are the same folder), can list a path inner
// lists.
func reaches(outer place, rel []string, inner place) bool {
	if outer.elems == nil {
		return true // everything below outer.dir, so all inner lists
	}
	if len(outer.elems) < len(rel) {
		return false
	}
	for i, r := range rel {
		if !patternsMeet(outer.elems[i], escapeMeta(r)) {
			return false
		}
	}
	rest := outer.elems[len(rel):]
	if inner.elems == nil {
		// inner lists everything strictly below its folder.
		return len(rest) > 0
	}
	if len(rest) != len(inner.elems) {
		return false
	}
	for i := range rest {
		if !patternsMeet(rest[i], inner.elems[i]) {
			return false
		}
	}
	return true
}

// within reports whether path is parent or inside it, and the path from
// parent down to it. Paths are compared by component; where both exist
// they are also compared as files, so that a folder reached under
// another spelling (case on macOS, a bind mount's other name resolved
// to the same folder) is found too.
func within(path, parent string) ([]string, bool) {
	pfi, _ := os.Stat(parent)
	var rel []string
	for cur := path; ; {
		if cur == parent {
			return rel, true
		}
		if pfi != nil {
			if fi, err := os.Stat(cur); err == nil && os.SameFile(fi, pfi) {
				return rel, true
			}
		}
		up := filepath.Dir(cur)
		if up == cur {
			return nil, false
		}
		rel = append([]string{filepath.Base(cur)}, rel...)
		cur = up
	}
}

func isWithin(path, parent string) bool {
	_, ok := within(path, parent)
	return ok
}

// resolve makes an absolute path canonical: cleaned, with the symbolic
// links of its longest existing part resolved (the rest, not created
// yet, is kept as written).
func resolve(p string) string {
	p = filepath.Clean(p)
	var rest []string
	for cur := p; ; {
		if r, err := filepath.EvalSymlinks(cur); err == nil {
			if abs, err := filepath.Abs(r); err == nil {
				r = abs
			}
			return filepath.Join(append([]string{r}, rest...)...)
		}
		up := filepath.Dir(cur)
		if up == cur {
			return p
		}
		rest = append([]string{filepath.Base(cur)}, rest...)
		cur = up
	}
}

// splitPattern splits a files: glob into its static folder and the
// pattern elements below it; the last element is always a pattern
// element, as the export store reads it.
func splitPattern(glob string) (string, []string) {
	clean := filepath.Clean(glob)
	vol := filepath.VolumeName(clean)
	parts := strings.Split(filepath.ToSlash(clean[len(vol):]), "/")
	k := len(parts) - 1
	for i, e := range parts {
		if strings.ContainsAny(e, `*?[\`) {
			k = i
			break
		}
	}
	base := vol + filepath.FromSlash(strings.Join(parts[:k], "/"))
	if base == vol {
		base += string(filepath.Separator)
	}
	return base, parts[k:]
}

// escapeMeta makes a file name a pattern that matches only itself.
func escapeMeta(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// s3Overlap refuses an S3 store that lists objects an earlier one lists:
// the same bucket at the same endpoint, and one prefix a prefix of the
// other (S3 prefixes are strings, not folders: "daily" also lists
// "daily-old/").
func (k checker) s3Overlap(j int) {
	b := k.c.Stores[j]
	if b.Bucket == "" {
		return
	}
	if l := k.c.LedgerCopy; l != nil && l.Bucket == b.Bucket && normEndpoint(l.Endpoint) == normEndpoint(b.Endpoint) &&
		(strings.HasPrefix(l.Prefix, b.Prefix) || strings.HasPrefix(b.Prefix, l.Prefix)) {
		key := fmt.Sprintf("stores[%d].bucket", j)
		if b.Prefix != "" {
			key = fmt.Sprintf("stores[%d].prefix", j)
		}
		k.add(key, fmt.Sprintf("store %q lists the ledger's copies (ledger_copy.bucket, line %d): the same bucket at the same endpoint, and prefix %q and %q, one the start of the other",
			b.Name, k.d.pos["ledger_copy.bucket"].line, b.Prefix, l.Prefix),
			"keep the ledger's copies in a bucket (or under a prefix) that no store lists")
		return
	}
	for i := range j {
		a := k.c.Stores[i]
		if a.Type != TypeS3 || a.Bucket != b.Bucket || normEndpoint(a.Endpoint) != normEndpoint(b.Endpoint) {
			continue
		}
		if !strings.HasPrefix(a.Prefix, b.Prefix) && !strings.HasPrefix(b.Prefix, a.Prefix) {
			continue
		}
		keyOf := func(s Store, n int) string {
			if s.Prefix != "" {
				return fmt.Sprintf("stores[%d].prefix", n)
			}
			return fmt.Sprintf("stores[%d].bucket", n)
		}
		other := keyOf(a, i)
		k.add(keyOf(b, j), fmt.Sprintf("store %q lists objects that store %q (%s, line %d) lists too: the same bucket at the same endpoint, and prefix %q and %q, one the start of the other; both could delete the same objects, each without the other's holds and minimums",
			b.Name, a.Name, other, k.d.pos[other].line, b.Prefix, a.Prefix),
			"give the two stores prefixes of which neither starts with the other (such as daily/ and weekly/), or make them one store")
		return
	}
}

// driveOverlap refuses a OneDrive store on a drive an earlier store
// names: a OneDrive store lists its whole drive.
func (k checker) driveOverlap(j int) {
	b := k.c.Stores[j]
	id, key := driveOf(b)
	if id == "" {
		return
	}
	for i := range j {
		a := k.c.Stores[i]
		aid, akey := driveOf(a)
		if a.Type != TypeOneDrive || aid != id || !strings.EqualFold(a.TenantID, b.TenantID) || normEndpoint(a.Endpoint) != normEndpoint(b.Endpoint) {
			continue
		}
		other := fmt.Sprintf("stores[%d].%s", i, akey)
		k.add(fmt.Sprintf("stores[%d].%s", j, key), fmt.Sprintf("store %q names the same drive as store %q (%s, line %d): both would list, and could delete, the same files, each without the other's holds and minimums",
			b.Name, a.Name, other, k.d.pos[other].line),
			"make the two stores one store with the layouts of both")
		return
	}
}

// driveOf is how a OneDrive store names its drive, and the key it uses.
func driveOf(s Store) (string, string) {
	switch {
	case s.DriveID != "":
		return "drive:" + s.DriveID, "drive_id"
	case s.User != "":
		return "user:" + strings.ToLower(s.User), "user"
	case s.Site != "":
		return "site:" + strings.ToLower(s.Site) + "/" + strings.ToLower(s.Library), "site"
	}
	return "", ""
}

// normEndpoint compares endpoints as URLs: scheme and host in any case,
// without a trailing slash.
func normEndpoint(e string) string {
	u, err := url.Parse(strings.TrimSpace(e))
	if err != nil || u.Host == "" {
		return strings.ToLower(strings.TrimRight(e, "/"))
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host) + strings.TrimRight(u.EscapedPath(), "/")
}

// StoreListing returns the local store that would list a file written
// into the folder dir (resolved through links): a localfs or icloud store
// whose root holds dir, or an export store whose files: glob can match a
// file in dir. key is the config key naming the root or glob. ok is false
// when no store would.
func (c *Config) StoreListing(dir string) (store, key string, ok bool) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	out := resolve(abs)
	for i, s := range c.Stores {
		switch s.Type {
		case TypeLocalFS, TypeICloud:
			if s.Root != "" && isWithin(out, resolve(s.Root)) {
				return s.Name, fmt.Sprintf("stores[%d].root", i), true
			}
		case TypeExport:
			if s.Files == "" {
				continue
			}
			base, elems := splitPattern(s.Files)
			rel, in := within(out, resolve(base))
			if in && len(elems) > len(rel) && reaches(place{elems: elems}, rel, place{dir: out}) {
				return s.Name, fmt.Sprintf("stores[%d].files", i), true
			}
		}
	}
	return "", "", false
}
