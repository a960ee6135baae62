package cli

import (
	"fmt"
	"net"
	"time"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/alchemiser/alchemiser/infra/local/alpacasim"
	"github.com/alchemiser/alchemiser/infra/local/alpacasim/sqlitestore"
	"github.com/alchemiser/alchemiser/infra/local/marketsim"
	"github.com/alchemiser/alchemiser/pkg/nyse"
)

// localAlpacaFlags are the flags of `alchemiser local alpaca`.
type localAlpacaFlags struct {
	addr, key, secret, asOf, cash, state, csv string
	seed                                      int64
	rateLimit                                 int
	frozen                                    bool
	faults                                    alpacasim.Faults
}

func newLocalAlpacaCmd() *cobra.Command {
	var f localAlpacaFlags
	cmd := &cobra.Command{
		Use:   "alpaca",
		Short: "Run the Alpaca simulator (trading and market data on one address)",
		Long: `Run a local Alpaca-compatible server. The unmodified Alpaca client works against it:
point both the trading and the data base URL at the printed URL and use the printed keys.

The simulated clock starts at --as-of (a date means 10:00 New York time that day; the
default is the last trading day) and then runs with the wall clock, unless --frozen.
Prices come from a seeded generator, or from CSV bars with --csv.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runLocalAlpaca(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", "127.0.0.1:8087", "address to listen on (loopback only)")
	fl.StringVar(&f.key, "key", alpacasim.DefaultKeyID, "API key id the simulator accepts")
	fl.StringVar(&f.secret, "secret", alpacasim.DefaultSecretKey, "API secret key the simulator accepts")
	fl.Int64Var(&f.seed, "seed", 1, "seed of the bar generator")
	fl.StringVar(&f.asOf, "as-of", "", "simulated start: YYYY-MM-DD or RFC 3339 (default: the last trading day, 10:00 New York)")
	fl.StringVar(&f.cash, "cash", "100000", "starting cash in USD of a fresh account")
	fl.StringVar(&f.state, "state", "", "folder for the SQLite state; the account survives restarts")
	fl.StringVar(&f.csv, "csv", "", "load bars from a CSV file or folder instead of generating them")
	fl.IntVar(&f.rateLimit, "rate-limit", 0, "answer 429 beyond this many requests a minute, like Alpaca (0: off)")
	fl.BoolVar(&f.frozen, "frozen", false, "keep the simulated clock still instead of running with the wall clock")
	fl.Int64Var(&f.faults.Seed, "fault-seed", 1, "seed of the fault injector")
	fl.DurationVar(&f.faults.Latency, "latency", 0, "latency added to every request")
	fl.Float64Var(&f.faults.RateLimited, "fault-429", 0, "fraction of requests answered 429")
	fl.Float64Var(&f.faults.ServerError, "fault-5xx", 0, "fraction of requests answered 500")
	fl.Float64Var(&f.faults.ServerErrorAfterAccept, "fault-5xx-after-accept", 0, "fraction of orders accepted and then answered 500")
	fl.Float64Var(&f.faults.Drop, "fault-drop", 0, "fraction of connections dropped without an answer")
	fl.Float64Var(&f.faults.Reject, "fault-reject", 0, "fraction of orders rejected")
	fl.Float64Var(&f.faults.PartialFill, "fault-partial", 0, "fraction of orders only partly filled at first")
	return cmd
}

func runLocalAlpaca(cmd *cobra.Command, f localAlpacaFlags) error {
	cfg, err := f.config()
	if err != nil {
		return err
	}
	srv, err := alpacasim.New(cfg)
	if err != nil {
		if cfg.Store != nil {
			cfg.Store.Close()
		}
		return fmt.Errorf("start alpaca simulator: %w", err)
	}
	url, err := srv.Start(f.addr)
	if err != nil {
		srv.Close()
		return err
	}
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "alpaca simulator listening\n")
	fmt.Fprintf(out, "  ALPACA_TRADING_URL=%s\n", url)
	fmt.Fprintf(out, "  ALPACA_DATA_URL=%s\n", url)
	fmt.Fprintf(out, "  ALPACA_KEY_ID=%s\n", cfg.KeyID)
	fmt.Fprintf(out, "  ALPACA_SECRET_KEY=%s\n", cfg.SecretKey)
	fmt.Fprintf(out, "  as of %s (clock %s), cash %s, seed %d\n", srv.Now().In(nyse.NewYork).Format(time.RFC3339), clockMode(f.frozen), cfg.Cash, cfg.Seed)
	if f.state != "" {
		fmt.Fprintf(out, "  state in %s\n", f.state)
	}
	<-cmd.Context().Done()
	fmt.Fprintf(out, "alpaca simulator stopping\n")
	return srv.Close()
}

func clockMode(frozen bool) string {
	if frozen {
		return "frozen"
	}
	return "running"
}

// config turns the flags into the simulator's configuration, checking each.
func (f localAlpacaFlags) config() (alpacasim.Config, error) {
	host, _, err := net.SplitHostPort(f.addr)
	if err != nil {
		return alpacasim.Config{}, fmt.Errorf("--addr %q: %w", f.addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return alpacasim.Config{}, fmt.Errorf("--addr %q: the simulator listens on loopback only (use 127.0.0.1)", f.addr)
	}
	cash, err := decimal.NewFromString(f.cash)
	if err != nil || !cash.IsPositive() {
		return alpacasim.Config{}, fmt.Errorf("--cash %q: want a positive amount of dollars", f.cash)
	}
	cfg := alpacasim.Config{
		KeyID: f.key, SecretKey: f.secret, Seed: f.seed, Cash: cash,
		RealTime: !f.frozen, Faults: f.faults, RateLimitPerMinute: f.rateLimit,
	}
	if f.asOf != "" {
		if cfg.AsOf, err = parseAsOf(f.asOf); err != nil {
			return alpacasim.Config{}, err
		}
	}
	if f.csv != "" {
		src, err := marketsim.LoadCSV(f.csv)
		if err != nil {
			return alpacasim.Config{}, fmt.Errorf("--csv: %w", err)
		}
		cfg.Source = src
	}
	if f.state != "" {
		st, err := sqlitestore.Open(f.state)
		if err != nil {
			return alpacasim.Config{}, fmt.Errorf("--state: %w", err)
		}
		cfg.Store = st
	}
	return cfg, nil
}

// parseAsOf reads a date (10:00 New York time that day) or an RFC 3339 instant.
func parseAsOf(s string) (time.Time, error) {
	if t, err := time.ParseInLocation(time.DateOnly, s, nyse.NewYork); err == nil {
		return t.Add(10 * time.Hour), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--as-of %q: want YYYY-MM-DD or an RFC 3339 time", s)
}
