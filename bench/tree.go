package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// asOf is the date the benchmark plans as of, fixed so that runs compare.
const asOf = "2026-11-23"

const filesPerChild = 20

var subdirs = []string{"", "Contracten", "Medisch", "Observaties"}

// base is the moment the tree's dates count from.
var base = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// treeMark is the file in the bench folder that says the tree of files
// under data/ is complete, and of how many files.
const treeMark = "tree-files"

// dueChild says whether child i left care long enough ago that its
// dossier is due, for due percent of the children: i·due mod 100 < due
// holds for exactly due of every 100/gcd(due,100) consecutive i, spread
// over the range (at 25 it is every fourth child, at 5 every twentieth).
func dueChild(i, due int) bool { return i*due%100 < due }

// registry writes exports/kinderen-DUE.csv, the registry in which due
// percent of the children left care 3 to 6 years ago (their dossiers are
// due), a quarter of the others left a year ago (kept) and the rest are
// in care, and the config retentiond-DUE.yaml that plans the tree with it.
// It returns the config's path. At due 25 the registry is the one the
// bench has always used.
func registry(dir string, n, due int) (string, error) {
	children := (n + filesPerChild - 1) / filesPerChild
	if err := os.MkdirAll(filepath.Join(dir, "exports"), 0o755); err != nil {
		return "", err
	}
	name := fmt.Sprintf("kinderen-%d.csv", due)
	reg, err := os.Create(filepath.Join(dir, "exports", name))
	if err != nil {
		return "", err
	}
	w := bufio.NewWriter(reg)
	fmt.Fprintln(w, "Kindnummer;Naam;Einddatum opvang;Wachtlijst")
	for i := 0; i < children; i++ {
		end := ""
		if dueChild(i, due) { // left 3 to 6 years ago: their dossiers are due
			end = base.AddDate(-3-i%4, -(i % 12), 0).Format("02-01-2006")
		} else if i%4 == 1 { // left a year ago: kept
			end = base.AddDate(-1, 0, -(i % 300)).Format("02-01-2006")
		}
		fmt.Fprintf(w, "K%07d;%s;%s;nee\n", i, childName(i), end)
	}
	if err := w.Flush(); err != nil {
		return "", err
	}
	if err := reg.Close(); err != nil {
		return "", err
	}
	cfg := filepath.Join(dir, fmt.Sprintf("retentiond-%d.yaml", due))
	text := fmt.Sprintf(configText, due, name)
	return cfg, os.WriteFile(cfg, []byte(text), 0o644)
}

// generate writes a tree of n empty files under dir/data, then marks it
// complete.
func generate(dir string, n int) error {
	children := (n + filesPerChild - 1) / filesPerChild
	root := filepath.Join(dir, "data")
	mtime := base.AddDate(-5, 0, 0)
	made := 0
	for i := 0; i < children && made < n; i++ {
		cdir := filepath.Join(root, folderName(i))
		for _, s := range subdirs {
			if err := os.MkdirAll(filepath.Join(cdir, s), 0o755); err != nil {
				return err
			}
		}
		for j := 0; j < filesPerChild && made < n; j++ {
			p := filepath.Join(cdir, subdirs[j%len(subdirs)], fmt.Sprintf("document-%02d.pdf", j))
			if err := os.WriteFile(p, nil, 0o644); err != nil {
				return err
			}
			// Documents are written on different days, as a dossier's are:
			// a plan must not gain from files that share their date.
			mt := mtime.AddDate(0, 0, -((i*31 + j*7) % 365))
			if err := os.Chtimes(p, mt, mt); err != nil {
				return err
			}
			made++
		}
	}
	return os.WriteFile(filepath.Join(dir, treeMark), []byte(treeKind(n)+"\n"), 0o644)
}

// treeKind names a tree of n files as this generator makes it; a tree
// an earlier generator made (all files of one date) is made again.
func treeKind(n int) string { return strconv.Itoa(n) + " files, dates spread over a year" }

// haveTree says whether dir holds a complete tree of n files.
func haveTree(dir string, n int) bool {
	b, err := os.ReadFile(filepath.Join(dir, treeMark))
	return err == nil && strings.TrimSpace(string(b)) == treeKind(n)
}

var firstNames = []string{"Anna", "Daan", "Zoë", "Sem", "Lotte", "Finn", "Noor", "Luuk", "Inès", "Bram", "Sophie", "Jesse", "Chloë", "Milan", "Evi", "Thijs"}
var surnames = []string{"Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Dijk", "ter Horst"}

// childName is unique per i: the number goes in as a syllable-free suffix
// of the surname so that no two children share a name.
func childName(i int) string {
	return fmt.Sprintf("%s %s%s", firstNames[i%len(firstNames)], surnames[(i/len(firstNames))%len(surnames)], suffix(i))
}

// folderName writes the child's name "Achternaam, Voornaam" as offices do.
func folderName(i int) string {
	return fmt.Sprintf("%s%s, %s", surnames[(i/len(firstNames))%len(surnames)], suffix(i), firstNames[i%len(firstNames)])
}

// suffix makes a letters-only tag from i, since names never hold digits.
func suffix(i int) string {
	i /= len(firstNames) * len(surnames)
	s := []byte{'-'}
	for {
		s = append(s, byte('a'+i%26))
		i /= 26
		if i == 0 {
			break
		}
	}
	return string(s)
}

const configText = `organisation: Benchmark
policy: builtin:kinderopvang-nl
state_dir: state-%d
registries:
  - name: kinderen
    subject: child
    file: exports/%s
    columns: {id: Kindnummer, name: Naam, end_of_care: Einddatum opvang, waiting_list: Wachtlijst}
stores:
  - name: dossiers
    type: localfs
    root: data
    layout:
      - path: "{child.name}/Contracten/**"
        category: contract
      - path: "{child.name}/Medisch/**"
        category: health
      - path: "{child.name}/**"
        category: child-dossier
`
