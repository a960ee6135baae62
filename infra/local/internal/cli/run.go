package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/infra/local/localcloud"
)

func newRunCmd() *cobra.Command {
	var (
		asOf, state, faults, config string
		seed                        int64
		asJSON, dryRun, verbose     bool
		timeout                     time.Duration
	)
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run one whole trading cycle locally: signals, plan, orders, timeline, email",
		Long: `Starts the local cloud in this process (EventBridge-compatible bus, Lambda host with every
service, Alpaca simulator with a fresh $100,000 paper account, SMTP inbox, SQLite state under
--state), starts one workflow as the schedule would, waits for its end and prints what happened.

By default the simulated market is open on the last trading day of the simulated history, so
the run trades. Exits 0 when the workflow completed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fl, err := localcloud.ParseFaults(faults)
			if err != nil {
				return ExitError{Code: 2, Err: err}
			}
			opts := localcloud.Options{StateDir: state, Seed: seed, Faults: fl, FastRetries: true}
			if asOf != "" {
				d, err := time.ParseInLocation(time.DateOnly, asOf, newYork())
				if err != nil {
					return ExitError{Code: 2, Err: fmt.Errorf("--as-of %q: want YYYY-MM-DD", asOf)}
				}
				opts.AsOf = d.Add(10 * time.Hour) // 10:00 New York time: the market is open
			}
			if verbose {
				opts.FunctionLog = cmd.ErrOrStderr()
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			began := time.Now()
			cloud, err := localcloud.Start(ctx, opts)
			if err != nil {
				return err
			}
			defer cloud.Close()
			mode := "trade"
			if dryRun {
				mode = "dry-run"
			}
			day := cloud.Sim.Now().In(newYork()).Format(time.DateOnly)
			sum, err := cloud.Run(ctx, localcloud.StartCommand{Mode: mode, Trigger: "cli", AsOf: day, Strategies: config})
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				if err := enc.Encode(sum); err != nil {
					return err
				}
			} else {
				render(cmd.OutOrStdout(), sum, cloud.StateDir(), time.Since(began))
			}
			if sum.State != "Completed" {
				return ExitError{Code: 1}
			}
			if !sum.OrderCheck.OK {
				return ExitError{Code: 1, Err: fmt.Errorf("order check failed: %d orders in the simulator log for %d client order IDs, duplicates %v",
					sum.OrderCheck.OrdersInLog, sum.OrderCheck.UniqueClientIDs, sum.OrderCheck.Duplicates)}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&asOf, "as-of", "", "simulated trading day YYYY-MM-DD (default: the last trading day of the history)")
	f.Int64Var(&seed, "seed", 42, "seed of the simulated market data")
	f.StringVar(&config, "config", "", "allocation file of strategies to evaluate (default: the stage's)")
	f.BoolVar(&asJSON, "json", false, "print the summary as JSON")
	f.StringVar(&faults, "faults", "", "inject faults, such as duplicates=3,alpaca5xx=0.2,seed=7")
	f.BoolVar(&dryRun, "dry-run", false, "simulate the orders against the quotes; send nothing to the broker")
	f.StringVar(&state, "state", "var", "state folder (SQLite files and mail)")
	f.BoolVar(&verbose, "verbose", false, "print the functions' logs to stderr")
	f.DurationVar(&timeout, "timeout", 2*time.Minute, "give up after this long")
	return cmd
}

func newYork() *time.Location {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		return time.FixedZone("EST", -5*3600)
	}
	return loc
}

// render prints the summary for people.
func render(w io.Writer, s localcloud.Summary, stateDir string, wall time.Duration) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	mode := strings.ToUpper(s.Mode)
	p("Alchemiser local run %s  (%s, as of %s)\n", s.CorrelationID, mode, s.AsOf)
	if s.Faults != "" {
		p("faults injected: %s\n", s.Faults)
	}

	p("\nSignals\n")
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for _, t := range s.Target {
		fmt.Fprintf(tw, "  %s\t%s\n", t.Symbol, pct(t.Weight))
	}
	tw.Flush()
	for _, st := range s.Strategies {
		p("  %s (%s, weight %s) %s\n", st.Name, st.File, pct(st.Weight), st.Status)
		for _, line := range st.Trace {
			p("      %s\n", line)
		}
		if st.Error != "" {
			p("      error: %s\n", st.Error)
		}
	}

	if s.Plan != nil {
		p("\nPlan %s (equity $%s, cash reserve %s)\n", s.Plan.PlanID, s.Plan.Equity.StringFixed(2), pct(s.Plan.CashReserve))
		tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  symbol\taction\tcurrent\ttarget\tsize\treason")
		for _, it := range s.Plan.Items {
			size := ""
			switch {
			case it.Qty != nil:
				size = it.Qty.String() + " sh"
			case it.Notional != nil:
				size = "$" + it.Notional.StringFixed(2)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", it.Symbol, it.Action, pct(it.CurrentWeight), pct(it.TargetWeight), size, it.Reason)
		}
		tw.Flush()
		for _, n := range s.Plan.Notes {
			p("  note: %s\n", n)
		}
	}

	if s.Execution != nil {
		p("\nOrders: %s", s.Execution.Outcome)
		if s.Execution.Reason != "" {
			p(" (%s)", s.Execution.Reason)
		}
		p("\n")
		tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  symbol\tside\tstatus\tfilled\tavg price\tclient order id")
		for _, o := range s.Execution.Orders {
			avg := "-"
			if o.AvgPrice != nil {
				avg = "$" + o.AvgPrice.StringFixed(2)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", o.Symbol, o.Side, o.Status, o.FilledQty.String(), avg, o.ClientOrderID)
		}
		tw.Flush()
	}
	c := s.OrderCheck
	verdict := "OK: no duplicate order"
	if !c.OK {
		verdict = fmt.Sprintf("FAILED: duplicates %v, matches execution %v", c.Duplicates, c.MatchesExecution)
	}
	p("  order-log check: %d orders in the simulator's log, %d client order IDs: %s\n", c.OrdersInLog, c.UniqueClientIDs, verdict)

	p("\nTimeline\n")
	tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  +ms\thop ms\tevent\tsource\trules\tdeliveries")
	for _, h := range s.Timeline {
		fmt.Fprintf(tw, "  %.1f\t%.1f\t%s\t%s\t%s\t%d\n", h.SinceStart, h.HopMS, h.EventType, h.Source, strings.Join(h.Rules, ","), h.Deliveries)
	}
	tw.Flush()
	if s.DeadLetters > 0 {
		p("  dead letters: %d (alchemiser dlq list --state %s)\n", s.DeadLetters, stateDir)
	}

	p("\nResult: %s", s.State)
	if s.Outcome != "" {
		p(" (%s)", s.Outcome)
	}
	if s.Failure != nil {
		p(" at %s: [%s] %s", s.Failure.Step, s.Failure.Code, s.Failure.Reason)
	}
	p(" in %.1f ms; whole command %.2f s\n", s.DurationMS, wall.Seconds())
	for _, m := range s.Emails {
		path := m.Path
		if rel, err := filepath.Rel(mustWd(), path); err == nil && !strings.HasPrefix(rel, "..") {
			path = rel
		}
		p("Email: %q -> %s\n       %s\n", m.Subject, m.To, path)
	}
	if len(s.Emails) != 1 {
		p("WARNING: %d emails for this workflow, want exactly 1\n", len(s.Emails))
	}
	p("Inspect: alchemiser trace %s --state %s | alchemiser local mail list --dir %s\n", s.CorrelationID, stateDir, filepath.Join(stateDir, "mail"))
}

func mustWd() string {
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	return wd
}

func pct(d v1.Decimal) string {
	return d.Shift(2).StringFixed(1) + "%"
}
