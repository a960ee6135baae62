package main

import (
	"bytes"
	"strconv"
	"strings"
)

// Metric is one value a benchmark reported, such as 1234 ns/op or 5600 events/s.
type Metric struct {
	// Value is the mean over the runs of the benchmark.
	Value float64
	// Unit is the unit as printed, such as "ns/op", "B/op" or a b.ReportMetric unit.
	Unit string
}

// Result is one benchmark of one package, averaged over its runs (go test -count).
type Result struct {
	// Name is the full name without the GOMAXPROCS suffix, such as "BenchmarkMatch/raw".
	Name string
	// Iterations is the b.N of the last run.
	Iterations int64
	// Runs is how many result lines the benchmark had.
	Runs int
	// Metrics are the reported values in the order go test printed them.
	Metrics []Metric
}

// Get returns the value of the metric with the given unit.
func (r *Result) Get(unit string) (float64, bool) {
	for _, m := range r.Metrics {
		if m.Unit == unit {
			return m.Value, true
		}
	}
	return 0, false
}

// Package is the benchmarks of one Go package, in the order they ran.
type Package struct {
	// Path is the import path from the "pkg:" line.
	Path string
	// Results are the package's benchmarks.
	Results []*Result
}

// Report is everything read from go test -bench output.
type Report struct {
	// Packages are the packages with at least one benchmark, in the order they ran.
	Packages []*Package
	// Failures are the lines that said something failed (--- FAIL, FAIL, panic, build errors).
	Failures []string
}

// Parser reads go test -bench output written to it, line by line, and builds a Report. It is
// an io.Writer so that it can sit beside the terminal in an io.MultiWriter; it never fails.
type Parser struct {
	partial []byte
	pkg     *Package
	byName  map[string]*Result // results of pkg by printed name
	pending string             // a benchmark name whose results did not follow on its line
	report  Report
}

// Write takes any chunk of the output; lines are parsed as they complete.
func (p *Parser) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			p.partial = append(p.partial, b...)
			break
		}
		if len(p.partial) > 0 {
			p.partial = append(p.partial, b[:i]...)
			p.line(string(p.partial))
			p.partial = p.partial[:0]
		} else {
			p.line(string(b[:i]))
		}
		b = b[i+1:]
	}
	return n, nil
}

// Report parses any unterminated last line and returns what was read.
func (p *Parser) Report() *Report {
	if len(p.partial) > 0 {
		p.line(string(p.partial))
		p.partial = nil
	}
	p.endPackage()
	return &p.report
}

func (p *Parser) line(s string) {
	s = strings.TrimRight(s, "\r")
	switch {
	case strings.HasPrefix(s, "pkg: "):
		p.endPackage()
		p.pkg = &Package{Path: strings.TrimSpace(strings.TrimPrefix(s, "pkg: "))}
		p.byName = map[string]*Result{}
		return
	case strings.HasPrefix(s, "--- FAIL"), strings.HasPrefix(s, "FAIL\t"), strings.HasPrefix(s, "panic: "),
		strings.HasSuffix(s, "[build failed]"), strings.HasSuffix(s, "[setup failed]"):
		p.report.Failures = append(p.report.Failures, strings.TrimSpace(s))
		p.pending = ""
		return
	case strings.HasPrefix(s, "ok  \t"), s == "PASS", s == "FAIL":
		p.pending = ""
		return
	}
	f := strings.Fields(s)
	if len(f) == 0 {
		return
	}
	if strings.HasPrefix(f[0], "Benchmark") {
		if n, ms, ok := parseResults(f[1:]); ok {
			p.add(f[0], n, ms)
			p.pending = ""
		} else {
			// The name is printed before the benchmark runs; output it wrote to the terminal
			// meanwhile pushes the results onto a later line.
			p.pending = f[0]
		}
		return
	}
	if p.pending != "" {
		if n, ms, ok := parseResults(f); ok {
			p.add(p.pending, n, ms)
			p.pending = ""
		}
	}
}

// parseResults parses "<iterations> <value> <unit> <value> <unit>...".
func parseResults(f []string) (int64, []Metric, bool) {
	if len(f) < 3 || len(f)%2 == 0 {
		return 0, nil, false
	}
	n, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil || n <= 0 {
		return 0, nil, false
	}
	ms := make([]Metric, 0, len(f)/2)
	for i := 1; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return 0, nil, false
		}
		ms = append(ms, Metric{Value: v, Unit: f[i+1]})
	}
	return n, ms, true
}

func (p *Parser) add(name string, n int64, ms []Metric) {
	if p.pkg == nil {
		p.pkg = &Package{Path: "(unknown package)"}
		p.byName = map[string]*Result{}
	}
	r := p.byName[name]
	if r == nil {
		r = &Result{Name: name}
		p.byName[name] = r
		p.pkg.Results = append(p.pkg.Results, r)
	}
	r.Iterations = n
	r.Runs++
	for _, m := range ms {
		found := false
		for i := range r.Metrics {
			if r.Metrics[i].Unit == m.Unit {
				// running mean over the runs
				r.Metrics[i].Value += (m.Value - r.Metrics[i].Value) / float64(r.Runs)
				found = true
				break
			}
		}
		if !found {
			r.Metrics = append(r.Metrics, m)
		}
	}
}

// endPackage keeps the current package if it had benchmarks, and strips the "-N" GOMAXPROCS
// suffix from the names when every benchmark of the package carries the same one (a sub-benchmark
// may itself end in "-<digits>" when GOMAXPROCS is 1 and no suffix is printed).
func (p *Parser) endPackage() {
	p.pending = ""
	if p.pkg == nil || len(p.pkg.Results) == 0 {
		p.pkg = nil
		return
	}
	suffix := ""
	for i, r := range p.pkg.Results {
		s := procsSuffix(r.Name)
		if s == "" || (i > 0 && s != suffix) {
			suffix = ""
			break
		}
		suffix = s
	}
	if suffix != "" {
		for _, r := range p.pkg.Results {
			r.Name = strings.TrimSuffix(r.Name, suffix)
		}
	}
	p.report.Packages = append(p.report.Packages, p.pkg)
	p.pkg = nil
}

// procsSuffix returns the trailing "-<digits>" of name, or "".
func procsSuffix(name string) string {
	i := strings.LastIndexByte(name, '-')
	if i < 0 || i == len(name)-1 {
		return ""
	}
	for _, c := range name[i+1:] {
		if c < '0' || c > '9' {
			return ""
		}
	}
	return name[i:]
}
