package lambdaevent

import (
	"context"
	"log/slog"
	"time"

	"github.com/alchemiser/alchemiser/pkg/logging"
)

// Logging attaches the event's correlation_id, event_id and detail_type (and the replay name of a
// replayed event) to the context, so that every line logged with a
// ...Context call during the invocation carries them (use a logger from logging.New). It logs a
// replay, the unknown fields of a newer minor version, and the outcome once: the error with its stack for a
// panic, or a debug line on success.
func Logging(logger *slog.Logger) Middleware {
	if logger == nil {
		logger = slog.Default()
	}
	return func(next Handler) Handler {
		return func(ctx context.Context, msg Message) error {
			meta := msg.Event.Meta()
			attrs := []slog.Attr{
				slog.String(logging.KeyCorrelationID, meta.CorrelationID),
				slog.String(logging.KeyEventID, meta.EventID),
				slog.String(logging.KeyDetailType, string(msg.Event.DetailType())),
			}
			if msg.ReplayName != "" {
				attrs = append(attrs, slog.String(logging.KeyReplayName, msg.ReplayName))
			}
			ctx = WithLogger(logging.ContextWith(ctx, attrs...), logger)
			if msg.ReplayName != "" {
				logger.InfoContext(ctx, "handling an event replayed from an archive")
			}
			if len(msg.UnknownFields) > 0 {
				logger.WarnContext(ctx, "event has fields of a newer minor version; ignored",
					slog.Any("unknown_fields", msg.UnknownFields), slog.String("schema_version", meta.SchemaVersion))
			}
			start := time.Now()
			err := next(ctx, msg)
			elapsed := slog.Duration("duration", time.Since(start))
			if err != nil {
				logger.ErrorContext(ctx, "handler failed", errorAttrs(err, elapsed)...)
				markLogged(ctx)
				return err
			}
			logger.DebugContext(ctx, "handled event", elapsed)
			return nil
		}
	}
}
