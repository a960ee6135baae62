package fnconfig

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/alchemiser/alchemiser/pkg/emf"
	"github.com/alchemiser/alchemiser/pkg/eventbus"
	"github.com/alchemiser/alchemiser/pkg/idempotency"
)

// Namespace is the CloudWatch namespace of every service's metrics.
const Namespace = "Alchemiser"

// Publisher builds the EventBridge publisher of b.Bus.
func (b Base) Publisher(ctx context.Context, logger *slog.Logger) (*eventbus.EventBridge, error) {
	p, err := eventbus.New(ctx, b.Bus, eventbus.WithLogger(logger))
	if err != nil {
		return nil, fmt.Errorf("build event bus publisher: %w", err)
	}
	return p, nil
}

// Metrics returns the EMF recorder of service: lines to w (standard output in Lambda, where
// CloudWatch reads them) with the dimensions Stage and Service.
func (b Base) Metrics(w io.Writer, service string) *emf.Recorder {
	return emf.New(w, Namespace, emf.WithDimensions(emf.Dimension{Name: "Stage", Value: b.Stage}, emf.Dimension{Name: "Service", Value: service}))
}

// Store opens the idempotency store of d. It lives as long as the function's container, so
// its close function is not returned.
func (d Dedup) Store(ctx context.Context) (idempotency.Store, error) {
	spec, err := idempotency.ParseSpec(d.IdempotencyStore)
	if err != nil {
		return nil, err
	}
	s, _, err := idempotency.OpenSpec(ctx, spec)
	if err != nil {
		return nil, fmt.Errorf("build idempotency store: %w", err)
	}
	return s, nil
}
