// Package demo builds a made-up Dutch childcare organisation on disk — its
// registry exports, vendor exports (Kidsadmin, ROSA, Saamn, Konnect, KIJK!,
// Tactiplan), OneDrive and iCloud folders, scanned paper archive and a
// config — so that a new user can try retentiond without a cloud account.
//
// The organisation is generated relative to an as-of date, so that it
// always has items that are due, kept, held and to review, and it is the
// same for the same date and seed. It deliberately holds the awkward cases
// real organisations have: look-alike names, waiting-list holds, labour
// conflicts, iCloud placeholders, zip archives and unlinked clutter. Every
// person in it is invented.
package demo

import (
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/retentiond/retentiond/rules"
)

// MarkerFile is the file, in the demo folder's root, that says the folder
// was made by Generate and may be wiped and rebuilt.
const MarkerFile = ".retentiond-demo"

// ConfigFile is the name of the config Generate writes in the demo folder.
const ConfigFile = "retentiond.yaml"

// config is the demo's config. It is the contract with the plan code and
// its tests: the stores, registries and columns it names are what the
// generator writes. Change both together.
//
//go:embed demo-config.yaml
var config []byte

// generator writes one organisation into one tree.
type generator struct {
	org      *org
	t        *tree
	exported time.Time // when the registries were exported
}

// Generate builds the demo organisation in dir as of asOf and returns the
// path of its config. The same asOf and seed give the same folder, byte for
// byte and to the modification time; no file is dated after the day before
// asOf.
//
// dir is created if missing. If it exists it must be empty or hold a
// previous demo (a MarkerFile in its root), which is wiped first; any
// other folder is refused with an error, and nothing in it is touched.
func Generate(dir string, asOf rules.Date, seed uint64) (configPath string, err error) {
	if asOf.IsZero() {
		return "", errors.New("demo: no as-of date given: pass the date to build the demo for")
	}
	if err := prepare(dir); err != nil {
		return "", err
	}
	o := newOrg(asOf, seed)
	g := &generator{org: o, t: newTree(dir, o.last, o.r)}
	g.exported = time.Date(o.last.Year, o.last.Month, o.last.Day, 18, 30, 0, 0, g.t.loc)
	for _, step := range []func() error{
		g.writeTop, g.writeRegistries, g.writeKinddossiers, g.writeStaff,
		g.writeICloud, g.writeArchief, func() error { return g.writeVendors(seed) }, g.t.flush,
	} {
		if err := step(); err != nil {
			return "", err
		}
	}
	return filepath.Join(dir, ConfigFile), nil
}

// prepare makes dir ready: created, empty, or emptied if it holds a
// previous demo.
func prepare(dir string) error {
	ents, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("demo: cannot create %s: %w", dir, bare(err))
		}
		return nil
	case err != nil:
		return fmt.Errorf("demo: cannot read %s: %w; choose another folder with --dir", dir, bare(err))
	case len(ents) == 0:
		return nil
	}
	if _, err := os.Lstat(filepath.Join(dir, MarkerFile)); err != nil {
		return fmt.Errorf("demo: %s is not empty and holds no earlier demo (no %s file); "+
			"choose a new or empty folder with --dir", dir, MarkerFile)
	}
	for _, e := range ents {
		// RemoveAll does not follow symbolic links out of the folder.
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return fmt.Errorf("demo: cannot clear the earlier demo in %s: %w", dir, bare(err))
		}
	}
	return nil
}

// writeTop writes the marker, the config and the read-me.
func (g *generator) writeTop() error {
	marker := []byte("Made by `retentiond demo`. `retentiond demo` may delete and rebuild this folder.\n")
	for _, f := range []struct {
		name string
		data []byte
	}{{MarkerFile, marker}, {ConfigFile, config}, {"README.txt", []byte(readme)}} {
		if err := g.t.fileAt(f.name, f.data, g.exported); err != nil {
			return err
		}
	}
	return nil
}

const readme = `Kinderopvang De Zonnebloem (demo)
=================================

NEDERLANDS

Deze map is gemaakt door "retentiond demo". Het is een verzonnen
kinderopvangorganisatie om retentiond mee uit te proberen: exports uit de
administratie (exports/), exports van Kidsadmin, ROSA, Saamn, Konnect,
KIJK! en Tactiplan (exports/vendors/), kinddossiers, personeelsdossiers en
sollicitaties in OneDrive, rapportages in iCloud Drive en een gescand
papieren archief (data/). Alle personen, namen en gegevens zijn verzonnen.

In de exports van leveranciers worden regels verwijderd of velden
gepseudonimiseerd (adres, IBAN, e-mail ...), volgens de bewaartermijnen per
gegeven van De Kangoeroe die de config aanzet.

Maak het plan opnieuw (er wordt niets verwijderd of gewijzigd):

    retentiond plan --config retentiond.yaml

"retentiond demo" mag deze map leegmaken en opnieuw opbouwen. Zet hier
dus niets neer dat u wilt bewaren.

ENGLISH

This folder was made by "retentiond demo". It is a made-up childcare
organisation to try retentiond on: exports from the administration system
(exports/), exports of Kidsadmin, ROSA, Saamn, Konnect, KIJK! and Tactiplan
(exports/vendors/), child dossiers, personnel files and applications in
OneDrive, reports in iCloud Drive and a scanned paper archive (data/). All
people, names and data in it are invented.

In the vendor exports, rows are deleted or fields pseudonymised (address,
IBAN, e-mail ...), following De Kangoeroe's terms per field, which the
config enables.

Run the plan again (nothing is deleted or changed):

    retentiond plan --config retentiond.yaml

"retentiond demo" may wipe and rebuild this folder, so keep nothing here
that you want to keep.
`
