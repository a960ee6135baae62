// Package handler adapts the notification events to the notifier's use case.
package handler

import (
	"context"
	"fmt"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"

	"github.com/alchemiser/alchemiser/pkg/lambdaevent"
	"github.com/alchemiser/alchemiser/services/notifier/internal/app"
)

// Notifier is the use case the handler calls.
type Notifier interface {
	Trading(ctx context.Context, ev *v1.TradingNotificationRequested, replay bool) (app.Result, error)
	Error(ctx context.Context, ev *v1.ErrorNotificationRequested) (app.Result, error)
}

var _ Notifier = (*app.Notifier)(nil)

// Handler handles TradingNotificationRequested and ErrorNotificationRequested.
type Handler struct{ app Notifier }

// New returns the handler.
func New(a Notifier) *Handler { return &Handler{app: a} }

// OnTrading sends the workflow's one email.
func (h *Handler) OnTrading(ctx context.Context, msg lambdaevent.Message) error {
	ev, ok := msg.Event.(*v1.TradingNotificationRequested)
	if !ok {
		return lambdaevent.Permanent(fmt.Errorf("OnTrading got %s", msg.Event.DetailType()))
	}
	_, err := h.app.Trading(ctx, ev, msg.ReplayName != "")
	return err
}

// OnError folds a workflow's error report into its email, or sends an alert.
func (h *Handler) OnError(ctx context.Context, msg lambdaevent.Message) error {
	ev, ok := msg.Event.(*v1.ErrorNotificationRequested)
	if !ok {
		return lambdaevent.Permanent(fmt.Errorf("OnError got %s", msg.Event.DetailType()))
	}
	_, err := h.app.Error(ctx, ev)
	return err
}
