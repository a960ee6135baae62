package alpacasim

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/shopspring/decimal"

	"github.com/alchemiser/alchemiser/infra/local/marketsim"
	"github.com/alchemiser/alchemiser/pkg/nyse"
)

// Default keys: the simulator accepts these unless Config says otherwise.
const (
	DefaultKeyID     = "local-key"
	DefaultSecretKey = "local-secret"
)

// DefaultCash is the starting cash of a fresh paper account.
var DefaultCash = decimal.NewFromInt(100_000)

// Config configures a Server. The zero value is usable: default keys, seed 0, the generator,
// $100,000 of cash, as of the last trading day of the history at 10:00 New York time, an
// in-memory account and no faults.
type Config struct {
	// KeyID and SecretKey are the credentials every request must carry.
	KeyID, SecretKey string
	// Seed seeds the bar generator when Source is nil.
	Seed int64
	// Source supplies daily bars. Nil means marketsim.NewGenerator(Seed).
	Source marketsim.Source
	// AsOf is the simulated time the clock starts at. Zero means 10:00 New York time on the
	// last trading day of the history (for the generator, the last trading day before today).
	AsOf time.Time
	// RealTime makes the simulated clock advance with the wall clock from AsOf. Otherwise it
	// stands still until SetTime or Advance moves it.
	RealTime bool
	// Cash is the starting cash of a fresh account. Zero means DefaultCash.
	Cash decimal.Decimal
	// Store, when set, keeps the account across restarts (see package sqlitestore). The
	// server closes it on Close. Nil keeps the account in memory.
	Store Store
	// Universe lists the symbols GET /v2/assets returns. Nil means a default list; any symbol
	// the Source has bars for is tradable either way.
	Universe []string
	// BarsPageLimit is the default page size of GET /v2/stocks/bars (Alpaca's is 1000).
	BarsPageLimit int
	// RateLimitPerMinute, when positive, answers 429 to requests beyond it, like Alpaca.
	RateLimitPerMinute int
	// Faults injects failures for reliability tests.
	Faults Faults
	// Logger receives one line per request at debug level. Nil discards.
	Logger *slog.Logger
	// Now is the wall clock, used only for the default AsOf and RealTime. Nil means time.Now.
	Now func() time.Time
}

// Faults sets seeded, random failures. Every rate is a probability in [0, 1] applied per
// request (or per order for Reject and PartialFill). The same Seed and request sequence give
// the same failures.
type Faults struct {
	// Seed seeds the fault generator.
	Seed int64
	// Latency is added to every request.
	Latency time.Duration
	// RateLimited answers 429 with the X-Ratelimit-* headers, before doing anything.
	RateLimited float64
	// ServerError answers 500 before doing anything.
	ServerError float64
	// ServerErrorAfterAccept answers 500 to POST /v2/orders after the order was accepted.
	ServerErrorAfterAccept float64
	// Drop closes the connection without an answer, before doing anything.
	Drop float64
	// Reject accepts an order and then rejects it (status "rejected").
	Reject float64
	// PartialFill fills only part of a marketable order; the rest fills at the next step of
	// the clock while the market is open.
	PartialFill float64
}

// FaultKind is a failure that FailNext can schedule.
type FaultKind int

// The failures FailNext can schedule.
const (
	// FaultRateLimited answers 429.
	FaultRateLimited FaultKind = iota + 1
	// FaultServerError answers 500 before doing anything.
	FaultServerError
	// FaultServerErrorAfterAccept processes the request, then answers 500.
	FaultServerErrorAfterAccept
	// FaultDrop closes the connection before doing anything.
	FaultDrop
	// FaultDropAfterAccept processes the request, then closes the connection.
	FaultDropAfterAccept
	// FaultReject rejects the next order placed.
	FaultReject
	// FaultPartialFill partially fills the next marketable order.
	FaultPartialFill
	// FaultHang never answers: the request hangs until the client gives up (a timeout).
	FaultHang
	// FaultHangAfterAccept processes the request, then hangs until the client gives up.
	FaultHangAfterAccept
)

// String names the fault.
func (k FaultKind) String() string {
	switch k {
	case FaultRateLimited:
		return "rate-limited"
	case FaultServerError:
		return "server-error"
	case FaultServerErrorAfterAccept:
		return "server-error-after-accept"
	case FaultDrop:
		return "drop"
	case FaultDropAfterAccept:
		return "drop-after-accept"
	case FaultReject:
		return "reject"
	case FaultPartialFill:
		return "partial-fill"
	case FaultHang:
		return "hang"
	case FaultHangAfterAccept:
		return "hang-after-accept"
	}
	return fmt.Sprintf("fault(%d)", int(k))
}

func (c *Config) withDefaults() error {
	if c.KeyID == "" {
		c.KeyID = DefaultKeyID
	}
	if c.SecretKey == "" {
		c.SecretKey = DefaultSecretKey
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Source == nil {
		c.Source = marketsim.NewGenerator(c.Seed)
	}
	if c.Cash.IsZero() {
		c.Cash = DefaultCash
	}
	if c.Cash.IsNegative() {
		return fmt.Errorf("alpacasim config: cash %s is negative", c.Cash)
	}
	if c.BarsPageLimit <= 0 {
		c.BarsPageLimit = 1000
	}
	if c.Universe == nil {
		c.Universe = []string{"SPY", "QQQ", "TQQQ", "SQQQ", "UVXY", "BIL", "TLT", "SOXL", "SOXS", "TECL", "UPRO", "SPXL", "TMF", "TMV", "GLD", "IEF", "SHY", "XLK", "VOO", "VTI"}
	}
	if c.AsOf.IsZero() {
		last := nyse.PreviousTradingDay(c.Now().In(nyse.NewYork))
		if l, ok := c.Source.(interface{ LastDate() time.Time }); ok {
			if ld := l.LastDate(); !ld.IsZero() && ld.Before(last) {
				last = ld
			}
		}
		if !nyse.IsTradingDay(last) {
			last = nyse.PreviousTradingDay(last)
		}
		y, m, d := last.Date()
		c.AsOf = time.Date(y, m, d, 10, 0, 0, 0, nyse.NewYork)
	}
	f := c.Faults
	for name, r := range map[string]float64{"rate-limited": f.RateLimited, "server-error": f.ServerError, "server-error-after-accept": f.ServerErrorAfterAccept, "drop": f.Drop, "reject": f.Reject, "partial-fill": f.PartialFill} {
		if r < 0 || r > 1 {
			return fmt.Errorf("alpacasim config: fault rate %s = %v, want 0 to 1", name, r)
		}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}
