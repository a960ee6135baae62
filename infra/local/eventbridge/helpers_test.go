package eventbridge_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/alchemiser/alchemiser/infra/local/eventbridge"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	eb "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Now().UTC().Truncate(time.Second)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// call is one delivery a recorder saw.
type call struct {
	arn   string
	event []byte
}

// recorder is a Dispatcher that records deliveries and fails them as fail says.
type recorder struct {
	mu    sync.Mutex
	n     map[string]int
	calls chan call
	fail  func(arn string, n int) error
}

func newRecorder(fail func(arn string, n int) error) *recorder {
	return &recorder{n: map[string]int{}, calls: make(chan call, 10000), fail: fail}
}

func (r *recorder) Dispatch(_ context.Context, arn string, event []byte) error {
	r.mu.Lock()
	r.n[arn]++
	n := r.n[arn]
	r.mu.Unlock()
	if r.fail != nil {
		if err := r.fail(arn, n); err != nil {
			return err
		}
	}
	r.calls <- call{arn: arn, event: append([]byte(nil), event...)}
	return nil
}

func (r *recorder) count(arn string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n[arn]
}

type harness struct {
	bus   *eventbridge.Bus
	srv   *eventbridge.Server
	eb    *eb.Client
	sqs   *sqs.Client
	clock *fakeClock
	rec   *recorder
	dir   string
}

func newHarness(t *testing.T, fail func(arn string, n int) error) *harness {
	t.Helper()
	h := &harness{clock: newFakeClock(), rec: newRecorder(fail), dir: t.TempDir()}
	h.start(t)
	return h
}

func (h *harness) start(t *testing.T) {
	t.Helper()
	bus, err := eventbridge.Open(context.Background(), eventbridge.Config{
		Path: filepath.Join(h.dir, "bus.db"), Region: "us-east-1", Now: h.clock.Now,
		RetryBaseDelay: time.Millisecond, RetryMaxDelay: 4 * time.Millisecond, Lambda: h.rec,
	})
	if err != nil {
		t.Fatalf("open bus: %v", err)
	}
	srv, err := eventbridge.Listen(bus, "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	h.bus, h.srv = bus, srv
	h.eb, h.sqs = clients(srv.Endpoint())
	t.Cleanup(func() { h.stop(t) })
}

func (h *harness) stop(t *testing.T) {
	t.Helper()
	if h.srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = h.srv.Shutdown(ctx)
	if err := h.bus.Close(); err != nil {
		t.Errorf("close bus: %v", err)
	}
	h.srv, h.bus = nil, nil
}

func clients(endpoint string) (*eb.Client, *sqs.Client) {
	creds := credentials.NewStaticCredentialsProvider("local", "local", "")
	e := eb.New(eb.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), Credentials: creds})
	q := sqs.New(sqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), Credentials: creds})
	return e, q
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, err := cond()
		if err != nil {
			t.Fatalf("wait for %s: %v", what, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

// errFailing is the error of a target that is down.
var errFailing = &eventbridge.TargetError{Code: "TooManyRequestsException", Message: "Rate Exceeded."}

func fnARN(name string) string {
	return fmt.Sprintf("arn:aws:lambda:us-east-1:000000000000:function:%s", name)
}
