package alpacabroker

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"

	"github.com/alchemiser/alchemiser/pkg/alpaca/alpacaclient"
	"github.com/alchemiser/alchemiser/pkg/market"
	"github.com/alchemiser/alchemiser/services/execution/internal/app"
	"github.com/alchemiser/alchemiser/services/execution/internal/domain"
)

var _ app.TradeUpdates = (*Stream)(nil)

// Stream watches the trade-updates stream (server-sent events at GET /v2/events/trades)
// through Alpaca's client, and reconnects when it drops, asking for the updates since the
// last one it saw.
type Stream struct {
	client *alpaca.Client
	log    *slog.Logger
	// MinBackoff and MaxBackoff bound the wait between reconnects.
	MinBackoff, MaxBackoff time.Duration
}

// NewStream returns a Stream for the account of cfg (already validated by alpacaclient.New).
func NewStream(cfg alpacaclient.Config, logger *slog.Logger) *Stream {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	c := alpaca.NewClient(alpaca.ClientOpts{APIKey: cfg.KeyID, APISecret: cfg.SecretKey, BaseURL: strings.TrimRight(cfg.TradingURL, "/")})
	return &Stream{client: c, log: logger, MinBackoff: 100 * time.Millisecond, MaxBackoff: 5 * time.Second}
}

// Watch calls fn with each order update until ctx ends, reconnecting with backoff.
func (s *Stream) Watch(ctx context.Context, fn func(domain.Order)) {
	var last time.Time
	backoff := s.MinBackoff
	for ctx.Err() == nil {
		req := alpaca.StreamTradeUpdatesRequest{}
		if !last.IsZero() {
			req.Since = last
		}
		got := false
		err := s.client.StreamTradeUpdates(ctx, func(tu alpaca.TradeUpdate) {
			got = true
			if tu.At.After(last) {
				last = tu.At
			}
			fn(fromWire(tu.Order))
		}, req)
		if ctx.Err() != nil {
			return
		}
		if got {
			backoff = s.MinBackoff
		}
		s.log.WarnContext(ctx, "trade updates stream dropped; reconnecting", "error", err, "backoff", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(2*backoff, s.MaxBackoff)
	}
}

// fromWire converts an order carried by a trade update.
func fromWire(o alpaca.Order) domain.Order {
	out := domain.Order{ClientOrderID: o.ClientOrderID, BrokerOrderID: o.ID, Symbol: market.Symbol(o.Symbol), Side: domain.Side(o.Side),
		Type: domain.OrderType(o.Type), FilledQty: o.FilledQty, Status: domain.Status(o.Status), UpdatedAt: o.UpdatedAt}
	if o.Notional != nil {
		out.Notional = *o.Notional
	} else if o.Qty != nil {
		out.Qty = *o.Qty
	}
	if o.LimitPrice != nil {
		out.LimitPrice = *o.LimitPrice
	}
	if o.FilledAvgPrice != nil {
		out.AvgPrice = *o.FilledAvgPrice
	}
	if o.Status == string(alpacaclient.StatusRejected) {
		out.Error = "rejected by the broker"
	}
	return out
}
