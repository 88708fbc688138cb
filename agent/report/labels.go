package report

import (
	"regexp"
	"slices"
	"strings"

	"github.com/retentiond/retentiond/rules"
)

// The words people read instead of the codes plan.json and the config use
// (a record's kind, a store's type, an action). Every writer for people —
// plan.csv, report.html, the access package's index, the answer letter —
// takes them from here, so that a code never reaches an administrator or a
// data subject and one thing is called the same everywhere.

// kindNames are the record kinds (scanners.Kind) in words.
var kindNames = map[string]map[string]string{
	"en": {"file": "file", "placeholder": "file in iCloud only (not downloaded)", "archive": "zip archive",
		"archive-entry": "file in a zip archive", "row": "export row"},
	"nl": {"file": "bestand", "placeholder": "bestand alleen in iCloud (niet gedownload)", "archive": "archief (zip)",
		"archive-entry": "bestand in een archief (zip)", "row": "exportregel"},
}

// KindName returns a record kind ("file", "row", "archive", …) in words in
// lang ("nl" unless "en"); an unknown kind is returned as it is.
func KindName(kind, l string) string {
	if n, ok := kindNames[lang(l)][kind]; ok {
		return n
	}
	return kind
}

// storeTypeNames are the store types of the config in words.
var storeTypeNames = map[string]map[string]string{
	"en": {"localfs": "folder on the server", "icloud": "iCloud Drive", "onedrive": "OneDrive / SharePoint",
		"s3": "S3 object storage", "export": "export of an application"},
	"nl": {"localfs": "map op de server", "icloud": "iCloud Drive", "onedrive": "OneDrive / SharePoint",
		"s3": "S3-objectopslag", "export": "export uit een applicatie"},
}

// StoreTypeName returns a store type of the config ("localfs", "export",
// …) in words in lang; an unknown type is returned as it is.
func StoreTypeName(typ, l string) string {
	if n, ok := storeTypeNames[lang(l)][typ]; ok {
		return n
	}
	return typ
}

// ActionName returns an action in words in lang ("verwijderen", "delete").
func ActionName(a rules.Action, l string) string {
	if n, ok := actionNames[lang(l)][a]; ok {
		return n
	}
	return string(a)
}

// CategoryName returns a category in words in lang, "" for none.
func CategoryName(c rules.Category, l string) string {
	if c == "" {
		return ""
	}
	return rules.CategoryName(c, lang(l))
}

// DateText writes an ISO date (YYYY-MM-DD) as people of lang write it:
// dd-mm-yyyy in Dutch, unchanged in English. Anything else is returned as
// it is.
func DateText(iso, l string) string {
	if lang(l) != "nl" || len(iso) != 10 || iso[4] != '-' || iso[7] != '-' {
		return iso
	}
	return iso[8:10] + "-" + iso[5:7] + "-" + iso[0:4]
}

// placeholderRe finds a layout placeholder a reason quotes ("add a
// {child.id} placeholder to the layout", "een {child.id} in de indeling"),
// with the article and the word "placeholder" around it if present.
var placeholderRe = regexp.MustCompile(`(?:\b(?:a|een) )?\{([a-z]+)\.(id|name)\}(?: placeholder\b)?`)

// placeholderWords say a placeholder in words: with an article ("a …")
// and without.
var placeholderWords = map[string]map[string][2]string{
	"en": {"id": {"a placeholder for the %s's number", "the %s's number"}, "name": {"a placeholder for the %s's name", "the %s's name"}},
	"nl": {"id": {"een plaatshouder voor het nummer (%s)", "het nummer (%s)"}, "name": {"een plaatshouder voor de naam (%s)", "de naam (%s)"}},
}

// Readable replaces the layout placeholders a reason may quote
// ({child.id}, {employee.name}) by words, so that no code reaches the
// reader: "add a {child.id} placeholder to the layout" reads "add a
// placeholder for the child's number to the layout". A brace that is no
// placeholder of a known subject type is left alone.
func Readable(s, l string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	l = lang(l)
	return placeholderRe.ReplaceAllStringFunc(s, func(m string) string {
		sub := placeholderRe.FindStringSubmatch(m)
		typ := rules.SubjectType(sub[1])
		name := rules.SubjectName(typ, l)
		if name == string(typ) && !slices.Contains(rules.SubjectTypes, typ) {
			return m
		}
		w := placeholderWords[l][sub[2]]
		article := strings.HasPrefix(m, "a ") || strings.HasPrefix(m, "een ")
		if article {
			return strings.Replace(w[0], "%s", name, 1)
		}
		return strings.Replace(w[1], "%s", name, 1)
	})
}

// fates say what happens to a record, to the person it is about (an
// access package's index): with the day (%s) and without.
var fates = map[string]map[rules.Action][2]string{
	"en": {
		rules.Delete:       {"will be deleted (its term ended on %s)", "will be deleted"},
		rules.Pseudonymise: {"will be pseudonymised (its term ended on %s)", "will be pseudonymised"},
		rules.Keep:         {"kept until %s", "kept (its term has not started yet)"},
		rules.Hold:         {"kept until %s (a legal duty or hold)", "kept (a legal duty or hold)"},
		rules.Review:       {"a member of staff will decide", "a member of staff will decide"},
	},
	"nl": {
		rules.Delete:       {"wordt verwijderd (de termijn liep af op %s)", "wordt verwijderd"},
		rules.Pseudonymise: {"wordt gepseudonimiseerd (de termijn liep af op %s)", "wordt gepseudonimiseerd"},
		rules.Keep:         {"bewaard tot %s", "bewaard (de termijn is nog niet begonnen)"},
		rules.Hold:         {"bewaard tot %s (wettelijke plicht of vastgehouden)", "bewaard (wettelijke plicht of vastgehouden)"},
		rules.Review:       {"een medewerker beslist hierover", "een medewerker beslist hierover"},
	},
}

// Fate says in words, to the person a record is about, what happens to
// it: action a, due on the ISO day due ("" when not known), in lang.
func Fate(a rules.Action, due, l string) string {
	f, ok := fates[lang(l)][a]
	if !ok {
		return ActionName(a, l)
	}
	if d := DateText(due, l); d != "" {
		return strings.Replace(f[0], "%s", d, 1)
	}
	return f[1]
}
