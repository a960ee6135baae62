// Package app is the notifier's use case: turn a workflow's TradingNotificationRequested into
// exactly one email, fold that workflow's ErrorNotificationRequested into it, and send an alert
// email for an error outside any workflow.
//
// Exactly once: the email's key (the correlation ID) is claimed in the sent store before
// sending, so a concurrent duplicate delivery finds the claim and does not send; after the send
// the Message-ID is recorded, so a later redelivery finds it and does not send. A send that
// fails after its retries releases the claim and returns the error, so Lambda retries the event
// and, in the end, dead-letters it. The Message-ID is derived from the key, so even the one
// duplicate a crash between send and record could cause carries the same Message-ID.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"

	"github.com/alchemiser/alchemiser/services/notifier/internal/render"
	"github.com/alchemiser/alchemiser/services/notifier/sentstore"
)

// Message is one email to send.
type Message struct {
	// MessageID is the Message-ID without angle brackets.
	MessageID string
	Date      time.Time
	Subject   string
	Text      string
	HTML      string
	Inline    []Inline
}

// Inline is a part the HTML shows with cid:CID.
type Inline struct {
	CID         string
	ContentType string
	Data        []byte
}

// Sender sends one email.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// SentStore is the sent-email store (see package sentstore).
type SentStore interface {
	Claim(ctx context.Context, key string, now time.Time, lease time.Duration) error
	Complete(ctx context.Context, key, messageID string, now time.Time) error
	Release(ctx context.Context, key string) error
	Get(ctx context.Context, key string) (sentstore.Record, error)
	SaveReport(ctx context.Context, key, report string) error
}

// Settings tune the notifier.
type Settings struct {
	// Neutral hides dollar values in the email.
	Neutral bool
	// Domain is the right-hand side of Message-IDs, such as "alchemiser.local".
	Domain string
	// Lease bounds a claim: longer than the longest send with its retries.
	Lease time.Duration
	// Attempts is how many times a send is tried before the error is returned.
	Attempts int
	// Backoff is the wait before the second attempt; it doubles for each further one.
	Backoff time.Duration
}

// Notifier sends the emails.
type Notifier struct {
	sender Sender
	sent   SentStore
	now    func() time.Time
	wait   func(ctx context.Context, d time.Duration) error
	cfg    Settings
	logger *slog.Logger
}

// New returns a Notifier. wait sleeps between attempts (nil: a timer honouring ctx).
func New(sender Sender, sent SentStore, now func() time.Time, wait func(context.Context, time.Duration) error, cfg Settings, logger *slog.Logger) *Notifier {
	if wait == nil {
		wait = sleep
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Attempts < 1 {
		cfg.Attempts = 1
	}
	return &Notifier{sender: sender, sent: sent, now: now, wait: wait, cfg: cfg, logger: logger}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Result says what a notification did.
type Result string

// The results.
const (
	Sent      Result = "sent"
	Duplicate Result = "duplicate" // the email was sent before
	InFlight  Result = "in_flight" // another delivery is sending it
	Folded    Result = "folded"    // an error report kept for its workflow's email
)

// ErrInFlight is returned when another delivery holds the claim: the event is retried later and
// then finds the email sent (or the claim expired).
var ErrInFlight = errors.New("email for this workflow is being sent by another delivery")

// TradingKey is the sent-store key of a workflow's email.
func TradingKey(correlationID string) string { return "workflow:" + correlationID }

// Trading sends the workflow's one email. replay marks an event replayed from the archive.
func (n *Notifier) Trading(ctx context.Context, ev *v1.TradingNotificationRequested, replay bool) (Result, error) {
	key := TradingKey(ev.CorrelationID)
	report := ""
	if rec, err := n.sent.Get(ctx, key); err == nil {
		if rec.Sent {
			n.logger.InfoContext(ctx, "email already sent", "message_id", rec.MessageID)
			return Duplicate, nil
		}
		report = rec.Report
	} else if !errors.Is(err, sentstore.ErrNotFound) {
		return "", fmt.Errorf("check sent email %s: %w", key, err)
	}
	if ev.Failure != nil && report == "" {
		report = fallbackReport(ev)
	}
	email, err := render.Trading(ev, report, render.Options{Neutral: n.cfg.Neutral, Replay: replay})
	if err != nil {
		return "", fmt.Errorf("render email %s: %w", key, err)
	}
	return n.deliver(ctx, key, email)
}

// fallbackReport is the failure's report when the workflow's ErrorNotificationRequested has not
// arrived: the failure and the timeline, which the notification carries.
func fallbackReport(ev *v1.TradingNotificationRequested) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Workflow %s failed at step %s (code %s).\nReason: %s\nEvents seen:\n", ev.CorrelationID, ev.Failure.Step, ev.Failure.Code, ev.Failure.Reason)
	for _, t := range ev.Timeline {
		fmt.Fprintf(&b, "  %s %s %s %s\n", t.At.UTC().Format(time.RFC3339), t.Step, t.EventType, t.EventID)
	}
	return b.String()
}

// Error handles an ErrorNotificationRequested. One that belongs to a workflow (it has a
// correlation ID) is folded into that workflow's email: its report is kept for it and no second
// email is sent. One outside any workflow sends an alert email, once per event.
func (n *Notifier) Error(ctx context.Context, ev *v1.ErrorNotificationRequested) (Result, error) {
	if ev.CorrelationID != "" {
		if err := n.sent.SaveReport(ctx, TradingKey(ev.CorrelationID), ev.Report); err != nil {
			return "", fmt.Errorf("fold error report into workflow %s: %w", ev.CorrelationID, err)
		}
		n.logger.InfoContext(ctx, "error report folded into the workflow's email", "code", ev.Code)
		return Folded, nil
	}
	email, err := render.Alert(ev)
	if err != nil {
		return "", fmt.Errorf("render alert %s: %w", ev.EventID, err)
	}
	return n.deliver(ctx, "alert:"+ev.EventID, email)
}

// deliver claims key, sends with retries, and records the Message-ID.
func (n *Notifier) deliver(ctx context.Context, key string, e render.Email) (Result, error) {
	now := n.now().UTC()
	switch err := n.sent.Claim(ctx, key, now, n.cfg.Lease); {
	case errors.Is(err, sentstore.ErrSent):
		return Duplicate, nil
	case errors.Is(err, sentstore.ErrClaimed):
		return InFlight, fmt.Errorf("send %s: %w", key, ErrInFlight)
	case err != nil:
		return "", fmt.Errorf("claim %s: %w", key, err)
	}
	msg := Message{MessageID: v1.DeriveID("email", key) + "@" + n.cfg.Domain, Date: now, Subject: e.Subject, Text: e.Text, HTML: e.HTML}
	if e.Chart != nil {
		msg.Inline = []Inline{{CID: render.ChartCID, ContentType: "image/png", Data: e.Chart}}
	}
	if err := n.send(ctx, msg); err != nil {
		// Use a fresh context: the invocation's may be what ran out.
		if rerr := n.sent.Release(context.WithoutCancel(ctx), key); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return "", fmt.Errorf("send %s: %w", key, err)
	}
	if err := n.sent.Complete(context.WithoutCancel(ctx), key, msg.MessageID, n.now().UTC()); err != nil {
		return "", fmt.Errorf("record sent email %s: %w", key, err)
	}
	n.logger.InfoContext(ctx, "email sent", "message_id", msg.MessageID, "subject", msg.Subject)
	return Sent, nil
}

// send tries cfg.Attempts times with doubling backoff.
func (n *Notifier) send(ctx context.Context, m Message) error {
	var errs []error
	d := n.cfg.Backoff
	for i := 0; i < n.cfg.Attempts; i++ {
		if i > 0 {
			if err := n.wait(ctx, d); err != nil {
				errs = append(errs, err)
				break
			}
			d *= 2
		}
		err := n.sender.Send(ctx, m)
		if err == nil {
			return nil
		}
		errs = append(errs, fmt.Errorf("attempt %d: %w", i+1, err))
	}
	return errors.Join(errs...)
}
