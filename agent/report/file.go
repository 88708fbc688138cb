package report

import (
	"bufio"
	"io"
	"os"
)

// FileMode is the mode of every plan file: they hold personal data.
const FileMode = 0o600

// partialSuffix marks a plan file being written; it gets its final name
// only when the plan is complete, so that no half-written plan can be
// mistaken for a whole one and approved.
const partialSuffix = ".partial"

// planFile is a plan file written through a buffer, whose content since
// the last mark can be discarded (a store whose listing failed must leave
// no trace in the plan) and which is renamed into place when done.
type planFile struct {
	f     *os.File
	path  string
	w     *bufio.Writer
	n     int64 // bytes handed to f
	mark  int64
	err   error
	state any // the writer's state at the mark, restored by discard
}

// newPlanFile removes any earlier file at path, so that a stale plan can
// never stand beside a new one, and creates path+".partial" with FileMode.
func newPlanFile(path string) (*planFile, error) {
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	f, err := os.OpenFile(path+partialSuffix, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, FileMode)
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(FileMode); err != nil {
		f.Close()
		return nil, err
	}
	pf := &planFile{f: f, path: path}
	pf.w = bufio.NewWriterSize(countWriter{pf}, 1<<16)
	return pf, nil
}

type countWriter struct{ pf *planFile }

func (c countWriter) Write(b []byte) (int, error) {
	n, err := c.pf.f.Write(b)
	c.pf.n += int64(n)
	return n, err
}

func (p *planFile) Write(b []byte) (int, error) { return p.w.Write(b) }

func (p *planFile) WriteString(s string) (int, error) { return p.w.WriteString(s) }

// setMark makes everything written so far final.
func (p *planFile) setMark(state any) {
	p.mark = p.n + int64(p.w.Buffered())
	p.state = state
}

// discard drops everything written since the mark and returns the state
// saved with it.
func (p *planFile) discard() (any, error) {
	if err := p.w.Flush(); err != nil {
		return nil, err
	}
	if err := p.f.Truncate(p.mark); err != nil {
		return nil, err
	}
	if _, err := p.f.Seek(p.mark, io.SeekStart); err != nil {
		return nil, err
	}
	p.n = p.mark
	return p.state, nil
}

// finish flushes, syncs, closes and renames the file into place.
func (p *planFile) finish() error {
	err := p.w.Flush()
	if err == nil {
		err = p.f.Sync()
	}
	if cerr := p.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(p.f.Name())
		return err
	}
	return os.Rename(p.f.Name(), p.path)
}

// abandon closes and removes the partial file.
func (p *planFile) abandon() {
	p.f.Close()
	os.Remove(p.f.Name())
}

// abandonAll removes the file whether it is still partial or was put in
// place already.
func (p *planFile) abandonAll() {
	p.abandon()
	os.Remove(p.path)
}

func (j *JSON) abandonAll() { j.pf.abandonAll() }
func (c *CSV) abandonAll()  { c.pf.abandonAll() }
func (h *HTML) abandonAll() {
	os.Remove(h.path + partialSuffix)
	os.Remove(h.path)
}
