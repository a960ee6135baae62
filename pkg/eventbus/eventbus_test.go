package eventbus_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/contracts/v1/v1example"

	"github.com/alchemiser/alchemiser/pkg/eventbus"
	"github.com/alchemiser/alchemiser/pkg/eventbus/eventbustest"
)

func noBackoff(int) time.Duration { return 0 }

func newAdapter(t testing.TB, srv *eventbustest.Server, opts ...eventbus.Option) *eventbus.EventBridge {
	t.Helper()
	opts = append([]eventbus.Option{eventbus.WithBackoff(noBackoff)}, opts...)
	p, err := eventbus.New(context.Background(), eventbus.Config{BusName: "alchemiser-test", Endpoint: srv.URL}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRecorderContract(t *testing.T) {
	eventbustest.Run(t, func(t *testing.T) eventbustest.Subject {
		r := eventbus.NewRecorder()
		return eventbustest.Subject{Publisher: r, Delivered: func() ([]v1.Event, error) { return r.Events(), nil }}
	})
}

func TestEventBridgeContract(t *testing.T) {
	eventbustest.Run(t, func(t *testing.T) eventbustest.Subject {
		srv := eventbustest.NewServer(t)
		return eventbustest.Subject{Publisher: newAdapter(t, srv), Delivered: srv.Events}
	})
}

func TestGuardContract(t *testing.T) {
	eventbustest.Run(t, func(t *testing.T) eventbustest.Subject {
		r := eventbus.NewRecorder()
		return eventbustest.Subject{Publisher: eventbus.Guard(r, nil), Delivered: func() ([]v1.Event, error) { return r.Events(), nil }}
	})
}

func manyEvents(n int) []v1.Event {
	out := make([]v1.Event, n)
	for i := range out {
		e := v1example.WorkflowStarted()
		e.EventID = v1.DeriveID("many", string(rune('A'+i)))
		out[i] = e
	}
	return out
}

func TestEventBridgeEntries(t *testing.T) {
	srv := eventbustest.NewServer(t)
	p := newAdapter(t, srv)
	e := v1example.TradeExecuted()
	if err := p.Publish(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	calls := srv.Calls()
	if len(calls) != 1 || len(calls[0]) != 1 {
		t.Fatalf("got calls %v, want one call with one entry", calls)
	}
	got := calls[0][0]
	if got.Source != string(v1.SourceExecution) || got.DetailType != string(v1.TypeTradeExecuted) || got.EventBusName != "alchemiser-test" {
		t.Errorf("entry source/detail-type/bus = %s/%s/%s", got.Source, got.DetailType, got.EventBusName)
	}
	sec, err := got.Time.Float64()
	if err != nil || int64(sec) != e.OccurredAt.Unix() {
		t.Errorf("entry time %s, want %d (occurred_at)", got.Time, e.OccurredAt.Unix())
	}
}

func TestEventBridgeSplitsBatches(t *testing.T) {
	srv := eventbustest.NewServer(t)
	p := newAdapter(t, srv)
	if err := p.Publish(context.Background(), manyEvents(23)...); err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for _, c := range srv.Calls() {
		sizes = append(sizes, len(c))
	}
	if want := []int{10, 10, 3}; !equalInts(sizes, want) {
		t.Fatalf("batch sizes %v, want %v", sizes, want)
	}
}

func TestEventBridgeSplitsBySize(t *testing.T) {
	srv := eventbustest.NewServer(t)
	p := newAdapter(t, srv)
	var events []v1.Event
	for i := range 4 {
		e := v1example.ErrorNotificationRequested()
		e.EventID = v1.DeriveID("big", string(rune('a'+i)))
		e.Report = strings.Repeat("x", 100*1024) // 4 x 100 KB: two per 256 KB call
		events = append(events, e)
	}
	if err := p.Publish(context.Background(), events...); err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for _, c := range srv.Calls() {
		sizes = append(sizes, len(c))
	}
	if want := []int{2, 2}; !equalInts(sizes, want) {
		t.Fatalf("batch sizes %v, want %v", sizes, want)
	}
}

func TestEventBridgeRejectsOversizedEntry(t *testing.T) {
	srv := eventbustest.NewServer(t)
	p := newAdapter(t, srv)
	e := v1example.ErrorNotificationRequested()
	e.Report = strings.Repeat("x", eventbus.MaxBatchBytes)
	var pe *eventbus.PublishError
	if err := p.Publish(context.Background(), e); !errors.As(err, &pe) || pe.Failed[0].Code != "EntryTooLarge" {
		t.Fatalf("got %v, want a PublishError with EntryTooLarge", err)
	}
	if n := len(srv.Calls()); n != 0 {
		t.Fatalf("%d calls made, want none", n)
	}
}

func TestEventBridgeRetriesOnlyFailedEntries(t *testing.T) {
	srv := eventbustest.NewServer(t)
	events := manyEvents(5)
	failOnce := map[string]bool{events[1].Meta().EventID: true, events[3].Meta().EventID: true}
	srv.Fail = func(call int, e eventbustest.Entry) string {
		for id := range failOnce {
			if strings.Contains(e.Detail, id) && call == 0 {
				return "ThrottlingException"
			}
		}
		return ""
	}
	var waits []int
	p := newAdapter(t, srv, eventbus.WithBackoff(func(attempt int) time.Duration { waits = append(waits, attempt); return 0 }))
	if err := p.Publish(context.Background(), events...); err != nil {
		t.Fatal(err)
	}
	calls := srv.Calls()
	if len(calls) != 2 {
		t.Fatalf("%d calls, want 2", len(calls))
	}
	if len(calls[1]) != 2 || !strings.Contains(calls[1][0].Detail, events[1].Meta().EventID) ||
		!strings.Contains(calls[1][1].Detail, events[3].Meta().EventID) {
		t.Fatalf("second call resent %d entries, want exactly events 1 and 3", len(calls[1]))
	}
	if !equalInts(waits, []int{2}) {
		t.Errorf("backoff asked for attempts %v, want [2]", waits)
	}
	got, err := srv.Events()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 {
		t.Fatalf("%d events accepted, want 5", len(got))
	}
}

func TestEventBridgeGivesUp(t *testing.T) {
	srv := eventbustest.NewServer(t)
	events := manyEvents(3)
	bad := events[2].Meta().EventID
	srv.Fail = func(call int, e eventbustest.Entry) string {
		if strings.Contains(e.Detail, bad) {
			return "InternalFailure"
		}
		return ""
	}
	p := newAdapter(t, srv, eventbus.WithMaxAttempts(3))
	err := p.Publish(context.Background(), events...)
	var pe *eventbus.PublishError
	if !errors.As(err, &pe) {
		t.Fatalf("got %v, want a PublishError", err)
	}
	if len(pe.Failed) != 1 || pe.Failed[0].EventID != bad || pe.Failed[0].Code != "InternalFailure" {
		t.Fatalf("failed entries %+v, want only %s with InternalFailure", pe.Failed, bad)
	}
	if !strings.Contains(err.Error(), bad) {
		t.Errorf("error %q does not name the failed event", err)
	}
	if n := len(srv.Calls()); n != 3 {
		t.Errorf("%d calls, want 3 (max attempts)", n)
	}
	if n := len(srv.Accepted()); n != 2 {
		t.Errorf("%d accepted, want 2", n)
	}
}

func TestEventBridgeRequestError(t *testing.T) {
	srv := eventbustest.NewServer(t)
	srv.RequestError = func(call int) string { return "ValidationException" }
	p := newAdapter(t, srv, eventbus.WithMaxAttempts(2))
	events := manyEvents(2)
	err := p.Publish(context.Background(), events...)
	var pe *eventbus.PublishError
	if !errors.As(err, &pe) || len(pe.Failed) != 2 || pe.Err == nil {
		t.Fatalf("got %v, want a PublishError listing both events with the request error", err)
	}
	if !strings.Contains(err.Error(), "ValidationException") {
		t.Errorf("error %q does not name the AWS error", err)
	}
}

func TestEventBridgeContextCancelled(t *testing.T) {
	srv := eventbustest.NewServer(t)
	srv.Fail = func(int, eventbustest.Entry) string { return "ThrottlingException" }
	ctx, cancel := context.WithCancel(context.Background())
	p := newAdapter(t, srv, eventbus.WithBackoff(func(int) time.Duration { cancel(); return time.Hour }))
	err := p.Publish(ctx, manyEvents(1)...)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestBreakerLogs(t *testing.T) {
	var buf bytes.Buffer
	r := eventbus.NewRecorder()
	r.Logger = slog.New(slog.NewJSONHandler(&buf, nil))
	ctx := eventbus.WithHandling(context.Background(), v1.TypeErrorNotificationRequested)
	if err := r.Publish(ctx, v1example.ErrorNotificationRequested()); err != nil {
		t.Fatal(err)
	}
	if len(r.Events()) != 0 || !strings.Contains(buf.String(), "circuit breaker") {
		t.Fatalf("events %v, log %q; want the notification dropped and logged", r.Events(), buf.String())
	}
}

func TestEntrySize(t *testing.T) {
	e := types.PutEventsRequestEntry{
		Source: aws.String("abc"), DetailType: aws.String("de"), Detail: aws.String(`{"é":1}`),
		Resources: []string{"r1", "r22"}, Time: aws.Time(time.Unix(0, 0)),
	}
	if got, want := eventbus.EntrySize(e), 14+3+2+len(`{"é":1}`)+2+3; got != want {
		t.Fatalf("EntrySize = %d, want %d", got, want)
	}
}

func TestConfigFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    eventbus.Config
		wantErr string
		local   bool
	}{
		{name: "aws", env: map[string]string{"EVENT_BUS_NAME": "b", "AWS_REGION": "eu-west-1"}, want: eventbus.Config{BusName: "b", Region: "eu-west-1"}},
		{name: "local", env: map[string]string{"EVENT_BUS_NAME": "b", "EVENTBRIDGE_ENDPOINT": "http://127.0.0.1:4010"},
			want: eventbus.Config{BusName: "b", Endpoint: "http://127.0.0.1:4010"}, local: true},
		{name: "localhost", env: map[string]string{"EVENT_BUS_NAME": "b", "EVENTBRIDGE_ENDPOINT": "http://localhost:4010"},
			want: eventbus.Config{BusName: "b", Endpoint: "http://localhost:4010"}, local: true},
		{name: "no bus", env: map[string]string{}, wantErr: "EVENT_BUS_NAME"},
		{name: "bad endpoint", env: map[string]string{"EVENT_BUS_NAME": "b", "EVENTBRIDGE_ENDPOINT": "127.0.0.1:4010"}, wantErr: "EVENTBRIDGE_ENDPOINT"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := eventbus.ConfigFromEnv(func(k string) string { return tc.env[k] })
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %v, want an error naming %s", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want || got.Local() != tc.local {
				t.Fatalf("got %+v (local %v), %v; want %+v (local %v)", got, got.Local(), err, tc.want, tc.local)
			}
		})
	}
}

func TestExponentialBackoff(t *testing.T) {
	b := eventbus.ExponentialBackoff(10*time.Millisecond, 100*time.Millisecond)
	for attempt := 2; attempt < 40; attempt++ {
		if d := b(attempt); d <= 0 || d > 100*time.Millisecond {
			t.Fatalf("attempt %d: %v outside (0, 100ms]", attempt, d)
		}
	}
	if d := eventbus.ExponentialBackoff(0, 0)(3); d != 0 {
		t.Fatalf("zero backoff gave %v", d)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func BenchmarkPublishRecorder(b *testing.B) {
	r := eventbus.NewRecorder()
	events := v1example.All()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Publish(ctx, events...); err != nil {
			b.Fatal(err)
		}
		r.Reset()
	}
}

func BenchmarkPublishEventBridge(b *testing.B) {
	srv := eventbustest.NewServer(b)
	p := newAdapter(b, srv)
	events := v1example.All()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Publish(ctx, events...); err != nil {
			b.Fatal(err)
		}
	}
}

func TestEventBridgeCancelledListsUnsentBatches(t *testing.T) {
	srv := eventbustest.NewServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	srv.Fail = func(call int, _ eventbustest.Entry) string {
		cancel() // the first call fails and cancels the publish
		return "ThrottlingException"
	}
	p := newAdapter(t, srv)
	events := manyEvents(15)
	err := p.Publish(ctx, events...)
	var pe *eventbus.PublishError
	if !errors.As(err, &pe) || !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want a PublishError wrapping context.Canceled", err)
	}
	if len(pe.Failed) != 15 {
		t.Fatalf("%d events listed as failed, want all 15 (10 rejected, 5 never sent)", len(pe.Failed))
	}
	if n := len(srv.Calls()); n != 1 {
		t.Fatalf("%d calls, want 1", n)
	}
}

func TestReportable(t *testing.T) {
	for _, dt := range v1.DetailTypes() {
		if got, want := eventbus.Reportable(dt), dt != v1.TypeErrorNotificationRequested; got != want {
			t.Errorf("Reportable(%s) = %v, want %v", dt, got, want)
		}
	}
}
