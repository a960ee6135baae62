package eventbridge_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alchemiser/alchemiser/infra/local/eventbridge"
)

// FuzzAPI feeds arbitrary operations and bodies to the bus's HTTP API (EventBridge JSON, SQS
// JSON and SQS query): it must answer every request, never with a server error or a panic.
func FuzzAPI(f *testing.F) {
	seeds := []struct{ target, body string }{
		{"AWSEvents.PutEvents", `{"Entries":[{"Source":"s","DetailType":"d","Detail":"{}"}]}`},
		{"AWSEvents.PutEvents", `{"Entries":[{"Source":"s","DetailType":"d","Detail":"{}","Time":1.5e9,"EventBusName":"nope"}]}`},
		{"AWSEvents.PutRule", `{"Name":"r","EventPattern":"{\"source\":[\"s\"]}"}`},
		{"AWSEvents.PutTargets", `{"Rule":"r","Targets":[{"Id":"t","Arn":"arn:aws:sqs:us-east-1:000000000000:q","RetryPolicy":{"MaximumRetryAttempts":1}}]}`},
		{"AWSEvents.TestEventPattern", `{"EventPattern":"{\"a\":[1]}","Event":"{}"}`},
		{"AWSEvents.StartReplay", `{"ReplayName":"x","EventSourceArn":"arn:aws:events:us-east-1:000000000000:archive/a","EventStartTime":0,"EventEndTime":"2020-01-01T00:00:00Z"}`},
		{"AWSEvents.CreateArchive", `{"ArchiveName":"a","EventSourceArn":"arn:aws:events:us-east-1:000000000000:event-bus/default","EventPattern":"{"}`},
		{"AmazonSQS.CreateQueue", `{"QueueName":"q"}`},
		{"AmazonSQS.SendMessage", `{"QueueUrl":"http://x/000000000000/q","MessageBody":"b","MessageAttributes":{"a":{"DataType":"String","StringValue":"v"}}}`},
		{"AmazonSQS.ReceiveMessage", `{"QueueUrl":"q","MaxNumberOfMessages":99,"MessageAttributeNames":["All"]}`},
		{"", `Action=ReceiveMessage&QueueUrl=q&MessageAttributeName.1=All`},
		{"", `Action=SendMessage&QueueUrl=q&MessageBody=%3Cx%3E&MessageAttribute.1.Name=a&MessageAttribute.1.Value.DataType=String`},
		{"AWSEvents.Nope", `[`},
	}
	for _, s := range seeds {
		f.Add(s.target, s.body)
	}
	bus, err := eventbridge.Open(context.Background(), eventbridge.Config{Path: filepath.Join(f.TempDir(), "bus.db")})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = bus.Close() })
	h := bus.Handler()
	f.Fuzz(func(t *testing.T, target, body string) {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		if target == "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			req.Header.Set("X-Amz-Target", target)
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Errorf("%s %q: status %d: %s", target, body, rec.Code, rec.Body.String())
		}
	})
}

// FuzzEpoch checks that timestamps in any form decode or fail cleanly, and that what decodes
// survives a round trip to the millisecond.
func FuzzEpoch(f *testing.F) {
	for _, s := range []string{`1700000000`, `1700000000.123`, `"2026-01-01T00:00:00Z"`, `null`, `1e400`, `-1`, `"x"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var e eventbridge.Epoch
		if err := e.UnmarshalJSON([]byte(s)); err != nil {
			return
		}
		b, err := e.MarshalJSON()
		if err != nil {
			t.Fatalf("marshal %q: %v", s, err)
		}
		var back eventbridge.Epoch
		if err := back.UnmarshalJSON(b); err != nil {
			t.Fatalf("round trip of %q through %s: %v", s, b, err)
		}
	})
}
