package app_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"

	"github.com/alchemiser/alchemiser/services/notifier/internal/app"
	"github.com/alchemiser/alchemiser/services/notifier/sentstore"
)

var t0 = time.Date(2026, 11, 30, 14, 50, 0, 0, time.UTC)

// fakeSender records messages; it fails the first failures sends.
type fakeSender struct {
	mu       sync.Mutex
	sent     []app.Message
	failures int
	calls    int
}

func (f *fakeSender) Send(_ context.Context, m app.Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.failures > 0 {
		f.failures--
		return errors.New("421 try again later")
	}
	f.sent = append(f.sent, m)
	return nil
}

func (f *fakeSender) count() int { f.mu.Lock(); defer f.mu.Unlock(); return len(f.sent) }

func newNotifier(s *fakeSender, store sentstore.Store) *app.Notifier {
	var waits []time.Duration
	var mu sync.Mutex
	return app.New(s, store, func() time.Time { return t0 }, func(_ context.Context, d time.Duration) error {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
		return nil
	}, app.Settings{Neutral: true, Domain: "example.com", Lease: time.Minute, Attempts: 3, Backoff: time.Second}, nil)
}

func md(t v1.DetailType, cid string) v1.Metadata {
	return v1.Metadata{EventType: t, EventID: v1.DeriveEventID(cid, t), CorrelationID: cid, CausationID: "c", SchemaVersion: v1.SchemaVersion,
		OccurredAt: t0, Producer: "orchestrator", Stage: "local", TradingMode: v1.ModePaper}
}

func tradingEvent(cid string, status v1.NotificationStatus) *v1.TradingNotificationRequested {
	n := &v1.TradingNotificationRequested{Metadata: md(v1.TypeTradingNotificationRequested, cid), Status: status, Summary: "s",
		StartedAt: t0, EndedAt: t0.Add(time.Second)}
	if status == v1.StatusFailure {
		n.Failure = &v1.Failure{Step: v1.StepStrategy, Code: "strategy_invalid", Reason: "bad file"}
	}
	return n
}

func TestExactlyOneEmailUnderRedelivery(t *testing.T) {
	s := &fakeSender{}
	n := newNotifier(s, sentstore.NewMemory())
	ev := tradingEvent("wf-1", v1.StatusSuccess)
	var results []app.Result
	for range 3 {
		r, err := n.Trading(context.Background(), ev, false)
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, r)
	}
	if s.count() != 1 || results[0] != app.Sent || results[1] != app.Duplicate || results[2] != app.Duplicate {
		t.Fatalf("sent %d, results %v", s.count(), results)
	}
	if !strings.HasSuffix(s.sent[0].MessageID, "@example.com") || s.sent[0].Subject != "[SUCCESS] Alchemiser - PAPER Trading Report" {
		t.Errorf("message %s %q", s.sent[0].MessageID, s.sent[0].Subject)
	}
}

func TestExactlyOneEmailUnderConcurrentDelivery(t *testing.T) {
	s := &fakeSender{}
	n := newNotifier(s, sentstore.NewMemory())
	ev := tradingEvent("wf-1", v1.StatusNoTrades)
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := n.Trading(context.Background(), ev, false)
			if err != nil && !errors.Is(err, app.ErrInFlight) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if s.count() != 1 {
		t.Fatalf("sent %d emails, want 1", s.count())
	}
}

func TestSMTPFailuresAreRetriedThenReturned(t *testing.T) {
	cases := []struct {
		name     string
		failures int
		wantErr  bool
		calls    int
	}{
		{"succeeds on the third attempt", 2, false, 3},
		{"all attempts fail", 5, true, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := &fakeSender{failures: c.failures}
			st := sentstore.NewMemory()
			n := newNotifier(s, st)
			_, err := n.Trading(context.Background(), tradingEvent("wf-1", v1.StatusSuccess), false)
			if (err != nil) != c.wantErr || s.calls != c.calls {
				t.Fatalf("err %v, calls %d", err, s.calls)
			}
			if c.wantErr {
				// The claim was released: the async retry sends.
				s.failures = 0
				if r, err := n.Trading(context.Background(), tradingEvent("wf-1", v1.StatusSuccess), false); err != nil || r != app.Sent {
					t.Fatalf("retry: %v %v", r, err)
				}
			}
			if s.count() != 1 {
				t.Fatalf("sent %d", s.count())
			}
		})
	}
}

func TestErrorNotificationIsFoldedIntoTheWorkflowEmail(t *testing.T) {
	for _, errorFirst := range []bool{true, false} {
		s := &fakeSender{}
		n := newNotifier(s, sentstore.NewMemory())
		en := &v1.ErrorNotificationRequested{Metadata: md(v1.TypeErrorNotificationRequested, "wf-1"), Severity: v1.SeverityError,
			Step: v1.StepStrategy, Code: "strategy_invalid", Message: "m", Report: "THE DETAILED REPORT"}
		tn := tradingEvent("wf-1", v1.StatusFailure)
		steps := []func() error{
			func() error { _, err := n.Error(context.Background(), en); return err },
			func() error { _, err := n.Trading(context.Background(), tn, false); return err },
		}
		if !errorFirst {
			steps[0], steps[1] = steps[1], steps[0]
		}
		for _, f := range steps {
			if err := f(); err != nil {
				t.Fatal(err)
			}
		}
		if s.count() != 1 {
			t.Fatalf("error first %t: %d emails, want 1", errorFirst, s.count())
		}
		m := s.sent[0]
		if !strings.HasPrefix(m.Subject, "[FAILURE][strategy_invalid]") {
			t.Errorf("subject %q", m.Subject)
		}
		if errorFirst && !strings.Contains(m.Text, "THE DETAILED REPORT") {
			t.Errorf("the folded report is missing:\n%s", m.Text)
		}
		if !errorFirst && !strings.Contains(m.Text, "failed at step strategy") {
			t.Errorf("the fallback report is missing:\n%s", m.Text)
		}
	}
}

func TestAlertOutsideAWorkflowSendsOnce(t *testing.T) {
	s := &fakeSender{}
	n := newNotifier(s, sentstore.NewMemory())
	en := &v1.ErrorNotificationRequested{Metadata: md(v1.TypeErrorNotificationRequested, ""), Severity: v1.SeverityCritical,
		Step: v1.StepExecution, Code: "dlq", Message: "3 events in execution-dlq"}
	en.EventID = "alert-1"
	for range 2 {
		if _, err := n.Error(context.Background(), en); err != nil {
			t.Fatal(err)
		}
	}
	if s.count() != 1 || !strings.HasPrefix(s.sent[0].Subject, "[ALERT][critical][dlq]") {
		t.Fatalf("sent %d", s.count())
	}
}

func TestReplayIsLabelledADryRun(t *testing.T) {
	s := &fakeSender{}
	n := newNotifier(s, sentstore.NewMemory())
	if _, err := n.Trading(context.Background(), tradingEvent("wf-1", v1.StatusSuccess), true); err != nil {
		t.Fatal(err)
	}
	if s.count() != 1 || !strings.HasPrefix(s.sent[0].Subject, "[DRY RUN]") {
		t.Fatalf("subject %q", s.sent[0].Subject)
	}
}
