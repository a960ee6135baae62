package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/alchemiser/alchemiser/infra/local/marketsim"
	"github.com/alchemiser/alchemiser/pkg/nyse"
	"github.com/alchemiser/alchemiser/services/strategy"
	"github.com/alchemiser/alchemiser/services/strategy/symphony"
)

func newStrategyCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "strategy", Short: "Check and evaluate symphonies"}
	cmd.AddCommand(newStrategyCheckCmd(), newStrategyEvalCmd())
	return cmd
}

func newStrategyCheckCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "check FILE|CONFIG|STAGE",
		Short: "Validate a symphony (.clj) or allocation file (.json) and list its symbols and lookbacks",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			set, err := loadStrategySet(args[0])
			if err != nil {
				return ExitError{Code: 1, Err: err}
			}
			printCheck(cmd.OutOrStdout(), set)
			return nil
		},
	}
}

func printCheck(w io.Writer, set *symphony.Set) {
	fmt.Fprintf(w, "ok: %s (failure policy %s)\n", set.Name, set.Policy)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nSTRATEGY\tFILE\tWEIGHT\tNODES\tREBALANCE")
	for _, m := range set.Members {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", m.Program.Name, m.Program.File, m.Weight.Round(6), m.Program.Nodes(), rebalanceText(m.Program.Rebalance))
	}
	tw.Flush()
	an := set.Analyze()
	fmt.Fprintf(w, "\n%d symbols; one request of %d daily closes covers them all.\n", len(an.Symbols), an.Lookback)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SYMBOL\tLOOKBACK (daily closes)")
	for _, s := range an.Symbols {
		fmt.Fprintf(tw, "%s\t%d\n", s.Symbol, s.Lookback)
	}
	tw.Flush()
	fmt.Fprintf(w, "\n%d indicators:\n", len(an.Indicators))
	for _, i := range an.Indicators {
		fmt.Fprintf(w, "  %s\n", i)
	}
}

func rebalanceText(r symphony.Rebalance) string {
	s := string(r.Frequency)
	if r.HasThreshold {
		s += ", threshold " + r.Threshold.String()
	}
	return s
}

// loadStrategySet reads a .json allocation file (strategy files relative to it), a .clj
// symphony, or, when no such file exists, a bundled stage name such as "dev".
func loadStrategySet(arg string) (*symphony.Set, error) {
	if _, err := os.Stat(arg); err != nil {
		if !strings.ContainsAny(arg, `./\`) {
			return strategy.LoadAllocation(arg)
		}
		return nil, fmt.Errorf("read %s: %w", arg, err)
	}
	if strings.EqualFold(filepath.Ext(arg), ".json") {
		return symphony.LoadSet(os.DirFS(filepath.Dir(arg)), filepath.Base(arg))
	}
	src, err := os.ReadFile(arg)
	if err != nil {
		return nil, fmt.Errorf("read symphony: %w", err)
	}
	p, err := symphony.Parse(arg, src)
	if err != nil {
		return nil, err
	}
	return symphony.Single(p), nil
}

// sourceCloses adapts a marketsim.Source to the strategy service's Closes port.
type sourceCloses struct{ src marketsim.Source }

var _ strategy.Closes = sourceCloses{}

// DailyCloses reads each symbol's bars from the source; a symbol it does not know is left out.
func (s sourceCloses) DailyCloses(_ context.Context, syms []string, from, to time.Time) (symphony.History, error) {
	h := make(symphony.History, len(syms))
	for _, sym := range syms {
		bars, err := s.src.DailyBars(sym, from, to)
		if errors.Is(err, marketsim.ErrUnknownSymbol) {
			continue // the engine names the symbol and the dates it needed
		}
		if err != nil {
			return nil, fmt.Errorf("read bars of %s: %w", sym, err)
		}
		cs := make([]symphony.Close, len(bars))
		for i, b := range bars {
			cs[i] = symphony.Close{Date: b.Date, Price: b.Close.InexactFloat64()}
		}
		h[sym] = cs
	}
	return h, nil
}

// marketSource returns CSV bars from path, or the generator with seed when path is empty, and
// the last date it has bars for.
func marketSource(path string, seed int64) (marketsim.Source, time.Time, error) {
	if path == "" {
		g := marketsim.NewGenerator(seed)
		return g, g.LastDate(), nil
	}
	src, err := marketsim.LoadCSV(path)
	if err != nil {
		return nil, time.Time{}, err
	}
	return src, src.LastDate(), nil
}

func parseDateFlag(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("--%s %q: want a date such as 2025-06-30", name, v)
	}
	return t, nil
}

func newStrategyEvalCmd() *cobra.Command {
	var (
		bars, asOf      string
		seed            int64
		asJSON, explain bool
	)
	cmd := &cobra.Command{
		Use:   "eval FILE|CONFIG|STAGE",
		Short: "Evaluate a symphony or allocation file and print the target allocation",
		Long: `Evaluate a symphony (.clj), an allocation file (.json) or a bundled stage (dev, prod) on
daily closes up to and including --as-of (default: today; the last close is used). Bars come
from --bars (a CSV file or a folder of SYMBOL.csv files) or from the market simulator's
generator with --seed.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			set, err := loadStrategySet(args[0])
			if err != nil {
				return ExitError{Code: 1, Err: err}
			}
			at, err := parseDateFlag("as-of", asOf)
			if err != nil {
				return ExitError{Code: 2, Err: err}
			}
			src, last, err := marketSource(bars, seed)
			if err != nil {
				return ExitError{Code: 1, Err: err}
			}
			now := time.Now()
			if at.IsZero() {
				at = nyse.Date(now.In(nyse.NewYork))
				if bars != "" && last.Before(at) {
					at = last
				}
			}
			r := &strategy.Runner{Closes: sourceCloses{src}}
			res, err := r.Run(cmd.Context(), strategy.Request{Set: set, AsOf: at, Now: now})
			if err != nil {
				return ExitError{Code: 1, Err: err}
			}
			if asJSON {
				return writeEvalJSON(cmd.OutOrStdout(), res)
			}
			printEval(cmd.OutOrStdout(), res, explain)
			return nil
		},
	}
	cmd.Flags().StringVar(&bars, "bars", "", "daily bars: a CSV file or a folder of SYMBOL.csv files (default: generated)")
	cmd.Flags().StringVar(&asOf, "as-of", "", "evaluate on closes up to this date, YYYY-MM-DD (default: today)")
	cmd.Flags().Int64Var(&seed, "seed", 42, "generator seed when --bars is not given")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&explain, "explain", false, "print the decision trace")
	return cmd
}

func printEval(w io.Writer, res *symphony.Result, explain bool) {
	fmt.Fprintf(w, "As of %s\n\n", res.AsOf.Format(time.DateOnly))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SYMBOL\tWEIGHT")
	for _, wt := range res.Weights {
		fmt.Fprintf(tw, "%s\t%s\n", wt.Symbol, wt.Weight.StringFixed(symphony.Places))
	}
	if len(res.Weights) == 0 {
		fmt.Fprintln(tw, "(cash)\t1")
	}
	tw.Flush()
	fmt.Fprintln(w, "\nStrategies:")
	for _, s := range res.Strategies {
		if s.Err != nil {
			fmt.Fprintf(w, "  %s (%s): FAILED: %v\n", s.Name, s.File, s.Err)
			continue
		}
		parts := make([]string, len(s.Allocation))
		for i, wt := range s.Allocation {
			parts[i] = wt.Symbol + " " + wt.Weight.String()
		}
		fmt.Fprintf(w, "  %s (%s) weight %s, rebalance %s: %s\n", s.Name, s.File, s.Weight.Round(6), rebalanceText(s.Rebalance), strings.Join(parts, ", "))
	}
	if explain {
		fmt.Fprintln(w, "\nTrace:")
		for _, l := range res.Trace() {
			fmt.Fprintf(w, "  %s\n", l)
		}
	}
}

type evalStrategyJSON struct {
	File               string            `json:"file"`
	Weight             string            `json:"weight"`
	Status             string            `json:"status"`
	Allocation         map[string]string `json:"allocation"`
	Trace              []string          `json:"trace"`
	Error              string            `json:"error,omitempty"`
	RebalanceFrequency string            `json:"rebalance_frequency"`
	RebalanceThreshold string            `json:"rebalance_threshold,omitempty"`
}

type evalJSON struct {
	AsOf       string                      `json:"as_of"`
	Weights    map[string]string           `json:"weights"`
	Strategies map[string]evalStrategyJSON `json:"strategies"`
	Trace      []string                    `json:"trace"`
	Policy     string                      `json:"failure_policy"`
}

func weightMap(a symphony.Allocation) map[string]string {
	m := make(map[string]string, len(a))
	for _, w := range a {
		m[w.Symbol] = w.Weight.String()
	}
	return m
}

func writeEvalJSON(w io.Writer, res *symphony.Result) error {
	out := evalJSON{
		AsOf: res.AsOf.Format(time.DateOnly), Weights: weightMap(res.Weights),
		Strategies: map[string]evalStrategyJSON{}, Trace: res.Trace(), Policy: string(res.Policy),
	}
	if out.Trace == nil {
		out.Trace = []string{}
	}
	names := map[string]int{}
	for _, s := range res.Strategies {
		key := s.Name
		if names[key]++; names[key] > 1 {
			key = fmt.Sprintf("%s (%d)", s.Name, names[key])
		}
		js := evalStrategyJSON{File: s.File, Weight: s.Weight.String(), Status: "ok", Allocation: weightMap(s.Allocation),
			Trace: s.Trace, RebalanceFrequency: string(s.Rebalance.Frequency)}
		if js.Trace == nil {
			js.Trace = []string{}
		}
		if s.Rebalance.HasThreshold {
			js.RebalanceThreshold = s.Rebalance.Threshold.String()
		}
		if s.Err != nil {
			js.Status, js.Error = "failed", s.Err.Error()
		}
		out.Strategies[key] = js
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("encode allocation: %w", err)
	}
	return nil
}
