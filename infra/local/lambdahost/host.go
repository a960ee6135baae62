// Package lambdahost runs Go handlers as local Lambda functions: each invocation gets a
// Lambda-like context (request ID, function ARN, deadline from the function's timeout), a slot
// under the function's concurrency limit (extra invocations queue, none are dropped), its own
// captured logs, and panic recovery. Asynchronous invocations are durably queued in SQLite
// before they are accepted, retried on function errors by the function's own async settings
// (MaximumRetryAttempts, default 2; MaximumEventAge, default 6 hours) and finally sent to the
// function's on-failure destination, as Lambda does. The Host is the local EventBridge's
// Dispatcher for Lambda targets.
package lambdahost

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alchemiser/alchemiser/infra/local/eventbridge"
	"github.com/alchemiser/alchemiser/infra/local/eventbridge/groupcommit"
	"github.com/alchemiser/alchemiser/pkg/sqlitedb"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Handler is a function's code: what lambdaevent.Router.Invoke is.
type Handler func(ctx context.Context, payload []byte) ([]byte, error)

// Function is a function's configuration.
type Function struct {
	// Name is the function's name; its ARN is arn:aws:lambda:REGION:ACCOUNT:function:NAME.
	Name string
	// Handler runs each invocation.
	Handler Handler
	// Timeout is each invocation's deadline (30s).
	Timeout time.Duration
	// Concurrency is how many invocations run at once (1); more wait their turn.
	Concurrency int
	// MaximumRetryAttempts is how often a failed async invocation is retried (0 to 2; nil means 2).
	MaximumRetryAttempts *int
	// MaximumEventAge is how long an async event may wait to run (6h).
	MaximumEventAge time.Duration
	// OnFailure is the SQS queue ARN that receives async invocations that failed for good ("" drops
	// them, with a log line).
	OnFailure string
}

// FailureDestination receives on-failure records; the local bus's queues implement it.
type FailureDestination interface {
	SendToQueue(ctx context.Context, queueARN string, body []byte) error
}

// Config configures a Host; zero fields take the defaults shown.
type Config struct {
	// Path is the SQLite file of the async event queue (required).
	Path string
	// Region and Account make function ARNs (us-east-1, 000000000000).
	Region, Account string
	// Now is the clock (time.Now).
	Now func() time.Time
	// RetryBaseDelay is the delay before the first async retry (1m, as Lambda); it doubles.
	RetryBaseDelay time.Duration
	// Seed seeds retry jitter (1).
	Seed uint64
	// KeepInvocations is how many recent invocations keep their logs (200).
	KeepInvocations int
	// Destinations receives on-failure records.
	Destinations FailureDestination
	// Logger receives the host's own diagnostics (slog.Default()).
	Logger *slog.Logger
}

// FunctionError is the error of an invocation whose function failed: returned an error,
// panicked or timed out.
type FunctionError struct {
	// Type is the error's type: the Go type of a returned error, "Panic" or "Timeout".
	Type string
	// Message is the error's message.
	Message string
	err     error
}

// Error returns "Type: Message".
func (e *FunctionError) Error() string { return e.Type + ": " + e.Message }

// Unwrap returns the handler's own error, if it returned one.
func (e *FunctionError) Unwrap() error { return e.err }

// ErrUnknownFunction is returned for invocations of a function that is not registered.
var ErrUnknownFunction = errors.New("function not found")

type function struct {
	Function
	arn   string
	slots chan struct{}
	queue *fifo
}

// Host runs functions.
type Host struct {
	cfg Config
	db  *sql.DB
	wr  *groupcommit.Committer
	log *slog.Logger

	mu    sync.RWMutex
	funcs map[string]*function

	rngMu sync.Mutex
	rng   *rand.Rand

	nextID  int64
	queued  atomic.Int64 // async events accepted and not yet finished
	doneMu  sync.Mutex
	doneIDs []int64
	syncRun atomic.Int64 // synchronous invocations running
	idMu    sync.Mutex
	logs    *logStore
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	pending map[string][]*asyncEvent // loaded at Open, waiting for their function to register
}

var _ eventbridge.Dispatcher = (*Host)(nil)

// Open opens the host's async queue at cfg.Path. Register functions, then events queued before
// a crash run again as their functions register.
func Open(ctx context.Context, cfg Config) (*Host, error) {
	if cfg.Path == "" {
		return nil, errors.New("lambdahost config: Path is required")
	}
	if cfg.Region == "" {
		cfg.Region = eventbridge.DefaultRegion
	}
	if cfg.Account == "" {
		cfg.Account = eventbridge.DefaultAccount
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RetryBaseDelay <= 0 {
		cfg.RetryBaseDelay = time.Minute
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	if cfg.KeepInvocations <= 0 {
		cfg.KeepInvocations = 200
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	db, err := sqlitedb.Open(cfg.Path)
	if err != nil {
		return nil, fmt.Errorf("open lambda queue: %w", err)
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS async_events (
		id INTEGER PRIMARY KEY, request_id TEXT NOT NULL, function TEXT NOT NULL, payload BLOB NOT NULL,
		received_ms INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '')`); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("create lambda queue schema: %w", err)
	}
	wr, err := groupcommit.New(ctx, db, 0)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	hctx, cancel := context.WithCancel(context.Background())
	h := &Host{cfg: cfg, db: db, wr: wr, log: cfg.Logger, funcs: map[string]*function{},
		rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed+1)), logs: newLogStore(cfg.KeepInvocations),
		ctx: hctx, cancel: cancel, pending: map[string][]*asyncEvent{}}
	if err := h.loadPending(ctx); err != nil {
		_ = h.Close()
		return nil, err
	}
	return h, nil
}

func (h *Host) loadPending(ctx context.Context) error {
	rows, err := h.db.QueryContext(ctx, `SELECT id, request_id, function, payload, received_ms, attempts, last_error FROM async_events ORDER BY id`)
	if err != nil {
		return fmt.Errorf("load queued async events: %w", err)
	}
	defer rows.Close()
	var maxID int64
	for rows.Next() {
		e := &asyncEvent{}
		var ms int64
		if err := rows.Scan(&e.id, &e.requestID, &e.function, &e.payload, &ms, &e.attempts, &e.lastErr); err != nil {
			return fmt.Errorf("load queued async events: %w", err)
		}
		e.received = time.UnixMilli(ms)
		h.pending[e.function] = append(h.pending[e.function], e)
		h.queued.Add(1)
		maxID = max(maxID, e.id)
	}
	h.nextID = max(maxID, h.cfg.Now().UnixMicro())
	return rows.Err()
}

// Close stops the host. Queued async events stay in the database for the next Open.
func (h *Host) Close() error {
	h.cancel()
	h.mu.RLock()
	for _, f := range h.funcs {
		f.queue.close()
	}
	h.mu.RUnlock()
	h.wg.Wait()
	return errors.Join(h.wr.Close(), h.db.Close())
}

// ARN returns the ARN of the function called name.
func (h *Host) ARN(name string) string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", h.cfg.Region, h.cfg.Account, name)
}

// Register adds a function and starts running its queued async events.
func (h *Host) Register(fn Function) error {
	if fn.Name == "" || fn.Handler == nil {
		return errors.New("register function: a name and a handler are required")
	}
	if fn.Timeout <= 0 {
		fn.Timeout = 30 * time.Second
	}
	if fn.Concurrency <= 0 {
		fn.Concurrency = 1
	}
	if fn.MaximumRetryAttempts == nil {
		two := 2
		fn.MaximumRetryAttempts = &two
	}
	if *fn.MaximumRetryAttempts < 0 || *fn.MaximumRetryAttempts > 2 {
		return fmt.Errorf("register function %s: MaximumRetryAttempts %d is not between 0 and 2", fn.Name, *fn.MaximumRetryAttempts)
	}
	if fn.MaximumEventAge <= 0 {
		fn.MaximumEventAge = 6 * time.Hour
	}
	f := &function{Function: fn, arn: h.ARN(fn.Name), slots: make(chan struct{}, fn.Concurrency), queue: newFIFO()}
	h.mu.Lock()
	if _, ok := h.funcs[fn.Name]; ok {
		h.mu.Unlock()
		return fmt.Errorf("register function %s: already registered", fn.Name)
	}
	h.funcs[fn.Name] = f
	pending := h.pending[fn.Name]
	delete(h.pending, fn.Name)
	h.mu.Unlock()
	for range fn.Concurrency {
		h.wg.Add(1)
		go h.asyncWorker(f)
	}
	for _, e := range pending {
		f.queue.push(e)
	}
	return nil
}

// Functions lists the registered functions' names.
func (h *Host) Functions() []string {
	h.mu.RLock()
	defer h.mu.RUnlock()
	out := make([]string, 0, len(h.funcs))
	for n := range h.funcs {
		out = append(out, n)
	}
	return out
}

func (h *Host) function(nameOrARN string) (*function, error) {
	name := nameOrARN
	if strings.HasPrefix(name, "arn:") {
		name = name[strings.LastIndex(name, ":function:")+len(":function:"):]
		if i := strings.Index(name, ":"); i >= 0 { // a version or alias qualifier
			name = name[:i]
		}
	}
	h.mu.RLock()
	f := h.funcs[name]
	h.mu.RUnlock()
	if f == nil {
		return nil, fmt.Errorf("%w: %s", ErrUnknownFunction, nameOrARN)
	}
	return f, nil
}

func (h *Host) newRequestID() string { return newUUID() }

// Invocation is the record of one invocation, with its captured logs.
type Invocation struct {
	RequestID string        `json:"request_id"`
	Function  string        `json:"function"`
	Async     bool          `json:"async"`
	Attempt   int           `json:"attempt"`
	Start     time.Time     `json:"start"`
	Duration  time.Duration `json:"duration_ns"`
	Error     string        `json:"error,omitempty"`
	Logs      string        `json:"logs"`
}

// Invoke runs a function synchronously (RequestResponse) and returns its result. A function
// failure is a *FunctionError; an unknown function is ErrUnknownFunction.
func (h *Host) Invoke(ctx context.Context, nameOrARN string, payload []byte) ([]byte, error) {
	f, err := h.function(nameOrARN)
	if err != nil {
		return nil, err
	}
	h.syncRun.Add(1)
	defer h.syncRun.Add(-1)
	out, _, err := h.run(ctx, f, h.newRequestID(), payload, false, 1)
	return out, err
}

// run takes a slot and runs one invocation.
func (h *Host) run(ctx context.Context, f *function, requestID string, payload []byte, async bool, attempt int) ([]byte, time.Duration, error) {
	select {
	case f.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, 0, fmt.Errorf("invoke %s: wait for a concurrency slot: %w", f.Name, ctx.Err())
	}
	defer func() { <-f.slots }()
	start := time.Now()
	rec := h.logs.begin(requestID, f.Name, async, attempt, h.cfg.Now())
	ictx, cancel := context.WithTimeout(ctx, f.Timeout)
	defer cancel()
	ictx = lambdacontext.NewContext(ictx, &lambdacontext.LambdaContext{AwsRequestID: requestID, InvokedFunctionArn: f.arn})
	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				rec.write(fmt.Sprintf("panic: %v\n%s", v, debug.Stack()))
				done <- result{err: &FunctionError{Type: "Panic", Message: fmt.Sprint(v)}}
			}
		}()
		out, err := f.Handler(ictx, payload)
		done <- result{out, err}
	}()
	var res result
	select {
	case res = <-done:
	case <-ictx.Done():
		res = result{err: &FunctionError{Type: "Timeout", Message: fmt.Sprintf("Task timed out after %.2f seconds", f.Timeout.Seconds())}}
		if ctx.Err() != nil {
			res.err = fmt.Errorf("invoke %s: %w", f.Name, ctx.Err())
		}
	}
	d := time.Since(start)
	if res.err != nil && errors.Is(ictx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
		res.err = &FunctionError{Type: "Timeout", Message: fmt.Sprintf("Task timed out after %.2f seconds", f.Timeout.Seconds())}
	}
	if res.err != nil {
		var fe *FunctionError
		if !errors.As(res.err, &fe) && !errors.Is(res.err, ctx.Err()) {
			res.err = &FunctionError{Type: fmt.Sprintf("%T", res.err), Message: res.err.Error(), err: res.err}
		}
	}
	h.logs.end(rec, d, res.err)
	return res.out, d, res.err
}

// Invocations returns the recent invocations, oldest first, with their logs.
func (h *Host) Invocations() []Invocation { return h.logs.list() }

// Logs returns the captured logs of an invocation, if it is still kept.
func (h *Host) Logs(requestID string) (string, bool) { return h.logs.get(requestID) }

func (h *Host) jitter(d time.Duration) time.Duration {
	h.rngMu.Lock()
	j := h.rng.Float64()
	h.rngMu.Unlock()
	return d/2 + time.Duration(j*float64(d/2))
}

// Pending returns how many invocations are outstanding: async events queued, running or waiting
// for a retry, plus synchronous invocations running.
func (h *Host) Pending() int { return int(h.queued.Load() + h.syncRun.Load()) }
