// Command benchreport reads `go test -bench` output on stdin, copies it to stdout as it
// arrives, and then prints a table per package with ns/op, B/op, allocs/op, every custom
// metric, and each benchmark's ratio to a baseline of its package measured in the same run
// (a baseline is a benchmark whose name contains "Baseline"). It exits 1 when the output
// reports a failure. `make bench` pipes every module's benchmarks into it.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

func run(args []string, in io.Reader, out io.Writer) error {
	fs := flag.NewFlagSet("benchreport", flag.ContinueOnError)
	quiet := fs.Bool("q", false, "print only the tables, not the input")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var p Parser
	var dst io.Writer = &p
	if !*quiet {
		dst = io.MultiWriter(out, &p)
	}
	if _, err := io.Copy(dst, in); err != nil {
		return fmt.Errorf("read benchmark output: %w", err)
	}
	rep := p.Report()
	if len(rep.Packages) == 0 && len(rep.Failures) == 0 {
		fmt.Fprintln(out, "\nbenchreport: no benchmark results in the input")
		return nil
	}
	if err := Render(out, rep); err != nil {
		return err
	}
	if len(rep.Failures) > 0 {
		return fmt.Errorf("%d failure lines in the benchmark output", len(rep.Failures))
	}
	return nil
}
