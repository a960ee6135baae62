package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/shopspring/decimal"

	"github.com/alchemiser/alchemiser/pkg/market"
	"github.com/alchemiser/alchemiser/services/execution/internal/domain"
)

// OrderPolicy chooses the order type.
type OrderPolicy string

// The order policies.
const (
	// PolicyMarket sends market orders.
	PolicyMarket OrderPolicy = "market"
	// PolicySmartLimit sends whole-share orders as smart limit orders (see domain.SmartLimit)
	// and everything else as market orders.
	PolicySmartLimit OrderPolicy = "smart_limit"
)

// Settings tunes the executor.
type Settings struct {
	// Prefix starts every client order ID (domain.DefaultPrefix).
	Prefix string
	// KillSwitch stops all order placement.
	KillSwitch bool
	Limits     domain.Limits
	Policy     OrderPolicy
	Smart      domain.SmartLimit
	// BuyBuffer is the fraction of the buys' value kept back for slippage when fitting them
	// into the buying power.
	BuyBuffer decimal.Decimal
	// PollInterval is how often orders are polled while the stream is quiet.
	PollInterval time.Duration
	// PhaseTimeout bounds the wait for each phase's fills.
	PhaseTimeout time.Duration
	// SettleTimeout bounds the wait for the buying power to settle after the sells.
	SettleTimeout time.Duration
	// CancelGrace bounds the wait for cancels to take effect after a phase timed out.
	CancelGrace time.Duration
	// SafetyMargin is kept between the run's last wait and the context's deadline (the Lambda
	// timeout), so the report is always published.
	SafetyMargin time.Duration
	// MaxRunTime bounds a run when the context has no deadline.
	MaxRunTime time.Duration
}

// DefaultSettings returns the defaults: market orders, 1 s polling, 60 s per phase.
func DefaultSettings() Settings {
	return Settings{
		Prefix:        domain.DefaultPrefix,
		Policy:        PolicyMarket,
		Smart:         domain.SmartLimit{RepegAfter: 10 * time.Second, MarketAfter: 30 * time.Second, Aggression: decimal.RequireFromString("0.5")},
		BuyBuffer:     decimal.RequireFromString("0.005"),
		PollInterval:  time.Second,
		PhaseTimeout:  60 * time.Second,
		SettleTimeout: 10 * time.Second,
		CancelGrace:   5 * time.Second,
		SafetyMargin:  15 * time.Second,
		MaxRunTime:    4 * time.Minute,
	}
}

// lookback bounds the search for a plan's earlier orders, in broker time: a plan is retried
// for at most an hour (the routing table's event age), so a day is ample.
const lookback = 24 * time.Hour

// Run is one request to execute a plan.
type Run struct {
	Plan domain.Plan
	// DryRun is the workflow's dry_run flag.
	DryRun bool
	// ReplayName is set when the event was replayed from an archive.
	ReplayName string
}

// Executor executes plans.
type Executor struct {
	market  MarketReader
	orders  OrderBook
	desk    OrderDesk
	updates TradeUpdates
	clock   Clock
	set     Settings
	log     *slog.Logger
}

// NewExecutor returns an executor. updates may be nil: orders are then polled only.
func NewExecutor(b Broker, updates TradeUpdates, clock Clock, set Settings, logger *slog.Logger) *Executor {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Executor{market: b, orders: b, desk: b, updates: updates, clock: clock, set: set, log: logger}
}

// Execute guards the plan, then trades it, simulates it or skips it, and reports every order.
// It returns an error only when retrying the whole run may help (the broker unreachable, rate
// limited or failing); a retry finds the orders already placed by their client order IDs and
// carries on.
func (e *Executor) Execute(ctx context.Context, run Run) (domain.Report, error) {
	started := e.clock.Now()
	tag := domain.PlanTag(e.set.Prefix, run.Plan.CorrelationID, run.Plan.ID)
	clock, err := e.market.MarketClock(ctx)
	if err != nil {
		return domain.Report{}, fmt.Errorf("read market clock: %w", err)
	}
	dec := domain.Decide(domain.GuardInput{DryRun: run.DryRun, ReplayName: run.ReplayName, KillSwitch: e.set.KillSwitch, Clock: clock})
	var rep domain.Report
	switch dec.Mode {
	case domain.ModeSkip:
		rep = domain.Report{Outcome: domain.Skipped, Reason: dec.Reason, NextOpen: dec.NextOpen, Orders: refuseAll(tag, run.Plan.Items, dec.Reason)}
	case domain.ModeDryRun:
		orders, err := dryRun{market: e.market}.simulate(ctx, tag, run.Plan.Items, e.set)
		if err != nil {
			return domain.Report{}, err
		}
		rep = domain.Report{Outcome: domain.DryRun, Reason: dec.Reason, Orders: orders}
	default:
		rep, err = e.live(ctx, tag, run.Plan, clock.Now)
		if err != nil {
			return domain.Report{}, err
		}
	}
	rep.StartedAt, rep.FinishedAt = started, e.clock.Now()
	return rep, nil
}

func refuseAll(tag string, items []domain.Item, reason string) []domain.Order {
	results := make([]domain.ItemResult, len(items))
	for i, it := range items {
		results[i] = domain.ItemResult{Item: it, ClientOrderID: domain.ClientOrderID(tag, domain.OrderKey{Symbol: it.Symbol, Side: it.Side}), Refused: reason}
	}
	return domain.Orders(results)
}

// deadline is the last instant, on the app clock, that a run may still wait: the context's
// deadline less the safety margin, or MaxRunTime from now.
func (e *Executor) deadline(ctx context.Context) time.Time {
	now := e.clock.Now()
	budget := e.set.MaxRunTime
	if d, ok := ctx.Deadline(); ok {
		if left := time.Until(d) - e.set.SafetyMargin; left < budget {
			budget = left
		}
	}
	if budget < 0 {
		budget = 0
	}
	return now.Add(budget)
}

// dryRun simulates a plan. It holds only a MarketReader, so it cannot place, cancel or close
// anything.
type dryRun struct {
	market MarketReader
}

func (d dryRun) simulate(ctx context.Context, tag string, items []domain.Item, set Settings) ([]domain.Order, error) {
	kept, refused := domain.ApplyLimits(items, set.Limits)
	quotes, err := d.market.Quotes(ctx, symbols(kept))
	if err != nil {
		return nil, fmt.Errorf("read quotes for dry run: %w", err)
	}
	acct, err := d.market.Account(ctx)
	if err != nil {
		return nil, fmt.Errorf("read account for dry run: %w", err)
	}
	sells, buys := domain.Phases(kept)
	var results []domain.ItemResult
	available := acct.Spendable()
	for _, it := range sells {
		o := domain.Simulate(domain.ClientOrderID(tag, domain.OrderKey{Symbol: it.Symbol, Side: it.Side}), it, quotes[it.Symbol])
		available = available.Add(o.FilledQty.Mul(o.AvgPrice))
		results = append(results, domain.ItemResult{Item: it, Legs: []domain.Order{o}})
	}
	scaled, _, short := domain.ScaleBuys(buys, askPrices(quotes), available, set.BuyBuffer)
	for _, it := range scaled {
		o := domain.Simulate(domain.ClientOrderID(tag, domain.OrderKey{Symbol: it.Symbol, Side: it.Side}), it, quotes[it.Symbol])
		results = append(results, domain.ItemResult{Item: it, Legs: []domain.Order{o}})
	}
	for _, r := range append(refused, short...) {
		results = append(results, domain.ItemResult{Item: r.Item, ClientOrderID: domain.ClientOrderID(tag, domain.OrderKey{Symbol: r.Item.Symbol, Side: r.Item.Side}), Refused: r.Reason})
	}
	return domain.Orders(results), nil
}

func symbols(items []domain.Item) []market.Symbol {
	out := make([]market.Symbol, 0, len(items))
	for _, it := range items {
		out = append(out, it.Symbol)
	}
	return out
}

func askPrices(q map[market.Symbol]domain.Quote) map[market.Symbol]decimal.Decimal {
	out := make(map[market.Symbol]decimal.Decimal, len(q))
	for s, v := range q {
		if v.Valid() {
			out[s] = v.Ask
		}
	}
	return out
}

// isGone reports whether a cancel failed only because the order is already final or unknown.
func isGone(err error) bool {
	var rej *RejectedError
	return errors.Is(err, ErrNotFound) || errors.As(err, &rej)
}
