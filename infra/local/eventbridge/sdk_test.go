package eventbridge_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
)

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// TestSDK drives every operation of the bus through the real aws-sdk-go-v2 clients.
func TestSDK(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	c := h.eb
	pattern := `{"source":["alchemiser.strategy"],"detail-type":["SignalGenerated"]}`
	event := `{"id":"1","account":"000000000000","source":"alchemiser.strategy","time":"2026-01-01T00:00:00Z","region":"us-east-1","detail-type":"SignalGenerated","resources":[],"detail":{}}`

	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"DescribeEventBus default", func(t *testing.T) {
			out, err := c.DescribeEventBus(ctx, &eb.DescribeEventBusInput{})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(out.Arn) != "arn:aws:events:us-east-1:000000000000:event-bus/default" {
				t.Errorf("arn = %s", aws.ToString(out.Arn))
			}
		}},
		{"CreateEventBus", func(t *testing.T) {
			out, err := c.CreateEventBus(ctx, &eb.CreateEventBusInput{Name: aws.String("custom")})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasSuffix(aws.ToString(out.EventBusArn), ":event-bus/custom") {
				t.Errorf("arn = %s", aws.ToString(out.EventBusArn))
			}
			_, err = c.CreateEventBus(ctx, &eb.CreateEventBusInput{Name: aws.String("custom")})
			if apiCode(err) != "ResourceAlreadyExistsException" {
				t.Errorf("second create: %v", err)
			}
		}},
		{"ListEventBuses", func(t *testing.T) {
			out, err := c.ListEventBuses(ctx, &eb.ListEventBusesInput{})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.EventBuses) != 2 {
				t.Errorf("buses = %d, want 2", len(out.EventBuses))
			}
		}},
		{"DeleteEventBus", func(t *testing.T) {
			if _, err := c.DeleteEventBus(ctx, &eb.DeleteEventBusInput{Name: aws.String("custom")}); err != nil {
				t.Fatal(err)
			}
			_, err := c.DescribeEventBus(ctx, &eb.DescribeEventBusInput{Name: aws.String("custom")})
			if apiCode(err) != "ResourceNotFoundException" {
				t.Errorf("describe deleted: %v", err)
			}
			_, err = c.DeleteEventBus(ctx, &eb.DeleteEventBusInput{Name: aws.String("default")})
			if apiCode(err) != "ValidationException" {
				t.Errorf("delete default: %v", err)
			}
		}},
		{"TestEventPattern", func(t *testing.T) {
			out, err := c.TestEventPattern(ctx, &eb.TestEventPatternInput{EventPattern: aws.String(pattern), Event: aws.String(event)})
			if err != nil {
				t.Fatal(err)
			}
			if !out.Result {
				t.Error("want a match")
			}
			_, err = c.TestEventPattern(ctx, &eb.TestEventPatternInput{EventPattern: aws.String(`{"source":[]}`), Event: aws.String(event)})
			if apiCode(err) != "InvalidEventPatternException" {
				t.Errorf("bad pattern: %v", err)
			}
			_, err = c.TestEventPattern(ctx, &eb.TestEventPatternInput{EventPattern: aws.String(pattern), Event: aws.String(`{"source":"x"}`)})
			if apiCode(err) != "ValidationException" {
				t.Errorf("bad event: %v", err)
			}
		}},
		{"PutRule", func(t *testing.T) {
			out, err := c.PutRule(ctx, &eb.PutRuleInput{Name: aws.String("r1"), EventPattern: aws.String(pattern), Description: aws.String("d")})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(out.RuleArn) != "arn:aws:events:us-east-1:000000000000:rule/r1" {
				t.Errorf("arn = %s", aws.ToString(out.RuleArn))
			}
			_, err = c.PutRule(ctx, &eb.PutRuleInput{Name: aws.String("bad"), EventPattern: aws.String(`{"source":"x"}`)})
			if apiCode(err) != "InvalidEventPatternException" {
				t.Errorf("bad pattern: %v", err)
			}
		}},
		{"DescribeRule", func(t *testing.T) {
			out, err := c.DescribeRule(ctx, &eb.DescribeRuleInput{Name: aws.String("r1")})
			if err != nil {
				t.Fatal(err)
			}
			if out.State != types.RuleStateEnabled || aws.ToString(out.EventPattern) != pattern || aws.ToString(out.EventBusName) != "default" {
				t.Errorf("rule = %+v", out)
			}
			_, err = c.DescribeRule(ctx, &eb.DescribeRuleInput{Name: aws.String("nope")})
			if apiCode(err) != "ResourceNotFoundException" {
				t.Errorf("missing rule: %v", err)
			}
		}},
		{"DisableRule and EnableRule", func(t *testing.T) {
			if _, err := c.DisableRule(ctx, &eb.DisableRuleInput{Name: aws.String("r1")}); err != nil {
				t.Fatal(err)
			}
			out, _ := c.DescribeRule(ctx, &eb.DescribeRuleInput{Name: aws.String("r1")})
			if out.State != types.RuleStateDisabled {
				t.Errorf("state = %s", out.State)
			}
			if _, err := c.EnableRule(ctx, &eb.EnableRuleInput{Name: aws.String("r1")}); err != nil {
				t.Fatal(err)
			}
		}},
		{"ListRules", func(t *testing.T) {
			out, err := c.ListRules(ctx, &eb.ListRulesInput{NamePrefix: aws.String("r")})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Rules) != 1 || aws.ToString(out.Rules[0].Name) != "r1" {
				t.Errorf("rules = %+v", out.Rules)
			}
		}},
		{"CreateQueue (SQS)", func(t *testing.T) {
			if _, err := h.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("r1-dlq")}); err != nil {
				t.Fatal(err)
			}
		}},
		{"PutTargets", func(t *testing.T) {
			out, err := c.PutTargets(ctx, &eb.PutTargetsInput{Rule: aws.String("r1"), Targets: []types.Target{{
				Id: aws.String("fn"), Arn: aws.String(fnARN("portfolio")),
				RetryPolicy:      &types.RetryPolicy{MaximumRetryAttempts: aws.Int32(3), MaximumEventAgeInSeconds: aws.Int32(120)},
				DeadLetterConfig: &types.DeadLetterConfig{Arn: aws.String("arn:aws:sqs:us-east-1:000000000000:r1-dlq")},
			}}})
			if err != nil {
				t.Fatal(err)
			}
			if out.FailedEntryCount != 0 {
				t.Errorf("failed = %+v", out.FailedEntries)
			}
		}},
		{"ListTargetsByRule", func(t *testing.T) {
			out, err := c.ListTargetsByRule(ctx, &eb.ListTargetsByRuleInput{Rule: aws.String("r1")})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Targets) != 1 || aws.ToInt32(out.Targets[0].RetryPolicy.MaximumRetryAttempts) != 3 {
				t.Errorf("targets = %+v", out.Targets)
			}
		}},
		{"CreateArchive", func(t *testing.T) {
			out, err := c.CreateArchive(ctx, &eb.CreateArchiveInput{ArchiveName: aws.String("all"), EventSourceArn: aws.String("arn:aws:events:us-east-1:000000000000:event-bus/default")})
			if err != nil {
				t.Fatal(err)
			}
			if out.State != types.ArchiveStateEnabled {
				t.Errorf("state = %s", out.State)
			}
		}},
		{"PutEvents", func(t *testing.T) {
			out, err := c.PutEvents(ctx, &eb.PutEventsInput{Entries: []types.PutEventsRequestEntry{
				{Source: aws.String("alchemiser.strategy"), DetailType: aws.String("SignalGenerated"), Detail: aws.String(`{"correlation_id":"c-1"}`)},
				{Source: aws.String("alchemiser.strategy"), DetailType: aws.String("SignalGenerated"), Detail: aws.String(`not json`)},
				{Source: aws.String("alchemiser.strategy"), DetailType: aws.String("Other"), Detail: aws.String(`{}`)},
			}})
			if err != nil {
				t.Fatal(err)
			}
			if out.FailedEntryCount != 1 || aws.ToString(out.Entries[1].ErrorCode) != "MalformedDetail" || out.Entries[0].EventId == nil {
				t.Errorf("result = %+v", out.Entries)
			}
			got := <-h.rec.calls
			var env map[string]any
			if err := json.Unmarshal(got.event, &env); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"} {
				if _, ok := env[k]; !ok {
					t.Errorf("envelope lacks %q: %s", k, got.event)
				}
			}
			if env["id"] != aws.ToString(out.Entries[0].EventId) {
				t.Errorf("delivered id %v, want %s", env["id"], aws.ToString(out.Entries[0].EventId))
			}
			_, err = c.PutEvents(ctx, &eb.PutEventsInput{Entries: make([]types.PutEventsRequestEntry, 11)})
			if apiCode(err) != "ValidationException" {
				t.Errorf("11 entries: %v", err)
			}
		}},
		{"DescribeArchive and ListArchives", func(t *testing.T) {
			waitFor(t, "archived events", func() (bool, error) {
				out, err := c.DescribeArchive(ctx, &eb.DescribeArchiveInput{ArchiveName: aws.String("all")})
				return err == nil && out.EventCount == 2, err
			})
			out, err := c.ListArchives(ctx, &eb.ListArchivesInput{})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Archives) != 1 {
				t.Errorf("archives = %+v", out.Archives)
			}
		}},
		{"StartReplay, DescribeReplay, ListReplays", func(t *testing.T) {
			h.clock.Advance(2 * time.Second)
			end := h.clock.Now()
			out, err := c.StartReplay(ctx, &eb.StartReplayInput{
				ReplayName: aws.String("rp1"), EventSourceArn: aws.String("arn:aws:events:us-east-1:000000000000:archive/all"),
				EventStartTime: aws.Time(end.Add(-time.Hour)), EventEndTime: aws.Time(end),
				Destination: &types.ReplayDestination{Arn: aws.String("arn:aws:events:us-east-1:000000000000:event-bus/default")},
			})
			if err != nil {
				t.Fatal(err)
			}
			if out.State != types.ReplayStateStarting {
				t.Errorf("state = %s", out.State)
			}
			waitFor(t, "replay completion", func() (bool, error) {
				d, err := c.DescribeReplay(ctx, &eb.DescribeReplayInput{ReplayName: aws.String("rp1")})
				return err == nil && d.State == types.ReplayStateCompleted, err
			})
			got := <-h.rec.calls
			if !strings.Contains(string(got.event), `"replay-name":"rp1"`) {
				t.Errorf("replayed event lacks replay-name: %s", got.event)
			}
			l, err := c.ListReplays(ctx, &eb.ListReplaysInput{})
			if err != nil || len(l.Replays) != 1 {
				t.Errorf("replays = %+v, %v", l, err)
			}
			_, err = c.CancelReplay(ctx, &eb.CancelReplayInput{ReplayName: aws.String("rp1")})
			if apiCode(err) != "IllegalStatusException" {
				t.Errorf("cancel completed replay: %v", err)
			}
		}},
		{"ReceiveMessage (SQS) on an empty queue", func(t *testing.T) {
			q, err := h.sqs.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("r1-dlq")})
			if err != nil {
				t.Fatal(err)
			}
			out, err := h.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl})
			if err != nil || len(out.Messages) != 0 {
				t.Errorf("receive = %+v, %v", out, err)
			}
			a, err := h.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{"All"}})
			if err != nil || a.Attributes["ApproximateNumberOfMessages"] != "0" {
				t.Errorf("attributes = %+v, %v", a, err)
			}
			_, err = h.sqs.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("nope")})
			var qe *sqstypes.QueueDoesNotExist
			if !errors.As(err, &qe) {
				t.Errorf("missing queue: %v", err)
			}
		}},
		{"RemoveTargets, DeleteRule, DeleteArchive", func(t *testing.T) {
			_, err := c.DeleteRule(ctx, &eb.DeleteRuleInput{Name: aws.String("r1")})
			if apiCode(err) != "ValidationException" {
				t.Errorf("delete rule with targets: %v", err)
			}
			if _, err := c.RemoveTargets(ctx, &eb.RemoveTargetsInput{Rule: aws.String("r1"), Ids: []string{"fn"}}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.DeleteRule(ctx, &eb.DeleteRuleInput{Name: aws.String("r1")}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.DeleteArchive(ctx, &eb.DeleteArchiveInput{ArchiveName: aws.String("all")}); err != nil {
				t.Fatal(err)
			}
			_, err = c.DescribeArchive(ctx, &eb.DescribeArchiveInput{ArchiveName: aws.String("all")})
			if apiCode(err) != "ResourceNotFoundException" {
				t.Errorf("describe deleted archive: %v", err)
			}
		}},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.run) {
			return
		}
	}
}
