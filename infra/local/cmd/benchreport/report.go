package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// IsBaseline says whether a benchmark is a yardstick: its name contains "Baseline".
func IsBaseline(name string) bool { return strings.Contains(name, "Baseline") }

// Pairing is the baseline a benchmark's ratio is taken against.
type Pairing struct {
	// Baseline is the baseline benchmark, nil when the package has none.
	Baseline *Result
	// Fallback says no baseline fitted by name, so the package's first one was taken.
	Fallback bool
}

// PairBaseline chooses the baseline for the benchmark name among a package's baselines:
//   - BenchmarkBaselineX or BenchmarkXBaseline pairs with BenchmarkX and its sub-benchmarks
//     (BenchmarkBaselinePlan20 with BenchmarkPlan20, BenchmarkRoutingTableBaseline/json with
//     BenchmarkRoutingTable/raw), the longest shared sub-benchmark path first;
//   - otherwise a baseline's key, the first sub-benchmark of a BenchmarkBaseline group or the X of
//     BenchmarkBaselineX, pairs with a benchmark whose name contains it, ignoring case
//     (BenchmarkBaseline/1KB/json-unmarshal with BenchmarkParseEvent/1KB), the longest key first;
//   - otherwise the package's first baseline, with Fallback set.
func PairBaseline(name string, baselines []*Result) Pairing {
	if len(baselines) == 0 {
		return Pairing{}
	}
	segs := strings.Split(name, "/")
	lname := strings.ToLower(strings.TrimPrefix(name, "Benchmark"))
	best, bestScore := baselines[0], 0
	for _, b := range baselines {
		bsegs := strings.Split(b.Name, "/")
		top := strings.Replace(bsegs[0], "Baseline", "", 1)
		key := strings.TrimPrefix(top, "Benchmark")
		if key == "" && len(bsegs) > 1 {
			key = bsegs[1] // a BenchmarkBaseline group: its sub-benchmarks name what they measure
		}
		score := 0
		switch {
		case key != "" && top == segs[0] && top != "Benchmark":
			score = 1000 + commonPrefix(bsegs[1:], segs[1:])
		case key != "" && strings.Contains(lname, strings.ToLower(key)):
			score = 100 + len(key)
		}
		if score > bestScore {
			best, bestScore = b, score
		}
	}
	return Pairing{Baseline: best, Fallback: bestScore == 0}
}

func commonPrefix(a, b []string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// Render writes one table per package: ns/op, B/op, allocs/op, the ratio of ns/op to the
// baseline's ns/op measured in the same run and which baseline that is, and every other metric
// the benchmark reported (MB/s, b.ReportMetric units).
func Render(w io.Writer, rep *Report) error {
	total := 0
	for _, p := range rep.Packages {
		total += len(p.Results)
	}
	fmt.Fprintf(w, "\n===== benchreport: %d benchmarks in %d packages; vs-baseline = ns/op / the baseline's ns/op in this run\n", total, len(rep.Packages))
	for _, p := range rep.Packages {
		var baselines []*Result
		for _, r := range p.Results {
			if IsBaseline(r.Name) {
				baselines = append(baselines, r)
			}
		}
		fmt.Fprintf(w, "\n%s\n", p.Path)
		// Names are padded to one width so that the right-aligning tabwriter leaves them flush left.
		width := len("benchmark")
		for _, r := range p.Results {
			width = max(width, len(short(r.Name)))
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "%-*s\tns/op\tB/op\tallocs/op\tvs-baseline\t\n", width, "benchmark")
		for _, r := range p.Results {
			ratio, against := "", ""
			switch {
			case IsBaseline(r.Name):
				ratio, against = "1", "(baseline)"
			case len(baselines) == 0:
				ratio, against = "-", "(no baseline in package)"
			default:
				pr := PairBaseline(r.Name, baselines)
				against = "vs " + short(pr.Baseline.Name)
				if pr.Fallback {
					against += " (first baseline)"
				}
				ratio = "-"
				ns, ok1 := r.Get("ns/op")
				bns, ok2 := pr.Baseline.Get("ns/op")
				if ok1 && ok2 && bns > 0 {
					ratio = formatRatio(ns / bns)
				}
			}
			var other []string
			for _, m := range r.Metrics {
				switch m.Unit {
				case "ns/op", "B/op", "allocs/op":
				default:
					other = append(other, formatNum(m.Value)+" "+m.Unit)
				}
			}
			if r.Runs > 1 {
				other = append(other, fmt.Sprintf("(mean of %d runs)", r.Runs))
			}
			// The last two columns are text: they go after the right-aligned cells, unaligned.
			line := fmt.Sprintf("%-*s\t%s\t%s\t%s\t%s\t  %s  %s", width, short(r.Name), metric(r, "ns/op"), metric(r, "B/op"),
				metric(r, "allocs/op"), ratio, against, strings.Join(other, "  "))
			fmt.Fprintln(tw, strings.TrimRight(line, " "))
		}
		if err := tw.Flush(); err != nil {
			return fmt.Errorf("write table: %w", err)
		}
	}
	if len(rep.Failures) > 0 {
		fmt.Fprintf(w, "\nFAILURES (%d):\n", len(rep.Failures))
		for _, f := range rep.Failures {
			fmt.Fprintf(w, "  %s\n", f)
		}
	}
	return nil
}

func short(name string) string { return strings.TrimPrefix(name, "Benchmark") }

func metric(r *Result, unit string) string {
	v, ok := r.Get(unit)
	if !ok {
		return "-"
	}
	return formatNum(v)
}

// formatNum prints about three significant digits without an exponent for everyday sizes.
func formatNum(v float64) string {
	a := v
	if a < 0 {
		a = -a
	}
	switch {
	case a == 0:
		return "0"
	case a >= 1e15:
		return fmt.Sprintf("%.3g", v)
	case v == float64(int64(v)):
		return fmt.Sprintf("%d", int64(v)) // whole numbers as go test printed them
	case a >= 1000:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	case a >= 0.01:
		return fmt.Sprintf("%.2f", v)
	default:
		return fmt.Sprintf("%.3g", v)
	}
}

func formatRatio(x float64) string {
	switch {
	case x >= 100:
		return fmt.Sprintf("%.0fx", x)
	case x >= 10:
		return fmt.Sprintf("%.1fx", x)
	default:
		return fmt.Sprintf("%.2fx", x)
	}
}
