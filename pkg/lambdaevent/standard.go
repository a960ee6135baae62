package lambdaevent

import (
	"log/slog"
	"time"

	"github.com/alchemiser/alchemiser/pkg/emf"
	"github.com/alchemiser/alchemiser/pkg/idempotency"
)

// Options configures the standard middleware chain of a service.
type Options struct {
	// Logger logs outcomes; nil means slog.Default().
	Logger *slog.Logger
	// Metrics receives the EMF metrics; nil disables them.
	Metrics *emf.Recorder
	// Timeout bounds each handler; zero leaves only Lambda's own deadline (less DeadlineMargin).
	Timeout time.Duration
	// Store and Consumer enable idempotency when Store is set. Consumer names the service.
	Store    idempotency.Store
	Consumer string
	// Lease is the idempotency lease; zero means Timeout plus a minute, or five minutes.
	Lease time.Duration
	// Now is the idempotency clock; nil means time.Now.
	Now func() time.Time
}

// Standard returns the recommended middleware chain, outermost first: Logging, Metrics,
// Recover, Timeout, Idempotency. Pass it to NewRouter as NewRouter(logger, Standard(o)...).
func Standard(o Options) []Middleware {
	mw := []Middleware{Logging(o.Logger)}
	if o.Metrics != nil {
		mw = append(mw, Metrics(o.Metrics))
	}
	mw = append(mw, Recover())
	mw = append(mw, Timeout(o.Timeout))
	if o.Store != nil {
		lease := o.Lease
		if lease <= 0 {
			lease = 5 * time.Minute
			if o.Timeout > 0 {
				lease = o.Timeout + time.Minute
			}
		}
		mw = append(mw, Idempotency(o.Store, o.Consumer, lease, o.Now))
	}
	return mw
}
