package graphtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// t0 is a fixed modification time for seeded files.
var t0 = time.Date(2019, 3, 4, 10, 30, 0, 0, time.UTC)

// client calls a Server with plain net/http and a bearer token.
type client struct {
	t     *testing.T
	s     *Server
	token string
}

func newClient(t *testing.T, opts Options) (*Server, *client) {
	t.Helper()
	s := NewServer(t, opts)
	return s, &client{t: t, s: s, token: s.IssueToken()}
}

// reply is a decoded response.
type reply struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

// do sends a request; path is relative to /v1.0 unless it is a full URL.
func (c *client) do(method, path string, body []byte, header map[string]string) reply {
	c.t.Helper()
	u := path
	if !strings.HasPrefix(path, "http") {
		u = c.s.GraphURL() + path
	}
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	hc := c.s.Client()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	r := reply{status: resp.StatusCode, header: resp.Header, raw: raw}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			c.t.Fatalf("%s %s: decoding %q: %v", method, path, raw, err)
		}
	}
	return r
}

func (c *client) get(path string) reply {
	c.t.Helper()
	return c.do(http.MethodGet, path, nil, nil)
}

// want checks the status of a reply.
func (r reply) want(t *testing.T, status int) reply {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.raw)
	}
	return r
}

// errCode is error.code of an error body.
func (r reply) errCode() string {
	e, _ := r.body["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

// values is the "value" array of a collection.
func (r reply) values() []map[string]any {
	var out []map[string]any
	for _, v := range r.body["value"].([]any) {
		out = append(out, v.(map[string]any))
	}
	return out
}

func (r reply) str(key string) string {
	s, _ := r.body[key].(string)
	return s
}

// field digs a string out of nested objects: field(m, "parentReference", "id").
func field(m map[string]any, keys ...string) any {
	var v any = m
	for _, k := range keys {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[k]
	}
	return v
}

// names lists the "name" (or, for deleted items, "id") of items.
func names(items []map[string]any) []string {
	var out []string
	for _, it := range items {
		if n, ok := it["name"].(string); ok {
			out = append(out, n)
		} else {
			out = append(out, "deleted:"+it["id"].(string))
		}
	}
	return out
}
