package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/retentiond/retentiond/rules"
)

// child is one row of kinderen.csv and what the stores hold about it.
type child struct {
	id                  string
	name                name
	birth, start, end   rules.Date // end zero: still in care; start zero: not started
	waiting, deregister bool
	group, location     string
	folder              string // OneDrive folder name; "" if none
	scripted            bool   // an awkward case: kept out of random picks
}

// ref is the last day the child was in care, or the day before asOf.
func (c *child) ref(last rules.Date) rules.Date {
	if c.end.IsZero() {
		return last
	}
	return c.end
}

type parent struct {
	id    string
	name  name
	child *child
}

type employee struct {
	id         string
	name       name
	function   string
	start, end rules.Date
	conflict   string // "ja", "nee" or "" as the export has it
	textDates  bool   // dates typed as text, not Excel dates
}

type applicant struct {
	id                   string
	name                 name
	vacancy              string
	closed, consentUntil rules.Date
	hired                bool
}

type intern struct {
	id, school string
	name       name
	start, end rules.Date
	hired      bool
}

type volunteer struct {
	id, role        string
	name            name
	start, departed rules.Date
}

// org is the made-up organisation.
type org struct {
	asOf, last rules.Date // last: the day before asOf, the latest date any document has
	r          *rand.Rand
	names      *namer
	children   []*child
	parents    []*parent
	employees  []*employee
	applicants []*applicant
	interns    []*intern
	volunteers []*volunteer
}

// Sizes of the organisation.
const (
	nChildren      = 300
	nCurrentChild  = 100
	nNotStarted    = 2 // on the waiting list, never in care yet
	nEmployees     = 60
	nLeftEmployees = 22
	nApplicants    = 80
	nInterns       = 15
	nVolunteers    = 10
)

func newOrg(asOf rules.Date, seed uint64) *org {
	// The second PCG word is fixed so that a seed alone picks the demo.
	r := rand.New(rand.NewPCG(seed, 0x5a6f6e6e65626c6f))
	o := &org{asOf: asOf, last: asOf.AddDays(-1), r: r, names: newNamer(r)}
	o.makeChildren()
	o.makeParents()
	o.makeApplicants()
	o.makeInterns()
	o.makeVolunteers()
	o.makeEmployees()
	return o
}

func (o *org) makeChildren() {
	a := o.asOf
	scripted := []*child{
		{name: name{"Anna", surname{"van den", "Berg"}}, end: lastOfMonth(a.AddMonths(-29)), folder: "Berg, Anna van den"},
		{name: name{"Zoë", surname{"de", "Vries"}}, end: lastOfMonth(a.AddMonths(-11)), folder: "Zoe de Vries"},
		{name: name{"Piet", surname{"", "Jansen"}}, folder: "Jansen, Piet"},
		// C2: the parents asked to keep these on the waiting list or
		// deregistered them temporarily, long after care ended.
		{name: name{"Sören", surname{"", "Bakker"}}, end: a.AddMonths(-27), waiting: true, folder: "Bakker, Sören"},
		{name: name{"Inès", surname{"van der", "Meer"}}, end: lastOfMonth(a.AddMonths(-38)), waiting: true, folder: "Meer, Inès van der"},
		{name: name{"Noë", surname{"'t", "Hart"}}, end: a.AddMonths(-26), deregister: true, folder: "Hart, Noë 't"},
		// C1 due today and due tomorrow.
		{name: name{"Chloë", surname{"", "Visser"}}, end: triggerFor(a, 24), folder: "Visser, Chloë"},
		{name: name{"Luuk", surname{"ter", "Horst"}}, end: triggerFor(a.AddDays(1), 24), folder: "Luuk ter Horst"},
		// Two children with the same name share one folder: ambiguous.
		{name: name{"Daan", surname{"de", "Jong"}}, end: lastOfMonth(a.AddMonths(-36)), folder: "Jong, Daan de"},
		{name: name{"Daan", surname{"de", "Jong"}}, folder: "Jong, Daan de"},
	}
	current := 0
	for _, c := range scripted {
		c.scripted = true
		o.names.take(c.name)
		o.life(c)
		if c.end.IsZero() {
			current++
		}
	}
	o.children = scripted
	for i := len(scripted); i < nChildren-nNotStarted; i++ {
		c := &child{name: o.names.pick(childFirst, nil)}
		if current < nCurrentChild {
			current++
		} else {
			c.end = between(o.r, a.AddMonths(-120).AddDays(1), o.last)
			if e := lastOfMonth(c.end); o.r.IntN(10) < 6 && !e.After(o.last) {
				c.end = e
			}
		}
		o.life(c)
		o.children = append(o.children, c)
	}
	for range nNotStarted {
		c := &child{name: o.names.pick(childFirst, nil), waiting: true, location: "Zonnebloem Centrum"}
		c.birth = between(o.r, a.AddMonths(-10), a.AddMonths(-2))
		o.children = append(o.children, c)
	}
	// Numbers follow the start of care, as an administration system hands
	// them out; those not yet started come last.
	slices.SortStableFunc(o.children, func(x, y *child) int {
		if x.start.IsZero() != y.start.IsZero() {
			if x.start.IsZero() {
				return 1
			}
			return -1
		}
		return x.start.Compare(y.start)
	})
	n := 1000
	for _, c := range o.children {
		n += 1 + o.r.IntN(3)
		c.id = fmt.Sprint(n)
	}
	o.chooseFolders()
}

// life fills in birth, start, group and location backwards from the end of
// care: most children are in day care until about their fourth birthday,
// the others in out-of-school care (BSO) from four to twelve.
func (o *org) life(c *child) {
	ref := c.ref(o.last)
	if o.r.IntN(10) < 7 {
		age := 120 + o.r.IntN(4*365-150)
		if !c.end.IsZero() && o.r.IntN(10) < 6 {
			age = 4*365 - o.r.IntN(20) // left for primary school
		}
		c.birth = ref.AddDays(-age)
		c.start = minDate(c.birth.AddDays(90+o.r.IntN(275)), ref.AddDays(-60))
		c.location = []string{"Zonnebloem Centrum", "Zonnebloem Noord"}[o.r.IntN(2)]
		switch {
		case age < 550:
			c.group = "Baby's"
		case age < 900:
			c.group = "Dreumesen"
		default:
			c.group = "Peuters"
		}
		return
	}
	c.birth = ref.AddDays(-(5*365 + o.r.IntN(7*365)))
	c.start = between(o.r, c.birth.AddMonths(48), ref.AddDays(-90))
	c.location, c.group = "BSO Zonnestraal", []string{"BSO Kikkers", "BSO Vossen"}[o.r.IntN(2)]
}

// chooseFolders decides which children have a OneDrive folder and how it
// is written: mostly "Achternaam, Voornaam tussenvoegsel", sometimes
// "Voornaam Achternaam", now and then in another case or without accents.
func (o *org) chooseFolders() {
	old := o.asOf.AddMonths(-72)
	for _, c := range o.children {
		if c.scripted || c.start.IsZero() || (!c.end.IsZero() && c.end.Before(old) && o.r.IntN(20) != 0) {
			continue
		}
		switch k := o.r.IntN(20); {
		case k < 2:
			c.folder = strings.ToLower(c.name.filed())
		case k < 6 && plain(c.name.full()) != c.name.full():
			c.folder = plain(c.name.full())
		case k < 15:
			c.folder = c.name.filed()
		default:
			c.folder = c.name.full()
		}
	}
}

func (o *org) makeParents() {
	n := 5000
	for _, c := range o.children {
		count := 1
		if o.r.IntN(10) < 4 {
			count = 2
		}
		for i := range count {
			var sur *surname
			if i == 0 && o.r.IntN(10) < 8 {
				sur = &c.name.surname
			}
			n += 1 + o.r.IntN(2)
			o.parents = append(o.parents, &parent{id: fmt.Sprint(n), name: o.names.pick(adultFirst, sur), child: c})
		}
	}
}

var vacancies = []string{
	"Pedagogisch medewerker dagopvang", "Pedagogisch medewerker BSO", "Groepshulp",
	"Locatiemanager", "Administratief medewerker", "Pedagogisch coach",
}

func (o *org) makeApplicants() {
	a := o.asOf
	for i := range nApplicants {
		p := &applicant{name: o.names.pick(adultFirst, nil), vacancy: vacancies[o.r.IntN(len(vacancies))]}
		switch {
		case i < 3: // hired: they are in medewerkers too
			p.closed, p.hired = between(o.r, a.AddMonths(-24), a.AddMonths(-2)), true
		case i == 3: // consented, then renewed the consent a year later
			p.closed = between(o.r, a.AddMonths(-23), a.AddMonths(-13))
			p.consentUntil = p.closed.AddMonths(24)
		case i < 18:
			p.closed = between(o.r, a.AddMonths(-24), o.last)
			p.consentUntil = p.closed.AddMonths(12)
		default:
			p.closed = between(o.r, a.AddMonths(-24), o.last)
		}
		o.applicants = append(o.applicants, p)
	}
	slices.SortStableFunc(o.applicants, func(x, y *applicant) int { return x.closed.Compare(y.closed) })
	seq := map[int]int{}
	for _, p := range o.applicants {
		seq[p.closed.Year]++
		p.id = fmt.Sprintf("%d-%03d", p.closed.Year, seq[p.closed.Year])
	}
}

var schools = []string{
	"ROC Midden Nederland, PW niveau 3", "ROC Midden Nederland, PW niveau 4",
	"Hogeschool Utrecht, Pedagogiek", "ROC van Amsterdam, Onderwijsassistent",
}

func (o *org) makeInterns() {
	a := o.asOf
	for i := range nInterns {
		p := &intern{name: o.names.pick(adultFirst, nil), school: schools[o.r.IntN(len(schools))]}
		switch {
		case i < 2: // hired after the internship
			p.end, p.hired = between(o.r, a.AddMonths(-36), a.AddMonths(-2)), true
		case i < 4: // still here
			p.start = between(o.r, a.AddMonths(-5), a.AddMonths(-1))
		default:
			p.end = between(o.r, a.AddMonths(-36), o.last)
		}
		if !p.end.IsZero() {
			p.start = p.end.AddMonths(-(3 + o.r.IntN(8)))
		}
		o.interns = append(o.interns, p)
	}
	slices.SortStableFunc(o.interns, func(x, y *intern) int { return x.start.Compare(y.start) })
	for i, p := range o.interns {
		p.id = fmt.Sprintf("ST%03d", 101+i)
	}
}

var roles = []string{"Voorlezen", "Moestuin", "Klussen", "Uitstapjes", "Muziek"}

func (o *org) makeVolunteers() {
	a := o.asOf
	for i := range nVolunteers {
		v := &volunteer{name: o.names.pick(adultFirst, nil), role: roles[o.r.IntN(len(roles))]}
		v.start = between(o.r, a.AddMonths(-96), a.AddMonths(-3))
		if i < 4 {
			v.departed = between(o.r, maxDate(v.start.AddMonths(2), a.AddMonths(-48)), o.last)
		}
		o.volunteers = append(o.volunteers, v)
	}
	for i, v := range o.volunteers {
		v.id = fmt.Sprintf("V%02d", i+1)
	}
}

var functions = []string{
	"Pedagogisch medewerker", "Pedagogisch medewerker", "Pedagogisch medewerker",
	"Groepshulp", "Locatiemanager", "Administratief medewerker", "Kok", "Pedagogisch coach",
}

func (o *org) makeEmployees() {
	a := o.asOf
	add := func(n name, start, end rules.Date, conflict string) *employee {
		e := &employee{name: n, function: functions[o.r.IntN(len(functions))], start: start, end: end, conflict: conflict}
		o.employees = append(o.employees, e)
		return e
	}
	for _, p := range o.applicants {
		if p.hired {
			add(p.name, minDate(p.closed.AddDays(14+o.r.IntN(28)), o.last), rules.Date{}, "")
		}
	}
	for _, p := range o.interns {
		if p.hired {
			add(p.name, minDate(p.end.AddDays(1+o.r.IntN(30)), o.last), rules.Date{}, "")
		}
	}
	leftAt := func(end rules.Date) rules.Date { return end.AddDays(-(365 + o.r.IntN(8*365))) }
	// S2: ended in a labour conflict more than two years ago (kept ten
	// years) and less than a year ago; S1: ended over two years ago without.
	end := between(o.r, a.AddMonths(-60), a.AddMonths(-36))
	add(o.names.pick(adultFirst, nil), leftAt(end), end, "ja")
	end = between(o.r, a.AddMonths(-10), a.AddMonths(-4))
	add(o.names.pick(adultFirst, nil), leftAt(end), end, "ja")
	end = between(o.r, a.AddMonths(-40), a.AddMonths(-30))
	add(o.names.pick(adultFirst, nil), leftAt(end), end, "nee").textDates = true
	for range nLeftEmployees - 3 {
		end := between(o.r, a.AddMonths(-120), o.last)
		add(o.names.pick(adultFirst, nil), leftAt(end), end, []string{"nee", "nee", ""}[o.r.IntN(3)])
	}
	for len(o.employees) < nEmployees {
		add(o.names.pick(adultFirst, nil), between(o.r, a.AddMonths(-180), a.AddMonths(-2)), rules.Date{}, "")
	}
	// A few rows whose dates someone typed in as text.
	for _, i := range []int{8, 20, 40} {
		o.employees[i].textDates = true
	}
	slices.SortStableFunc(o.employees, func(x, y *employee) int { return x.start.Compare(y.start) })
	n := 10000
	for _, e := range o.employees {
		n += 1 + o.r.IntN(4)
		e.id = fmt.Sprint(n)
	}
}
