package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/alchemiser/alchemiser/infra/local/marketsim"
	"github.com/alchemiser/alchemiser/services/strategy"
	"github.com/alchemiser/alchemiser/services/strategy/backtest"
)

// Default generated backtest window: ten fixed years, so the report never depends on the clock.
var (
	defaultBacktestFrom = time.Date(2016, 1, 4, 0, 0, 0, 0, time.UTC)
	defaultBacktestTo   = time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
)

func newBacktestCmd() *cobra.Command {
	var (
		config, from, to, bars, out string
		costBps, slipBps            string
		seed                        int64
	)
	cmd := &cobra.Command{
		Use:   "backtest --config FILE|STAGE",
		Short: "Backtest strategies day by day on generated or CSV bars and write an HTML report",
		Long: `Run the live strategy engine day by day over history: close-to-close fills, each
strategy's :rebalance-frequency and :rebalance-threshold honoured, optional costs and slippage in
basis points. Writes report.html (equity and allocation charts), equity.csv, allocations.csv and
summary.json to --out. With generated bars the default window is 2016-01-04 to 2025-12-31; with
--bars it is the whole file after the warm-up. The same inputs give the same files, byte for byte.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if config == "" {
				return ExitError{Code: 2, Err: errors.New("--config is required: a .json allocation file, a .clj symphony or a stage such as dev")}
			}
			set, err := loadStrategySet(config)
			if err != nil {
				return ExitError{Code: 1, Err: err}
			}
			f, err := parseDateFlag("from", from)
			if err != nil {
				return ExitError{Code: 2, Err: err}
			}
			t, err := parseDateFlag("to", to)
			if err != nil {
				return ExitError{Code: 2, Err: err}
			}
			cost, err := parseBps("cost-bps", costBps)
			if err != nil {
				return ExitError{Code: 2, Err: err}
			}
			slip, err := parseBps("slippage-bps", slipBps)
			if err != nil {
				return ExitError{Code: 2, Err: err}
			}
			src, last, err := marketSource(bars, seed)
			if err != nil {
				return ExitError{Code: 1, Err: err}
			}
			if bars == "" {
				if f.IsZero() {
					f = defaultBacktestFrom
				}
				if t.IsZero() {
					t = defaultBacktestTo
				}
			} else if t.IsZero() {
				t = last
			}
			an := set.Analyze()
			fetchFrom := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
			if !f.IsZero() {
				fetchFrom = strategy.TradingDaysBefore(f, an.Lookback+strategy.Margin)
			}
			cfg := backtest.Config{Set: set, From: f, To: t, CostBps: cost, SlippageBps: slip, Bars: map[string][]backtest.Bar{}}
			for _, s := range an.Symbols {
				bs, err := src.DailyBars(s.Symbol, fetchFrom, t)
				if err != nil {
					return ExitError{Code: 1, Err: fmt.Errorf("read bars of %s: %w", s.Symbol, err)}
				}
				cfg.Bars[s.Symbol] = toBacktestBars(bs)
			}
			stderr := cmd.ErrOrStderr()
			if fd, ok := stderr.(interface{ Fd() uintptr }); ok && term.IsTerminal(int(fd.Fd())) {
				cfg.Progress = progressBar(stderr)
			}
			res, err := backtest.Run(cfg)
			if err != nil {
				return ExitError{Code: 1, Err: err}
			}
			if err := writeBacktest(out, res); err != nil {
				return ExitError{Code: 1, Err: err}
			}
			printBacktest(cmd.OutOrStdout(), res, out)
			return nil
		},
	}
	cmd.Flags().StringVar(&config, "config", "", "allocation file (.json), symphony (.clj) or bundled stage (dev, prod)")
	cmd.Flags().StringVar(&from, "from", "", "first simulated day, YYYY-MM-DD")
	cmd.Flags().StringVar(&to, "to", "", "last simulated day, YYYY-MM-DD")
	cmd.Flags().StringVar(&bars, "bars", "", "daily bars: a CSV file or a folder of SYMBOL.csv files (default: generated)")
	cmd.Flags().Int64Var(&seed, "seed", 42, "generator seed when --bars is not given")
	cmd.Flags().StringVar(&costBps, "cost-bps", "0", "commission in basis points of traded notional")
	cmd.Flags().StringVar(&slipBps, "slippage-bps", "0", "slippage in basis points of traded notional")
	cmd.Flags().StringVar(&out, "out", "backtest-report", "folder for report.html, equity.csv, allocations.csv and summary.json")
	return cmd
}

func parseBps(name, v string) (decimal.Decimal, error) {
	d, err := decimal.NewFromString(strings.TrimSpace(v))
	if err != nil || d.IsNegative() {
		return decimal.Zero, fmt.Errorf("--%s %q: want a non-negative number of basis points", name, v)
	}
	return d, nil
}

func toBacktestBars(bs []marketsim.Bar) []backtest.Bar {
	out := make([]backtest.Bar, len(bs))
	for i, b := range bs {
		out[i] = backtest.Bar{Date: b.Date, Close: b.Close}
	}
	return out
}

// progressBar draws a one-line bar on a terminal, redrawn at each whole percent.
func progressBar(w io.Writer) func(done, total int) {
	lastPct := -1
	return func(done, total int) {
		pct := done * 100 / max(total, 1)
		if pct == lastPct {
			return
		}
		lastPct = pct
		const width = 40
		n := pct * width / 100
		fmt.Fprintf(w, "\r[%s%s] %3d%% %d/%d days", strings.Repeat("#", n), strings.Repeat(".", width-n), pct, done, total)
		if done == total {
			fmt.Fprintln(w)
		}
	}
}

func writeBacktest(dir string, res *backtest.Result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create report folder: %w", err)
	}
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{"report.html", res.WriteHTML},
		{"equity.csv", res.WriteEquityCSV},
		{"allocations.csv", res.WriteAllocationsCSV},
		{"summary.json", res.WriteSummaryJSON},
	}
	for _, f := range files {
		var b strings.Builder
		if err := f.write(&b); err != nil {
			return fmt.Errorf("write %s: %w", f.name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, f.name), []byte(b.String()), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", f.name, err)
		}
	}
	return nil
}

func printBacktest(w io.Writer, res *backtest.Result, dir string) {
	s := res.Summary()
	fmt.Fprintf(w, "%s: %s to %s (%d trading days)\n", s.Name, s.Start, s.End, s.Days)
	fmt.Fprintf(w, "  value       $%s -> $%s\n", s.StartValue, s.EndValue)
	fmt.Fprintf(w, "  CAGR        %s%%\n", pctString(res.Stats.CAGR))
	fmt.Fprintf(w, "  volatility  %s%%\n", pctString(res.Stats.Volatility))
	fmt.Fprintf(w, "  Sharpe      %s\n", s.Sharpe)
	fmt.Fprintf(w, "  max drawdown %s%%\n", pctString(res.Stats.MaxDrawdown))
	fmt.Fprintf(w, "  turnover    %s%% a year\n", pctString(res.Stats.Turnover))
	fmt.Fprintf(w, "  rebalances  %d, costs $%s\n", s.Rebalances, s.Costs)
	fmt.Fprintf(w, "Report: %s\n", filepath.Join(dir, "report.html"))
}

func pctString(v float64) string { return decimal.NewFromFloat(v * 100).StringFixed(2) }
