package classify

import "strings"

// A layout whose template ends in "/**" ("{child.name}/Contracten/**")
// says the same of every file of a folder: what comes before the last
// "/**" matches whole path elements (no part of a template matches a
// "/"), so whether it matches, and what its placeholders capture, depend
// on the folder alone, as long as the file's name is one that ".+"
// matches (not empty, no newline). A scan lists a folder's files one
// after the other, so Folder lets it match such layouts once per folder
// instead of once per file: the regular expressions were a large part of
// planning a big tree.

// Folder remembers what the folder-only layouts of a Classifier said of
// the last folder matched. The zero Folder is ready to use; it is for one
// goroutine.
type Folder struct {
	c       *Classifier
	dir     string
	have    bool
	results []folderResult
}

type folderResult struct {
	known bool
	ok    bool
	m     Match
}

// MatchIn is Match, remembering in f what the folder-only layouts said of
// path's folder for the next file of the same folder. A nil f remembers
// nothing.
func (c *Classifier) MatchIn(f *Folder, path string) (Match, bool) {
	slash := strings.LastIndexByte(path, '/')
	if f == nil || slash <= 0 || slash == len(path)-1 || strings.IndexByte(path[slash+1:], '\n') >= 0 {
		return c.Match(path)
	}
	if dir := path[:slash]; !f.have || f.dir != dir || f.c != c {
		f.c, f.dir, f.have = c, dir, true
		f.results = append(f.results[:0], make([]folderResult, len(c.layouts))...)
	}
	for i := range c.layouts {
		if !c.layouts[i].folder {
			if m, ok := c.matchOne(i, path); ok {
				return m, true
			}
			continue
		}
		r := &f.results[i]
		if !r.known {
			r.m, r.ok = c.matchOne(i, path)
			r.known = true
		}
		if r.ok {
			return r.m, true
		}
	}
	return Match{}, false
}
