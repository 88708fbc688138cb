package notify

import (
	"encoding/json"
	"strings"
	"time"
)

// PayloadVersion is the version of the JSON webhook payload. Fields are
// only ever added; a change to an existing one raises the version.
const PayloadVersion = 1

// payload is the JSON webhook body. Its field names are a contract with
// whatever receives the hook (n8n, Home Assistant, a ticket system), so
// it is a type of its own rather than Event with tags.
type payload struct {
	Version      int            `json:"version"`
	Kind         string         `json:"kind"`
	Organisation string         `json:"organisation,omitempty"`
	Store        string         `json:"store,omitempty"`
	Counts       map[string]int `json:"counts"`
	Report       string         `json:"report,omitempty"`
	Plan         string         `json:"plan,omitempty"`
	PlanPath     string         `json:"plan_path,omitempty"`
	ConfigPath   string         `json:"config_path,omitempty"`
	PlanURL      string         `json:"plan_url,omitempty"`    // the plan's page in the console
	RequestURL   string         `json:"request_url,omitempty"` // the request's page in the console
	Error        string         `json:"error,omitempty"`
	Time         string         `json:"time"` // RFC 3339, in the event's zone
	Lang         string         `json:"lang"`
	Subject      string         `json:"subject"`
	Text         string         `json:"text"` // the rendered body without signature; Mattermost and others show it as is
}

// encode writes a checked and normalised event in the given format.
func encode(format string, e Event, m Message) ([]byte, error) {
	switch format {
	case FormatSlack:
		return json.Marshal(map[string]string{"text": slackEscape("*" + m.Subject + "*\n\n" + chatBody(m.Body))})
	case FormatTeams:
		return json.Marshal(teamsCard(m))
	}
	counts := e.Counts
	if counts == nil {
		counts = map[string]int{}
	}
	return json.Marshal(payload{
		Version: PayloadVersion, Kind: e.Kind, Organisation: e.Organisation, Store: e.Store,
		Counts: counts, Report: e.Report, Plan: e.Plan, PlanPath: e.PlanPath, ConfigPath: e.ConfigPath,
		PlanURL: ConsoleLink(e.Console, PagePlan, e.PlanID), RequestURL: ConsoleLink(e.Console, PageRequest, e.Request),
		Error: e.Error, Time: e.Time.Format(time.RFC3339), Lang: e.Lang, Subject: m.Subject, Text: chatBody(m.Body),
	})
}

// chatBody drops the e-mail signature, which reads oddly in a chat.
func chatBody(body string) string {
	body, _, _ = strings.Cut(body, "\n-- \n")
	return strings.TrimRight(body, "\n")
}

// slackEscape escapes the three characters Slack's mrkdwn treats as markup.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// teamsCard wraps the message in an Adaptive Card, the only format Teams
// Workflows webhooks accept. Each line is its own TextBlock so that line
// breaks survive; indented lines (counts, the approve command) are set in
// a monospace font so that they stay aligned.
func teamsCard(m Message) map[string]any {
	blocks := []map[string]any{{"type": "TextBlock", "text": m.Subject, "weight": "Bolder", "wrap": true}}
	gap := true
	for _, line := range strings.Split(chatBody(m.Body), "\n") {
		if strings.TrimSpace(line) == "" {
			gap = true
			continue
		}
		b := map[string]any{"type": "TextBlock", "text": line, "wrap": true}
		if !gap {
			b["spacing"] = "None"
		}
		if strings.HasPrefix(line, " ") {
			b["fontType"] = "Monospace"
		}
		blocks = append(blocks, b)
		gap = false
	}
	return map[string]any{
		"type": "message",
		"attachments": []any{map[string]any{
			"contentType": "application/vnd.microsoft.card.adaptive",
			"content": map[string]any{
				"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
				"type":    "AdaptiveCard",
				"version": "1.4",
				"body":    blocks,
			},
		}},
	}
}
