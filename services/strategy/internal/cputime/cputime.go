// Package cputime measures the process's CPU time, so benchmarks can report cpu-ns/op, a figure
// that does not grow when other processes compete for the cores.
package cputime

import "testing"

// Report starts measuring; call the returned function after the benchmark loop to add the
// cpu-ns/op metric.
func Report(b *testing.B) func() {
	start := Process()
	return func() {
		if d := Process() - start; d > 0 && b.N > 0 {
			b.ReportMetric(float64(d.Nanoseconds())/float64(b.N), "cpu-ns/op")
		}
	}
}
