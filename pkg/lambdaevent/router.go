package lambdaevent

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync/atomic"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"

	"github.com/alchemiser/alchemiser/pkg/eventbus"
	"github.com/alchemiser/alchemiser/pkg/logging"
)

// Message is a decoded event with what the runtime learnt while decoding it.
type Message struct {
	// Event is the decoded event; handlers switch on its concrete type.
	Event v1.Event
	// Wrapped says whether the payload came in an EventBridge envelope.
	Wrapped bool
	// Envelope is the envelope, when Wrapped.
	Envelope *v1.Envelope
	// ReplayName is set when EventBridge replayed the event from an archive.
	ReplayName string
	// UnknownFields lists the fields of a newer minor version that this consumer ignored.
	UnknownFields []string
	// Raw is the payload as received.
	Raw []byte
}

// Handler handles one event.
type Handler func(ctx context.Context, msg Message) error

// Middleware wraps a Handler with a cross-cutting concern.
type Middleware func(Handler) Handler

// Router decodes payloads and dispatches them by detail-type. Register handlers with Handle
// before the first Invoke; Invoke is then safe for concurrent use.
type Router struct {
	logger   *slog.Logger
	mw       []Middleware
	handlers map[v1.DetailType]Handler
}

// NewRouter returns a Router that wraps every handler in mw, the first outermost. logger logs the
// errors that happen before any handler runs (a payload that does not decode, a detail-type with
// no handler) and errors that no Logging middleware logged; nil means slog.Default().
func NewRouter(logger *slog.Logger, mw ...Middleware) *Router {
	if logger == nil {
		logger = slog.Default()
	}
	return &Router{logger: logger, mw: mw, handlers: map[v1.DetailType]Handler{}}
}

// Handle registers h for events of type t, replacing any handler registered before. It panics
// when t is not a detail-type of the contract or h is nil: that is a programming error found at
// start-up.
func (r *Router) Handle(t v1.DetailType, h Handler) {
	if _, err := v1.New(t); err != nil {
		panic(fmt.Sprintf("lambdaevent: Handle(%q): %v", t, err))
	}
	if h == nil {
		panic(fmt.Sprintf("lambdaevent: Handle(%q): nil handler", t))
	}
	for i := len(r.mw) - 1; i >= 0; i-- {
		h = r.mw[i](h)
	}
	r.handlers[t] = h
}

// DetailTypes returns the detail-types that have a handler.
func (r *Router) DetailTypes() []v1.DetailType {
	var out []v1.DetailType
	for _, t := range v1.DetailTypes() {
		if _, ok := r.handlers[t]; ok {
			out = append(out, t)
		}
	}
	return out
}

var null = []byte("null")

// Invoke decodes payload and runs the handler for its detail-type. It returns []byte("null") on
// success and (nil, err) on failure; a payload that does not decode and a detail-type without a
// handler give an error marked Permanent that names the field or the version. Invoke implements
// lambda.Handler, so pass the *Router itself to lambda.Start or lambda.NewHandler. Do not pass
// the method value r.Invoke: aws-lambda-go treats a plain func reflectively and would JSON-decode
// the payload into its []byte argument.
func (r *Router) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	d, err := v1.Decode(payload)
	if err != nil {
		err = Permanent(fmt.Errorf("decode event: %w", err))
		r.logger.ErrorContext(ctx, "rejected event", slog.Any("error", err), slog.Int("payload_bytes", len(payload)))
		return nil, err
	}
	meta := d.Event.Meta()
	t := d.Event.DetailType()
	h, ok := r.handlers[t]
	if !ok {
		err := Permanent(fmt.Errorf("route %s %s: %w", t, meta.EventID, ErrNoHandler))
		r.logger.ErrorContext(ctx, "rejected event", slog.Any("error", err),
			slog.String(logging.KeyEventID, meta.EventID), slog.String(logging.KeyCorrelationID, meta.CorrelationID))
		return nil, err
	}
	ctx = eventbus.WithHandling(ctx, t)
	ctx = WithLogger(ctx, r.logger)
	var logged atomic.Bool
	ctx = context.WithValue(ctx, loggedKey{}, &logged)
	err = safeCall(ctx, h, Message{
		Event: d.Event, Wrapped: d.Wrapped, Envelope: d.Envelope, ReplayName: d.ReplayName,
		UnknownFields: d.UnknownFields, Raw: payload,
	})
	if err != nil {
		if !logged.Load() {
			r.logger.ErrorContext(ctx, "handler failed", errorAttrs(err,
				slog.String(logging.KeyDetailType, string(t)),
				slog.String(logging.KeyEventID, meta.EventID),
				slog.String(logging.KeyCorrelationID, meta.CorrelationID))...)
		}
		return nil, err
	}
	return null, nil
}

// safeCall runs h, turning a panic that escaped the middleware chain into a *PanicError.
func safeCall(ctx context.Context, h Handler, msg Message) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return h(ctx, msg)
}

// loggedKey holds an *atomic.Bool set by the middleware that logged the invocation's error, so
// the error is logged once.
type loggedKey struct{}

// markLogged records that the invocation's error has been logged.
func markLogged(ctx context.Context) {
	if b, ok := ctx.Value(loggedKey{}).(*atomic.Bool); ok {
		b.Store(true)
	}
}

// errorAttrs returns the attributes that describe err in a log record, with the stack of a
// recovered panic.
func errorAttrs(err error, attrs ...any) []any {
	attrs = append(attrs, slog.Any("error", err), slog.Bool("permanent", IsPermanent(err)))
	if p := asPanic(err); p != nil {
		attrs = append(attrs, slog.String("stack", string(p.Stack)))
	}
	return attrs
}

type loggerKey struct{}

// WithLogger returns a copy of ctx carrying logger, for LoggerFrom.
func WithLogger(ctx context.Context, logger *slog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, logger)
}

// LoggerFrom returns the invocation's logger: the Logging middleware's, else the Router's, else
// slog.Default().
func LoggerFrom(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok && l != nil {
		return l
	}
	return slog.Default()
}
