// Package examples holds example configs for the five organisations whose
// privacy policies the built-in policy comes from (seeds 000-004), each in
// its own folder with made-up registries and store contents, so that
// `retentiond validate` and `retentiond plan` run on them as they are. It
// has no code: its tests check that each config loads and that its plan
// shows the organisation's own rules.
package examples
