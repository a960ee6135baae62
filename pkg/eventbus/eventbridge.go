package eventbus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
)

// PutEvents limits, from the EventBridge documentation.
const (
	// MaxBatchEntries is the most entries one PutEvents call takes.
	MaxBatchEntries = 10
	// MaxBatchBytes is the most bytes one PutEvents call takes, counted as EntrySize does.
	MaxBatchBytes = 256 * 1024
)

// DefaultMaxAttempts is how many times a batch is sent before its failed entries are given up.
const DefaultMaxAttempts = 5

// EntrySize returns the size EventBridge counts for one PutEvents entry: 14 bytes for the time
// when set, plus the UTF-8 bytes of source, detail-type, detail and each resource.
func EntrySize(e types.PutEventsRequestEntry) int {
	n := 0
	if e.Time != nil {
		n += 14
	}
	n += len(aws.ToString(e.Source)) + len(aws.ToString(e.DetailType)) + len(aws.ToString(e.Detail))
	for _, r := range e.Resources {
		n += len(r)
	}
	return n
}

// PutEventsAPI is the part of the EventBridge client the adapter uses.
type PutEventsAPI interface {
	PutEvents(ctx context.Context, in *eventbridge.PutEventsInput, opts ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error)
}

var _ PutEventsAPI = (*eventbridge.Client)(nil)

// Backoff returns how long to wait before attempt number attempt (2 for the first retry).
type Backoff func(attempt int) time.Duration

// ExponentialBackoff returns a Backoff that waits a random time up to base*2^(attempt-2), capped
// at ceiling ("full jitter").
func ExponentialBackoff(base, ceiling time.Duration) Backoff {
	return func(attempt int) time.Duration {
		d := base << min(max(0, attempt-2), 30)
		if d <= 0 || d > ceiling {
			d = ceiling
		}
		if d <= 0 {
			return 0
		}
		return rand.N(d) + 1
	}
}

// EventBridge is the Publisher that sends events to an EventBridge bus with PutEvents.
type EventBridge struct {
	api         PutEventsAPI
	bus         string
	logger      *slog.Logger
	backoff     Backoff
	maxAttempts int
}

var _ Publisher = (*EventBridge)(nil)

// Option configures the EventBridge adapter.
type Option func(*options)

type options struct {
	logger      *slog.Logger
	backoff     Backoff
	maxAttempts int
	httpClient  *http.Client
	api         PutEventsAPI
}

// WithLogger sets the logger for retries and the circuit breaker; the default discards.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithBackoff sets the wait between attempts; tests pass func(int) time.Duration { return 0 }.
func WithBackoff(b Backoff) Option { return func(o *options) { o.backoff = b } }

// WithMaxAttempts sets how many times a batch is sent (at least 1).
func WithMaxAttempts(n int) Option { return func(o *options) { o.maxAttempts = max(1, n) } }

// WithHTTPClient sets the HTTP client of the SDK.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.httpClient = c } }

// WithAPI replaces the SDK client, for tests of the batching logic.
func WithAPI(api PutEventsAPI) Option { return func(o *options) { o.api = api } }

// New returns an EventBridge publisher for cfg. For an AWS endpoint it loads the SDK's default
// configuration (credentials from the environment or the Lambda role). For a loopback endpoint
// (the local bus) it needs no AWS configuration: it uses static dummy credentials and region
// us-east-1 unless cfg.Region says otherwise.
func New(ctx context.Context, cfg Config, opts ...Option) (*EventBridge, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	o := options{backoff: ExponentialBackoff(50*time.Millisecond, 2*time.Second), maxAttempts: DefaultMaxAttempts}
	for _, opt := range opts {
		opt(&o)
	}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	api := o.api
	if api == nil {
		awsCfg, err := loadAWSConfig(ctx, cfg, o.httpClient)
		if err != nil {
			return nil, err
		}
		api = eventbridge.NewFromConfig(awsCfg, func(eo *eventbridge.Options) {
			if cfg.Endpoint != "" {
				eo.BaseEndpoint = aws.String(cfg.Endpoint)
			}
		})
	}
	return &EventBridge{api: api, bus: cfg.BusName, logger: o.logger, backoff: o.backoff, maxAttempts: o.maxAttempts}, nil
}

func loadAWSConfig(ctx context.Context, cfg Config, hc *http.Client) (aws.Config, error) {
	if cfg.Local() {
		region := cfg.Region
		if region == "" {
			region = "us-east-1"
		}
		c := aws.Config{
			Region:      region,
			Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
		}
		if hc != nil {
			c.HTTPClient = hc
		}
		return c, nil
	}
	var lo []func(*awsconfig.LoadOptions) error
	if cfg.Region != "" {
		lo = append(lo, awsconfig.WithRegion(cfg.Region))
	}
	if hc != nil {
		lo = append(lo, awsconfig.WithHTTPClient(hc))
	}
	c, err := awsconfig.LoadDefaultConfig(ctx, lo...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS config: %w", err)
	}
	return c, nil
}

// isLoopback reports whether endpoint is an http(s) URL of this machine.
func isLoopback(endpoint string) bool {
	u, err := url.Parse(endpoint)
	if err != nil {
		return false
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// FailedEntry is an event that EventBridge did not accept.
type FailedEntry struct {
	EventID    string
	DetailType v1.DetailType
	// Code and Message are EventBridge's ErrorCode and ErrorMessage, or describe a local reason.
	Code    string
	Message string
}

// PublishError lists the events that were not published after every attempt. Events not listed
// were published.
type PublishError struct {
	Failed []FailedEntry
	// Err is the last request error, when a whole request failed.
	Err error
}

// Error lists every event that was not accepted, with its error code and message.
func (e *PublishError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "publish events: %d not accepted:", len(e.Failed))
	for i, f := range e.Failed {
		if i > 0 {
			b.WriteByte(';')
		}
		fmt.Fprintf(&b, " %s %s (%s: %s)", f.DetailType, f.EventID, f.Code, f.Message)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

// Unwrap returns the last request error.
func (e *PublishError) Unwrap() error { return e.Err }

type pending struct {
	entry types.PutEventsRequestEntry
	event v1.Event
}

// Publish sends events in batches of at most MaxBatchEntries entries and MaxBatchBytes bytes.
// After a partial failure it resends only the failed entries, waiting with backoff, up to the
// configured number of attempts; then it returns a *PublishError listing the events that were not
// accepted. An event that breaks the contract fails the whole call before anything is sent.
// ErrorNotificationRequested events forbidden by the circuit breaker are dropped and logged.
func (p *EventBridge) Publish(ctx context.Context, events ...v1.Event) error {
	events = breaker(ctx, p.logger, events)
	entries := make([]pending, 0, len(events))
	for _, e := range events {
		detail, _, err := encodeEvent(e)
		if err != nil {
			return err
		}
		entry := types.PutEventsRequestEntry{
			Source:     aws.String(string(e.Source())),
			DetailType: aws.String(string(e.DetailType())),
			Detail:     aws.String(string(detail)),
			Time:       aws.Time(e.Meta().OccurredAt),
			Resources:  []string{},
		}
		if p.bus != "" {
			entry.EventBusName = aws.String(p.bus)
		}
		if size := EntrySize(entry); size > MaxBatchBytes {
			return &PublishError{Failed: []FailedEntry{{EventID: e.Meta().EventID, DetailType: e.DetailType(),
				Code: "EntryTooLarge", Message: fmt.Sprintf("%d bytes, over the %d byte limit", size, MaxBatchBytes)}}}
		}
		entries = append(entries, pending{entry: entry, event: e})
	}
	var failed []FailedEntry
	var lastErr error
	all := batches(entries)
	for i, batch := range all {
		if err := ctx.Err(); err != nil {
			// Cancelled: the remaining batches are not sent, and are listed as failed.
			for _, rest := range all[i:] {
				failed = append(failed, describeAll(rest, nil, fmt.Errorf("not sent: %w", err))...)
			}
			lastErr = err
			break
		}
		f, err := p.sendBatch(ctx, batch)
		failed = append(failed, f...)
		if err != nil {
			lastErr = err
		}
	}
	if len(failed) > 0 || lastErr != nil {
		return &PublishError{Failed: failed, Err: lastErr}
	}
	return nil
}

// batches splits entries into PutEvents calls, keeping their order.
func batches(entries []pending) [][]pending {
	var out [][]pending
	start, size := 0, 0
	for i, e := range entries {
		n := EntrySize(e.entry)
		if i > start && (i-start == MaxBatchEntries || size+n > MaxBatchBytes) {
			out = append(out, entries[start:i])
			start, size = i, 0
		}
		size += n
	}
	if start < len(entries) {
		out = append(out, entries[start:])
	}
	return out
}

// sendBatch sends one batch, resending the failed entries, and returns those that never got in.
func (p *EventBridge) sendBatch(ctx context.Context, batch []pending) ([]FailedEntry, error) {
	todo := batch
	var lastFailed []FailedEntry
	var lastErr error
	for attempt := 1; attempt <= p.maxAttempts; attempt++ {
		if attempt > 1 {
			if err := sleep(ctx, p.backoff(attempt)); err != nil {
				return describeAll(todo, lastFailed, err), err
			}
			p.logger.InfoContext(ctx, "retrying events EventBridge did not accept",
				slog.Int("attempt", attempt), slog.Int("entries", len(todo)))
		}
		in := &eventbridge.PutEventsInput{Entries: make([]types.PutEventsRequestEntry, len(todo))}
		for i, e := range todo {
			in.Entries[i] = e.entry
		}
		out, err := p.api.PutEvents(ctx, in)
		if err != nil {
			// The SDK has already retried throttling and transient errors.
			lastErr = fmt.Errorf("put events: %w", err)
			lastFailed = nil
			if ctx.Err() != nil {
				break
			}
			continue
		}
		lastErr = nil
		if out.FailedEntryCount == 0 && len(out.Entries) == len(todo) {
			return nil, nil
		}
		if len(out.Entries) != len(todo) {
			lastErr = fmt.Errorf("put events: %d result entries for %d events", len(out.Entries), len(todo))
			lastFailed = nil
			continue
		}
		var again []pending
		lastFailed = lastFailed[:0]
		for i, r := range out.Entries {
			if r.ErrorCode == nil && r.EventId != nil {
				continue
			}
			again = append(again, todo[i])
			lastFailed = append(lastFailed, FailedEntry{EventID: todo[i].event.Meta().EventID,
				DetailType: todo[i].event.DetailType(), Code: aws.ToString(r.ErrorCode), Message: aws.ToString(r.ErrorMessage)})
		}
		if len(again) == 0 {
			return nil, nil
		}
		todo = again
	}
	return describeAll(todo, lastFailed, lastErr), lastErr
}

// describeAll lists the entries of todo as failed, with their last known error.
func describeAll(todo []pending, known []FailedEntry, err error) []FailedEntry {
	if len(known) == len(todo) {
		return append([]FailedEntry(nil), known...)
	}
	out := make([]FailedEntry, len(todo))
	for i, e := range todo {
		out[i] = FailedEntry{EventID: e.event.Meta().EventID, DetailType: e.event.DetailType(), Code: "RequestFailed"}
		if err != nil {
			out[i].Message = err.Error()
		}
	}
	return out
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

var errNoBus = errors.New("EVENT_BUS_NAME is empty")
