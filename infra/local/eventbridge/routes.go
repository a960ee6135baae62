package eventbridge

import (
	"context"
	"fmt"

	"github.com/alchemiser/alchemiser/contracts/routing"
)

// InstallRoutes installs the routing table on a bus: for each route, its dead-letter queue, its
// rule (with the pattern the route itself builds) and one target, the function arnFor returns
// for the route's service, with the route's retry policy and dead-letter queue. It is
// idempotent, so it runs at every start. dlqArnFor may be nil: queues are then the bus's own.
func InstallRoutes(ctx context.Context, b *Bus, busName string, routes []routing.Route, arnFor func(routing.Service) string, dlqArnFor func(name string) string) error {
	if dlqArnFor == nil {
		dlqArnFor = b.QueueARN
	}
	for _, rt := range routes {
		if rt.DLQ != "" {
			if err := b.CreateQueue(ctx, rt.DLQ, nil); err != nil {
				return fmt.Errorf("install route %s: create queue %s: %w", rt.Name, rt.DLQ, err)
			}
		}
		if _, err := b.PutRule(ctx, PutRuleInput{Name: rt.Name, Description: rt.Description, EventPattern: string(rt.Pattern()), EventBusName: busName}); err != nil {
			return fmt.Errorf("install route %s: put rule: %w", rt.Name, err)
		}
		retries, age := rt.Retry.MaximumRetryAttempts, rt.Retry.MaximumEventAgeSeconds
		t := Target{Id: string(rt.Target), Arn: arnFor(rt.Target), RetryPolicy: &RetryPolicy{MaximumRetryAttempts: &retries, MaximumEventAgeInSeconds: &age}}
		if rt.DLQ != "" {
			t.DeadLetterConfig = &DeadLetterConfig{Arn: dlqArnFor(rt.DLQ)}
		}
		failed, err := b.PutTargets(ctx, busName, rt.Name, []Target{t})
		if err != nil {
			return fmt.Errorf("install route %s: put target: %w", rt.Name, err)
		}
		if len(failed) > 0 {
			return fmt.Errorf("install route %s: put target: %s: %s", rt.Name, failed[0].ErrorCode, failed[0].ErrorMessage)
		}
	}
	return nil
}

// EnsureArchive creates an archive of every event of a bus, unless one of that name exists.
func EnsureArchive(ctx context.Context, b *Bus, busName, name string, retentionDays int) error {
	if _, err := b.DescribeArchive(ctx, name); err == nil {
		return nil
	}
	if _, err := b.CreateArchive(ctx, CreateArchiveInput{ArchiveName: name, EventSourceArn: b.BusARN(busName), RetentionDays: retentionDays,
		Description: "Every event of the local bus, for alchemiser replay."}); err != nil {
		return fmt.Errorf("create archive %s: %w", name, err)
	}
	return nil
}
