package alpacabroker

import (
	"context"
	"log/slog"
	"time"

	"github.com/alchemiser/alchemiser/pkg/alpaca/alpacaclient"
	"github.com/alchemiser/alchemiser/services/execution/internal/app"
	"github.com/alchemiser/alchemiser/services/execution/internal/domain"
)

var _ app.TradeUpdates = (*Stream)(nil)

// Stream watches the account's trade-updates stream (server-sent events at
// GET /v2/events/trades) through the shared adapter, which reconnects with backoff when the
// stream drops and resumes after the last update seen.
type Stream struct {
	c   *alpacaclient.Client
	log *slog.Logger
}

// NewStream returns a Stream over c.
func NewStream(c *alpacaclient.Client, logger *slog.Logger) *Stream {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Stream{c: c, log: logger}
}

// Watch calls fn with each order update from since on until ctx ends. If the broker refuses
// the stream (bad keys) it logs and returns: the run then relies on polling.
func (s *Stream) Watch(ctx context.Context, since time.Time, fn func(domain.Order)) {
	err := s.c.WatchTradeUpdates(ctx, since, func(u alpacaclient.TradeUpdate) { fn(toDomain(u.Order)) })
	if err != nil {
		s.log.WarnContext(ctx, "trade updates stream refused; polling only", "error", err)
	}
}
