package localcloud_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	eb "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/alchemiser/alchemiser/infra/local/eventbridge"
	"github.com/alchemiser/alchemiser/infra/local/localcloud"
)

// TestReplayNeverTrades trades once, then replays the whole archived workflow through the
// EventBridge API (the real SDK). Every replayed event carries replay-name, so execution runs
// the replayed plan dry: the simulator's order log does not grow, and no second email is sent.
func TestReplayNeverTrades(t *testing.T) {
	c := start(t, localcloud.Options{})
	began := time.Now().Add(-time.Second)
	s := run(t, c, localcloud.StartCommand{Mode: "trade"})
	if s.State != "Completed" || s.OrderCheck.OrdersInLog == 0 {
		t.Fatalf("the first run did not trade: %s, %d orders", s.State, s.OrderCheck.OrdersInLog)
	}
	orders, mails := len(c.Sim.Orders()), c.Inbox.Stored()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client := eb.New(eb.Options{Region: "us-east-1", BaseEndpoint: aws.String(c.EventsEndpoint()),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	arch, err := client.DescribeArchive(ctx, &eb.DescribeArchiveInput{ArchiveName: aws.String(eventbridge.DefaultArchiveName)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.StartReplay(ctx, &eb.StartReplayInput{
		ReplayName: aws.String("replay-test"), EventSourceArn: arch.ArchiveArn,
		EventStartTime: aws.Time(began), EventEndTime: aws.Time(time.Now()),
		Destination: &types.ReplayDestination{Arn: arch.EventSourceArn},
	}); err != nil {
		t.Fatal(err)
	}
	for {
		d, err := client.DescribeReplay(ctx, &eb.DescribeReplayInput{ReplayName: aws.String("replay-test")})
		if err != nil {
			t.Fatal(err)
		}
		if d.State == types.ReplayStateCompleted {
			break
		}
		if d.State == types.ReplayStateFailed || d.State == types.ReplayStateCancelled {
			t.Fatalf("replay ended %s: %s", d.State, aws.ToString(d.StateReason))
		}
		select {
		case <-ctx.Done():
			t.Fatal("the replay did not finish")
		case <-time.After(10 * time.Millisecond): // poll interval
		}
	}
	if err := c.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	tr, err := c.Bus.Trace(ctx, s.CorrelationID)
	if err != nil {
		t.Fatal(err)
	}
	replayed, dryRuns := 0, 0
	for _, e := range tr.Events {
		if e.ReplayName == "replay-test" {
			replayed++
		}
		if e.DetailType == "TradeExecuted" && e.ReplayName == "" && strings.Contains(string(e.Envelope), `"outcome":"dry_run"`) {
			dryRuns++
		}
	}
	if dryRuns != 1 {
		t.Errorf("execution answered the replayed plan with %d dry-run reports, want 1", dryRuns)
	}
	if replayed == 0 {
		t.Fatal("no event of the workflow was replayed")
	}
	if n := len(c.Sim.Orders()); n != orders {
		t.Fatalf("the replay placed %d orders", n-orders)
	}
	if n := c.Inbox.Stored(); n != mails {
		t.Fatalf("the replay sent %d emails", n-mails)
	}
	t.Logf("%d events replayed; orders and emails unchanged", replayed)
}
