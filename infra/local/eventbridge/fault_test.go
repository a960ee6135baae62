package eventbridge_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alchemiser/alchemiser/contracts/routing"
	"github.com/alchemiser/alchemiser/infra/local/eventbridge"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/google/go-cmp/cmp"
)

const testPattern = `{"source":["test"]}`

// setupRule makes rule "r" -> target "t" (function fn) with a retry policy and DLQ "dlq".
func setupRule(t *testing.T, h *harness, fn string, retries, age int) {
	t.Helper()
	ctx := context.Background()
	if err := h.bus.CreateQueue(ctx, "dlq", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := h.bus.PutRule(ctx, eventbridge.PutRuleInput{Name: "r", EventPattern: testPattern}); err != nil {
		t.Fatal(err)
	}
	failed, err := h.bus.PutTargets(ctx, "", "r", []eventbridge.Target{{Id: "t", Arn: fnARN(fn),
		RetryPolicy:      &eventbridge.RetryPolicy{MaximumRetryAttempts: &retries, MaximumEventAgeInSeconds: &age},
		DeadLetterConfig: &eventbridge.DeadLetterConfig{Arn: h.bus.QueueARN("dlq")}}})
	if err != nil || len(failed) > 0 {
		t.Fatalf("put targets: %v %v", failed, err)
	}
}

func putOne(t *testing.T, h *harness, detail string) string {
	t.Helper()
	res, err := h.bus.PutEvents(context.Background(), []eventbridge.PutEventsRequestEntry{{Source: "test", DetailType: "T", Detail: detail}})
	if err != nil || res[0].ErrorCode != "" {
		t.Fatalf("put events: %+v %v", res, err)
	}
	return res[0].EventId
}

// receiveDLQ reads the DLQ through the real SQS client.
func receiveDLQ(t *testing.T, h *harness) []dlqMessage {
	t.Helper()
	ctx := context.Background()
	q, err := h.sqs.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("dlq")})
	if err != nil {
		t.Fatal(err)
	}
	out, err := h.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: []string{"All"}})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []dlqMessage
	for _, m := range out.Messages {
		d := dlqMessage{body: aws.ToString(m.Body), attrs: map[string]string{}}
		for k, v := range m.MessageAttributes {
			d.attrs[k] = aws.ToString(v.StringValue)
		}
		msgs = append(msgs, d)
	}
	return msgs
}

type dlqMessage struct {
	body  string
	attrs map[string]string
}

func dlqCount(t *testing.T, h *harness) string {
	t.Helper()
	a, err := h.bus.QueueAttributes(context.Background(), "dlq")
	if err != nil {
		t.Fatal(err)
	}
	return a["ApproximateNumberOfMessages"]
}

func TestFaults(t *testing.T) {
	const fn = "svc"
	tests := []struct {
		name      string
		retries   int
		age       int
		fail      func(h *harness) func(string, int) error
		delivered bool
		calls     int
		attrs     map[string]string
	}{
		{
			name: "fails twice then succeeds: delivered, not dead-lettered", retries: 5, age: 3600,
			fail: func(*harness) func(string, int) error {
				return func(_ string, n int) error {
					if n <= 2 {
						return errFailing
					}
					return nil
				}
			},
			delivered: true, calls: 3,
		},
		{
			name: "always fails: dead-lettered with every attribute", retries: 2, age: 3600,
			fail: func(*harness) func(string, int) error {
				return func(string, int) error { return errFailing }
			},
			calls: 3,
			attrs: map[string]string{
				"RULE_ARN": "arn:aws:events:us-east-1:000000000000:rule/r", "TARGET_ARN": fnARN(fn),
				"ERROR_CODE": "TooManyRequestsException", "ERROR_MESSAGE": "Rate Exceeded.",
				"EXHAUSTED_RETRY_CONDITION": "MaximumRetryAttempts", "RETRY_ATTEMPTS": "2",
			},
		},
		{
			name: "too old: dead-lettered with the MaximumEventAgeInSeconds condition", retries: 185, age: 60,
			fail: func(h *harness) func(string, int) error {
				return func(string, int) error {
					h.clock.Advance(2 * time.Minute)
					return errFailing
				}
			},
			calls: 1,
			attrs: map[string]string{
				"RULE_ARN": "arn:aws:events:us-east-1:000000000000:rule/r", "TARGET_ARN": fnARN(fn),
				"ERROR_CODE": "TooManyRequestsException", "ERROR_MESSAGE": "Rate Exceeded.",
				"EXHAUSTED_RETRY_CONDITION": "MaximumEventAgeInSeconds", "RETRY_ATTEMPTS": "0",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var h *harness
			h = newHarness(t, func(arn string, n int) error { return tc.fail(h)(arn, n) })
			setupRule(t, h, fn, tc.retries, tc.age)
			detail := `{"correlation_id":"corr-1","n":1}`
			id := putOne(t, h, detail)
			if tc.delivered {
				got := <-h.rec.calls
				if !strings.Contains(string(got.event), id) {
					t.Errorf("delivered %s, want event %s", got.event, id)
				}
				waitFor(t, "the delivery to be recorded", func() (bool, error) {
					tr, err := h.bus.Trace(context.Background(), "corr-1")
					return len(tr.Attempts) == tc.calls, err
				})
				if n := dlqCount(t, h); n != "0" {
					t.Errorf("DLQ holds %s messages, want 0", n)
				}
			} else {
				waitFor(t, "a dead letter", func() (bool, error) { return dlqCount(t, h) == "1", nil })
				msgs := receiveDLQ(t, h)
				if len(msgs) != 1 {
					t.Fatalf("DLQ messages = %d, want 1", len(msgs))
				}
				if diff := cmp.Diff(tc.attrs, msgs[0].attrs); diff != "" {
					t.Errorf("DLQ attributes (-want +got):\n%s", diff)
				}
				var env map[string]any
				if err := json.Unmarshal([]byte(msgs[0].body), &env); err != nil || env["id"] != id {
					t.Errorf("DLQ body = %s, want the event %s", msgs[0].body, id)
				}
			}
			if got := h.rec.count(fnARN(fn)); got != tc.calls {
				t.Errorf("calls = %d, want %d", got, tc.calls)
			}
			tr, err := h.bus.Trace(context.Background(), "corr-1")
			if err != nil {
				t.Fatal(err)
			}
			if len(tr.Events) != 1 || len(tr.Events[0].Rules) != 1 || tr.Events[0].Rules[0] != "r" {
				t.Errorf("trace events = %+v", tr.Events)
			}
		})
	}
}

func TestDisabledRuleDoesNotMatch(t *testing.T) {
	h := newHarness(t, nil)
	setupRule(t, h, "svc", 0, 60)
	ctx := context.Background()
	if err := h.bus.SetRuleState(ctx, "", "r", false); err != nil {
		t.Fatal(err)
	}
	putOne(t, h, `{"correlation_id":"c-off"}`)
	if err := h.bus.SetRuleState(ctx, "", "r", true); err != nil {
		t.Fatal(err)
	}
	id := putOne(t, h, `{"correlation_id":"c-on"}`)
	got := <-h.rec.calls
	if !strings.Contains(string(got.event), id) {
		t.Errorf("first delivery is %s, want the event put while the rule was enabled (%s)", got.event, id)
	}
	tr, _ := h.bus.Trace(ctx, "c-off")
	if len(tr.Events) != 1 || len(tr.Events[0].Rules) != 0 {
		t.Errorf("the event put while disabled matched %+v", tr.Events)
	}
}

func TestReplay(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	for _, r := range []string{"a", "b"} {
		if _, err := h.bus.PutRule(ctx, eventbridge.PutRuleInput{Name: r, EventPattern: testPattern}); err != nil {
			t.Fatal(err)
		}
		if _, err := h.bus.PutTargets(ctx, "", r, []eventbridge.Target{{Id: "t", Arn: fnARN(r)}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := eventbridge.EnsureArchive(ctx, h.bus, "default", "arch", 0); err != nil {
		t.Fatal(err)
	}
	start := h.clock.Now()
	var ids []string
	for range 3 {
		ids = append(ids, putOne(t, h, `{"correlation_id":"rp"}`))
	}
	for range 6 {
		<-h.rec.calls
	}
	h.clock.Advance(5 * time.Second)
	outside := putOne(t, h, `{"correlation_id":"late"}`) // after the window: not replayed
	for range 2 {
		<-h.rec.calls
	}
	waitFor(t, "4 archived events", func() (bool, error) {
		a, err := h.bus.DescribeArchive(ctx, "arch")
		return a.EventCount == 4, err
	})
	end := start.Add(5 * time.Second)
	e1, e2 := eventbridge.Epoch(start), eventbridge.Epoch(end)
	if _, err := h.bus.StartReplay(ctx, eventbridge.StartReplayInput{ReplayName: "rp", EventSourceArn: h.bus.ArchiveARN("arch"),
		EventStartTime: &e1, EventEndTime: &e2,
		Destination: eventbridge.ReplayDestination{Arn: h.bus.BusARN("default"), FilterArns: []string{h.bus.RuleARN("default", "a")}}}); err != nil {
		t.Fatal(err)
	}
	rp, err := h.bus.WaitReplay(ctx, "rp")
	if err != nil || rp.State != eventbridge.ReplayCompleted {
		t.Fatalf("replay = %+v, %v", rp, err)
	}
	got := map[string]bool{}
	for range 3 {
		c := <-h.rec.calls
		var env struct {
			ID         string `json:"id"`
			ReplayName string `json:"replay-name"`
		}
		if err := json.Unmarshal(c.event, &env); err != nil {
			t.Fatal(err)
		}
		if c.arn != fnARN("a") {
			t.Errorf("replayed to %s; FilterArns allow only rule a", c.arn)
		}
		if env.ReplayName != "rp" {
			t.Errorf("replayed event lacks replay-name: %s", c.event)
		}
		got[env.ID] = true
	}
	for _, id := range ids {
		if !got[id] {
			t.Errorf("event %s of the window was not replayed", id)
		}
	}
	if got[outside] {
		t.Errorf("event %s outside the window was replayed", outside)
	}
	a, err := h.bus.DescribeArchive(ctx, "arch")
	if err != nil || a.EventCount != 4 {
		t.Errorf("archive holds %d events after the replay, want 4 (replayed events are not re-archived)", a.EventCount)
	}
	if n := h.rec.count(fnARN("b")); n != 4 {
		t.Errorf("rule b got %d deliveries, want 4 (none replayed)", n)
	}
}

func TestInstallRoutes(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	arn := func(s routing.Service) string { return fnARN(string(s)) }
	for range 2 { // idempotent
		if err := eventbridge.InstallRoutes(ctx, h.bus, "default", routing.Table(), arn, nil); err != nil {
			t.Fatal(err)
		}
	}
	rules, err := h.bus.ListRules("", "")
	if err != nil || len(rules) != len(routing.Table()) {
		t.Fatalf("rules = %d, %v", len(rules), err)
	}
	n := 0
	for _, rt := range routing.Table() {
		for _, src := range rt.Sources {
			for _, dt := range rt.DetailTypes {
				n++
				corr := fmt.Sprintf("route-%d", n)
				res, err := h.bus.PutEvents(ctx, []eventbridge.PutEventsRequestEntry{{Source: string(src), DetailType: string(dt), Detail: `{"correlation_id":"` + corr + `"}`}})
				if err != nil || res[0].ErrorCode != "" {
					t.Fatal(err, res)
				}
				tr, err := h.bus.Trace(ctx, corr)
				if err != nil || len(tr.Events) != 1 || !slices.Contains(tr.Events[0].Rules, rt.Name) {
					t.Errorf("%s from %s did not match rule %s: %+v %v", dt, src, rt.Name, tr.Events, err)
				}
			}
		}
	}
}
