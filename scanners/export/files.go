package export

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/retentiond/retentiond/scanners"
)

// Formats the store reads, by file extension.
const (
	formatCSV   = "csv"
	formatXLSX  = "xlsx"
	formatJSON  = "json"
	formatJSONL = "jsonl"
)

// formatOf says how a file is read, from its extension (in any case).
func formatOf(name string) (string, bool) {
	switch strings.ToLower(path.Ext(name)) {
	case ".csv":
		return formatCSV, true
	case ".xlsx":
		return formatXLSX, true
	case ".json":
		return formatJSON, true
	case ".jsonl", ".ndjson":
		return formatJSONL, true
	}
	return "", false
}

// splitGlob splits a glob into its static base folder and the pattern
// elements below it. The last element is always a pattern element, also
// when it holds no wildcard, so that the base is a folder.
func splitGlob(glob string) (base string, elems []string, err error) {
	if strings.TrimSpace(glob) == "" {
		return "", nil, errors.New("export: files is empty; fix: set files: to a glob of the export files, such as exports/konnect/dagboek-*.csv")
	}
	clean := filepath.Clean(glob)
	// Split into elements from the end; what is left is "/", a volume or "".
	var all []string
	rest := clean
	for {
		dir, file := filepath.Split(rest)
		if file == "" {
			rest = dir
			break
		}
		all = append([]string{file}, all...)
		if dir == "" {
			rest = ""
			break
		}
		d := filepath.Clean(dir)
		if d == dir && filepath.Dir(d) == d {
			rest = d // a root: "/" or "C:\"
			break
		}
		rest = d
	}
	if len(all) == 0 {
		return "", nil, fmt.Errorf("export: files %q names no file; fix: set files: to a glob of the export files, such as exports/konnect/dagboek-*.csv", glob)
	}
	k := slices.IndexFunc(all, hasMeta)
	if k < 0 {
		k = len(all) - 1
	}
	for _, e := range all[k:] {
		if _, err := filepath.Match(e, ""); err != nil {
			return "", nil, fmt.Errorf("export: files %q is not a valid glob: %w", glob, err)
		}
	}
	base = filepath.Join(append([]string{rest}, all[:k]...)...)
	if base == "" {
		base = "."
	}
	return base, all[k:], nil
}

func hasMeta(s string) bool { return strings.ContainsAny(s, `*?[\`) }

// isClutter reports names that are never exports: dotfiles (also this
// store's own temporary files) and Office lock files.
func isClutter(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "~$")
}

// match lists the files the glob matches now, as slash-separated paths
// relative to the base folder, sorted. It walks the pattern one element at
// a time through the root with Lstat, so it never follows a symbolic link
// (links are skipped, as are folders and special files), and, unlike
// filepath.Glob, it returns the errors it meets reading folders.
func (s *Store) match(ctx context.Context) ([]string, error) {
	var out []string
	var walk func(dir string, i int) error
	walk = func(dir string, i int) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		elem, last := s.pattern[i], i == len(s.pattern)-1
		var names []string
		if hasMeta(elem) {
			f, err := s.root.Open(nativeOrDot(dir))
			if err != nil {
				return listErr(dir, err)
			}
			all, err := f.Readdirnames(-1)
			f.Close()
			if err != nil {
				return listErr(dir, err)
			}
			for _, n := range all {
				if ok, _ := filepath.Match(elem, n); ok {
					names = append(names, n)
				}
			}
			slices.Sort(names)
		} else {
			names = []string{elem}
		}
		for _, n := range names {
			rel := joinRel(dir, n)
			fi, err := s.root.Lstat(filepath.FromSlash(rel))
			switch {
			case errors.Is(err, fs.ErrNotExist) && !hasMeta(elem):
				continue
			case err != nil:
				return listErr(dir, err)
			case fi.Mode()&fs.ModeSymlink != 0:
				continue
			case !last && fi.IsDir():
				if err := walk(rel, i+1); err != nil {
					return err
				}
			case last && fi.Mode().IsRegular() && !isClutter(n):
				out = append(out, rel)
			}
		}
		return nil
	}
	if err := walk("", 0); err != nil {
		return nil, err
	}
	return out, nil
}

func nativeOrDot(rel string) string {
	if rel == "" {
		return "."
	}
	return filepath.FromSlash(rel)
}

func joinRel(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// listErr wraps an error met while matching the glob. The folder is named
// relative to the base: export folders are named after systems and years,
// not people.
func listErr(dir string, err error) error {
	where := "the base folder"
	if dir != "" {
		where = strconv.Quote(dir)
	}
	return fmt.Errorf("export: reading %s: %w; the listing is incomplete, so nothing in this store will be acted on", where, bare(err))
}

// matches reports whether rel is a file the glob can match, so that Stat,
// Open and Rewrite act only on the store's own files.
func (s *Store) matches(rel string) bool {
	elems := strings.Split(rel, "/")
	if len(elems) != len(s.pattern) {
		return false
	}
	for i, e := range elems {
		if ok, _ := filepath.Match(s.pattern[i], e); !ok {
			return false
		}
	}
	return !isClutter(elems[len(elems)-1])
}

// checkFile checks that rel names one of the store's files, in a way that
// cannot leave the base folder.
func (s *Store) checkFile(rel string) error {
	if _, err := scanners.CleanID(rel); err != nil {
		return err
	}
	for _, e := range strings.Split(rel, "/") {
		if filepath.Base(e) != e || !filepath.IsLocal(e) {
			return fmt.Errorf("invalid record id: an element is not a plain file name on this system: %w", scanners.ErrOutsideRoot)
		}
	}
	if !s.matches(rel) {
		return fmt.Errorf("export: the file is not one of those the store's files: glob matches: %w", scanners.ErrNotFound)
	}
	if _, ok := formatOf(rel); !ok {
		return fmt.Errorf("export: the file is not a .csv, .xlsx, .json, .jsonl or .ndjson file: %w", scanners.ErrNotFound)
	}
	return nil
}

// lstatFile checks every folder on rel's path and the file itself with
// Lstat, refusing symbolic links, and returns what Lstat said of the file.
func (s *Store) lstatFile(rel string) (fs.FileInfo, error) {
	elems := strings.Split(rel, "/")
	for i := 1; i < len(elems); i++ {
		fi, err := s.root.Lstat(filepath.FromSlash(strings.Join(elems[:i], "/")))
		switch {
		case err != nil:
			return nil, err
		case fi.Mode()&fs.ModeSymlink != 0:
			return nil, fmt.Errorf("a folder in its path is a symbolic link, which the store does not follow: %w", scanners.ErrOutsideRoot)
		case !fi.IsDir():
			return nil, fmt.Errorf("a folder in its path is a file: %w", scanners.ErrNotFound)
		}
	}
	fi, err := s.root.Lstat(filepath.FromSlash(rel))
	switch {
	case err != nil:
		return nil, err
	case fi.Mode()&fs.ModeSymlink != 0:
		return nil, fmt.Errorf("it is a symbolic link, which the store does not follow: %w", scanners.ErrOutsideRoot)
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("it is not a regular file: %w", scanners.ErrNotFound)
	}
	return fi, nil
}

// openFile opens rel for reading after lstatFile, and checks that what it
// opened is the file Lstat saw (not a link swapped in since).
func (s *Store) openFile(rel string) (*os.File, fs.FileInfo, error) {
	fi, err := s.lstatFile(rel)
	if err != nil {
		return nil, nil, err
	}
	f, err := s.root.OpenFile(filepath.FromSlash(rel), os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err == nil && (!os.SameFile(st, fi) || !st.Mode().IsRegular()) {
		err = fmt.Errorf("it was replaced while being opened (by a symbolic link?): %w", scanners.ErrOutsideRoot)
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, st, nil
}

// version is the file's size and mtime in nanoseconds, as localfs writes
// it: "s1234-m1700000000123456789".
func version(fi fs.FileInfo) string {
	return "s" + strconv.FormatInt(fi.Size(), 10) + "-m" + strconv.FormatInt(fi.ModTime().UnixNano(), 10)
}

func fileRecord(rel string, fi fs.FileInfo) scanners.Record {
	return scanners.Record{ID: rel, Kind: scanners.KindFile, Size: fi.Size(), ModTime: fi.ModTime(), Version: version(fi)}
}

// bare strips the path from an os error: the path is in our own words.
func bare(err error) error {
	for {
		switch e := err.(type) {
		case *fs.PathError:
			err = e.Err
		case *os.LinkError:
			err = e.Err
		default:
			return err
		}
	}
}

// fileErr wraps an error on file rel, mapping "no such file" to
// scanners.ErrNotFound.
func fileErr(op, rel string, err error) error {
	return fmt.Errorf("export: %s %s: %w", op, rel, osErr(err))
}

// osErr strips the path from an os error and maps "no such file" to
// scanners.ErrNotFound.
func osErr(err error) error {
	err = bare(err)
	if errors.Is(err, fs.ErrNotExist) {
		return scanners.ErrNotFound
	}
	return err
}
