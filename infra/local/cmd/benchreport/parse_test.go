package main

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// parse feeds s to a Parser in chunks of the given size (0: all at once).
func parse(s string, chunk int) *Report {
	var p Parser
	if chunk <= 0 {
		chunk = len(s) + 1
	}
	for i := 0; i < len(s); i += chunk {
		_, _ = p.Write([]byte(s[i:min(i+chunk, len(s))]))
	}
	return p.Report()
}

const twoPackages = `goos: linux
goarch: amd64
pkg: example.com/a
cpu: Some CPU
BenchmarkBaseline/json-2         	   10000	      1000 ns/op	  15.95 MB/s	    6000 B/op	     139 allocs/op
BenchmarkMatch/raw-2             	  100000	       250.5 ns/op	       0 B/op	       0 allocs/op
PASS
ok  	example.com/a	1.234s
?   	example.com/nobench	[no test files]
ok  	example.com/notests	0.010s [no tests to run]
goos: linux
goarch: amd64
pkg: example.com/b
BenchmarkPutEvents/batch=10-2    	     500	   2000000 ns/op	     5000 events/s	       310 p50-µs	      1200 p99-µs	   40000 B/op	     300 allocs/op
PASS
ok  	example.com/b	3.1s
`

func TestParse(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		want  *Report
		chunk []int
	}{
		{
			name: "two packages, custom metrics, packages without benchmarks skipped",
			in:   twoPackages,
			want: &Report{Packages: []*Package{
				{Path: "example.com/a", Results: []*Result{
					{Name: "BenchmarkBaseline/json", Iterations: 10000, Runs: 1, Metrics: []Metric{{1000, "ns/op"}, {15.95, "MB/s"}, {6000, "B/op"}, {139, "allocs/op"}}},
					{Name: "BenchmarkMatch/raw", Iterations: 100000, Runs: 1, Metrics: []Metric{{250.5, "ns/op"}, {0, "B/op"}, {0, "allocs/op"}}},
				}},
				{Path: "example.com/b", Results: []*Result{
					{Name: "BenchmarkPutEvents/batch=10", Iterations: 500, Runs: 1, Metrics: []Metric{{2e6, "ns/op"}, {5000, "events/s"}, {310, "p50-µs"}, {1200, "p99-µs"}, {40000, "B/op"}, {300, "allocs/op"}}},
				}},
			}},
		},
		{
			name: "-count 2 is averaged",
			in: "pkg: p\n" +
				"BenchmarkX-4 \t 100\t 100 ns/op\t 8 B/op\t 1 allocs/op\n" +
				"BenchmarkX-4 \t 200\t 300 ns/op\t 8 B/op\t 1 allocs/op\n",
			want: &Report{Packages: []*Package{{Path: "p", Results: []*Result{
				{Name: "BenchmarkX", Iterations: 200, Runs: 2, Metrics: []Metric{{200, "ns/op"}, {8, "B/op"}, {1, "allocs/op"}}},
			}}}},
		},
		{
			name: "log output between the name and the results",
			in: "pkg: p\n" +
				"BenchmarkSlow-2   \ttime=2026-11-30T12:00:00Z level=INFO msg=hello\n" +
				"more log 1 2\n" +
				"     50\t  20000 ns/op\n" +
				"--- BENCH: BenchmarkSlow-2\n    x_test.go:10: note\n",
			want: &Report{Packages: []*Package{{Path: "p", Results: []*Result{
				{Name: "BenchmarkSlow", Iterations: 50, Runs: 1, Metrics: []Metric{{20000, "ns/op"}}},
			}}}},
		},
		{
			name: "GOMAXPROCS=1: no suffix, a sub-benchmark's own -digits kept",
			in: "pkg: p\n" +
				"BenchmarkScale/n-10 \t 100\t 100 ns/op\n" +
				"BenchmarkScale/n-100 \t 100\t 900 ns/op\n",
			want: &Report{Packages: []*Package{{Path: "p", Results: []*Result{
				{Name: "BenchmarkScale/n-10", Iterations: 100, Runs: 1, Metrics: []Metric{{100, "ns/op"}}},
				{Name: "BenchmarkScale/n-100", Iterations: 100, Runs: 1, Metrics: []Metric{{900, "ns/op"}}},
			}}}},
		},
		{
			name: "failures are collected, CRLF and a missing last newline tolerated",
			in: "pkg: p\r\n" +
				"BenchmarkOK-2 \t 10\t 5 ns/op\r\n" +
				"--- FAIL: BenchmarkBad-2\n" +
				"    bad_test.go:3: boom\n" +
				"FAIL\n" +
				"FAIL\tp\t0.5s\n" +
				"FAIL\tq [build failed]\n" +
				"panic: oops",
			want: &Report{
				Packages: []*Package{{Path: "p", Results: []*Result{
					{Name: "BenchmarkOK", Iterations: 10, Runs: 1, Metrics: []Metric{{5, "ns/op"}}},
				}}},
				Failures: []string{"--- FAIL: BenchmarkBad-2", "FAIL\tp\t0.5s", "FAIL\tq [build failed]", "panic: oops"},
			},
		},
		{
			name: "lines that only look like results",
			in: "pkg: p\n" +
				"BenchmarkNoResults-2\n" +
				"ok  \tp\t1s\n" +
				"12 ns/op\n" +
				"BenchmarkOdd-2 \t 10\t 5 ns/op\t 7\n" +
				"BenchmarkZero-2 \t 0\t 5 ns/op\n" +
				"BenchmarkNaN-2 \t 10\t five ns/op\n",
			want: &Report{},
		},
		{
			name: "no pkg line",
			in:   "BenchmarkX \t 10\t 5 ns/op\n",
			want: &Report{Packages: []*Package{{Path: "(unknown package)", Results: []*Result{
				{Name: "BenchmarkX", Iterations: 10, Runs: 1, Metrics: []Metric{{5, "ns/op"}}},
			}}}},
		},
		{name: "empty", in: "", want: &Report{}},
	}
	for _, tt := range tests {
		for _, chunk := range []int{0, 1, 7} {
			got := parse(tt.in, chunk)
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(Parser{})); diff != "" {
				t.Errorf("%s (chunks of %d): report differs (-want +got):\n%s", tt.name, chunk, diff)
			}
		}
	}
}

func TestPairBaseline(t *testing.T) {
	res := func(names ...string) []*Result {
		var out []*Result
		for _, n := range names {
			out = append(out, &Result{Name: n})
		}
		return out
	}
	eventpattern := res("BenchmarkBaseline/tiny/naive-unmarshal-walk", "BenchmarkBaseline/1KB/json-unmarshal", "BenchmarkBaseline/routing/naive-unmarshal-walk")
	tests := []struct {
		name      string
		baselines []*Result
		want      string
		fallback  bool
	}{
		{"BenchmarkParseEvent/1KB", eventpattern, "BenchmarkBaseline/1KB/json-unmarshal", false},
		{"BenchmarkRoutingTable/raw", eventpattern, "BenchmarkBaseline/routing/naive-unmarshal-walk", false},
		{"BenchmarkCompile", eventpattern, "BenchmarkBaseline/tiny/naive-unmarshal-walk", true},
		{"BenchmarkPlan20", res("BenchmarkBaselinePlan20"), "BenchmarkBaselinePlan20", false},
		{"BenchmarkEvaluateBundledSet", res("BenchmarkBaselineRSI"), "BenchmarkBaselineRSI", true},
		{"BenchmarkRSIWindow", res("BenchmarkBaselineParse", "BenchmarkBaselineRSI"), "BenchmarkBaselineRSI", false},
		{"BenchmarkPutEventsToHandler/batch=10", res("BenchmarkLoopbackHTTPBaseline"), "BenchmarkLoopbackHTTPBaseline", true},
		{"BenchmarkLoopbackHTTP/keepalive", res("BenchmarkOtherBaseline", "BenchmarkLoopbackHTTPBaseline"), "BenchmarkLoopbackHTTPBaseline", false},
		{"BenchmarkRoutingTable/raw", res("BenchmarkRoutingTableBaseline/map", "BenchmarkRoutingTableBaseline/raw"), "BenchmarkRoutingTableBaseline/raw", false},
		{"BenchmarkRoutingTable/parsed", res("BenchmarkRoutingTableBaseline/map", "BenchmarkRoutingTableBaseline/raw"), "BenchmarkRoutingTableBaseline/map", false},
	}
	for _, tt := range tests {
		got := PairBaseline(tt.name, tt.baselines)
		if got.Baseline == nil || got.Baseline.Name != tt.want || got.Fallback != tt.fallback {
			t.Errorf("PairBaseline(%s) = %+v, want %s (fallback %v)", tt.name, got, tt.want, tt.fallback)
		}
	}
	if got := PairBaseline("BenchmarkX", nil); got.Baseline != nil {
		t.Errorf("no baselines: got %+v", got)
	}
}

func TestRender(t *testing.T) {
	var out bytes.Buffer
	if err := Render(&out, parse(twoPackages, 0)); err != nil {
		t.Fatal(err)
	}
	// Compare with runs of spaces squeezed: the column widths are tabwriter's business.
	var squeezed []string
	for _, l := range strings.Split(out.String(), "\n") {
		squeezed = append(squeezed, strings.Join(strings.Fields(l), " "))
	}
	for _, want := range []string{
		"===== benchreport: 3 benchmarks in 2 packages; vs-baseline = ns/op / the baseline's ns/op in this run",
		"example.com/a",
		"benchmark ns/op B/op allocs/op vs-baseline",
		"Baseline/json 1000 6000 139 1 (baseline) 15.9 MB/s",
		"Match/raw 250.5 0 0 0.25x vs Baseline/json (first baseline)",
		"example.com/b",
		"PutEvents/batch=10 2000000 40000 300 - (no baseline in package) 5000 events/s 310 p50-µs 1200 p99-µs",
	} {
		if !slices.Contains(squeezed, want) {
			t.Errorf("output lacks the line %q:\n%s", want, out.String())
		}
	}
}

func TestRun(t *testing.T) {
	sample, err := os.ReadFile("testdata/sample.txt")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		in       string
		wantErr  bool
		echoed   bool
		contains string
	}{
		{"real output", nil, string(sample), false, true, "RoutingTable/parse+match"},
		{"quiet", []string{"-q"}, string(sample), false, false, "vs RoutingTableBaseline/json-unmarshal-map"},
		{"failure", nil, "pkg: p\nBenchmarkX-2 \t 1\t 1 ns/op\n--- FAIL: BenchmarkY-2\n", true, true, "FAILURES (1)"},
		{"nothing", nil, "?   \tp\t[no test files]\n", false, true, "no benchmark results"},
		{"bad flag", []string{"-nope"}, "", true, false, ""},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		err := run(tt.args, strings.NewReader(tt.in), &out)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: err = %v, want error %v", tt.name, err, tt.wantErr)
		}
		if got := strings.HasPrefix(out.String(), tt.in); tt.in != "" && got != tt.echoed {
			t.Errorf("%s: input passed through = %v, want %v", tt.name, got, tt.echoed)
		}
		if !strings.Contains(out.String(), tt.contains) {
			t.Errorf("%s: output lacks %q:\n%s", tt.name, tt.contains, out.String())
		}
	}
}

func FuzzParser(f *testing.F) {
	f.Add(twoPackages)
	f.Add("pkg: p\nBenchmarkX-2\nlog\n 10\t 5 ns/op\n")
	f.Add("BenchmarkBaseline/a-1 1 1 ns/op\nBenchmarkA-1 1 2 ns/op\n")
	f.Fuzz(func(t *testing.T, in string) {
		rep := parse(in, 3)
		var out bytes.Buffer
		if err := Render(&out, rep); err != nil {
			t.Fatal(err)
		}
		for _, p := range rep.Packages {
			if len(p.Results) == 0 {
				t.Fatalf("package %s kept without results", p.Path)
			}
		}
	})
}
