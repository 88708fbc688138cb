package plan

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
)

// spoolMem is how many items a spool holds in memory before it spills to a
// temporary file, so that memory stays bounded however many items a store
// yields.
const spoolMem = 2048

// spool holds one store's items until the store's listing has completed:
// only then may they reach the plan.
type spool struct {
	dir  string
	mem  []*Item
	file *os.File
	w    *bufio.Writer
	enc  *json.Encoder
	err  error
}

func newSpool(dir string) *spool { return &spool{dir: dir} }

func (s *spool) add(it *Item) error {
	if s.err != nil {
		return s.err
	}
	if s.file == nil && len(s.mem) < spoolMem {
		s.mem = append(s.mem, it)
		return nil
	}
	if s.file == nil {
		f, err := os.CreateTemp(s.dir, "retentiond-spool-*.jsonl")
		if err != nil {
			s.err = err
			return err
		}
		s.file, s.w = f, bufio.NewWriterSize(f, 1<<16)
		s.enc = json.NewEncoder(s.w)
		for _, m := range s.mem {
			if err := s.enc.Encode(m); err != nil {
				s.err = err
				return err
			}
		}
		s.mem = nil
	}
	if err := s.enc.Encode(it); err != nil {
		s.err = err
	}
	return s.err
}

// replay sends every spooled item to fn, in the order they were added.
func (s *spool) replay(fn func(*Item) error) error {
	if s.err != nil {
		return s.err
	}
	if s.file == nil {
		for _, it := range s.mem {
			if err := fn(it); err != nil {
				return err
			}
		}
		return nil
	}
	if err := s.w.Flush(); err != nil {
		return err
	}
	if _, err := s.file.Seek(0, io.SeekStart); err != nil {
		return err
	}
	dec := json.NewDecoder(bufio.NewReaderSize(s.file, 1<<16))
	for {
		it := new(Item)
		err := dec.Decode(it)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(it); err != nil {
			return err
		}
	}
}

func (s *spool) close() {
	if s.file != nil {
		name := s.file.Name()
		s.file.Close()
		os.Remove(name)
	}
	s.mem = nil
}
