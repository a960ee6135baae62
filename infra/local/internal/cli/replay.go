package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	eb "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/spf13/cobra"

	"github.com/alchemiser/alchemiser/infra/local/eventbridge"
)

// replayFlags are the flags of `alchemiser replay`.
type replayFlags struct {
	from, to, endpoint, archive, name, region, stage string
	rules                                            []string
	wait                                             time.Duration
}

func newReplayCmd() *cobra.Command {
	var f replayFlags
	cmd := &cobra.Command{
		Use:   "replay --from T --to T [--rule R]...",
		Short: "Replay the local archive's events of [from, to) onto the local bus",
		Long: `Start a replay of the local archive through the EventBridge API (StartReplay), wait for it
and report its state. Replayed events carry replay-name, so execution runs them dry: a
replay never trades. --rule limits the replay to the named rules (FilterArns).
Times are RFC 3339 (2026-11-30T14:35:00Z) or dates (2026-11-30, midnight UTC).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runReplay(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.from, "from", "", "start of the window, inclusive (required)")
	fl.StringVar(&f.to, "to", "", "end of the window, exclusive (default: now)")
	fl.StringSliceVar(&f.rules, "rule", nil, "replay only to this rule (repeatable)")
	fl.StringVar(&f.archive, "archive", eventbridge.DefaultArchiveName, "archive to replay")
	fl.StringVar(&f.name, "name", "", "replay name (default: replay-<unix time>)")
	fl.StringVar(&f.region, "region", eventbridge.DefaultRegion, "region of the local bus")
	fl.DurationVar(&f.wait, "wait", 5*time.Minute, "how long to wait for the replay to finish (0: don't wait)")
	fl.StringVar(&f.stage, "stage", "", "replay a deployed stage's archive (dev, prod) through AWS with the default credentials; empty or local replays the local bus")
	endpointFlag(cmd, &f.endpoint)
	_ = cmd.MarkFlagRequired("from")
	return cmd
}

func parseWhen(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 time nor a YYYY-MM-DD date", s)
}

// eventsClient returns the real SDK client pointed at the local bus.
func eventsClient(endpoint, region string) *eb.Client {
	return eb.New(eb.Options{Region: region, BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
}

func runReplay(cmd *cobra.Command, f replayFlags) error {
	ctx := cmd.Context()
	from, err := parseWhen(f.from)
	if err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	to := time.Now()
	if f.to != "" {
		if to, err = parseWhen(f.to); err != nil {
			return fmt.Errorf("--to: %w", err)
		}
	}
	c := eventsClient(f.endpoint, f.region)
	switch f.stage {
	case "", "local": // the local bus's archive: eventbridge.DefaultArchiveName
	default:
		cfg, err := awsconfig.LoadDefaultConfig(ctx)
		if err != nil {
			return fmt.Errorf("load AWS configuration for stage %s: %w", f.stage, err)
		}
		c = eb.NewFromConfig(cfg)
		if !cmd.Flags().Changed("archive") {
			f.archive = "alchemiser-" + f.stage + "-archive"
		}
	}
	arch, err := c.DescribeArchive(ctx, &eb.DescribeArchiveInput{ArchiveName: aws.String(f.archive)})
	if err != nil {
		return fmt.Errorf("find archive %s: %w", f.archive, err)
	}
	bus := aws.ToString(arch.EventSourceArn)
	busName := bus[strings.LastIndex(bus, "/")+1:]
	var filters []string
	for _, r := range f.rules {
		rule, err := c.DescribeRule(ctx, &eb.DescribeRuleInput{Name: aws.String(r), EventBusName: aws.String(busName)})
		if err != nil {
			return fmt.Errorf("find rule %s: %w", r, err)
		}
		filters = append(filters, aws.ToString(rule.Arn))
	}
	name := f.name
	if name == "" {
		name = fmt.Sprintf("replay-%d", time.Now().Unix())
	}
	if _, err := c.StartReplay(ctx, &eb.StartReplayInput{ReplayName: aws.String(name), EventSourceArn: arch.ArchiveArn,
		EventStartTime: aws.Time(from), EventEndTime: aws.Time(to),
		Destination: &types.ReplayDestination{Arn: arch.EventSourceArn, FilterArns: filters}}); err != nil {
		return fmt.Errorf("start replay %s: %w", name, err)
	}
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "replay %s of %s [%s, %s) started\n", name, f.archive, from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339))
	if f.wait <= 0 {
		return nil
	}
	wctx, cancel := context.WithTimeout(ctx, f.wait)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		d, err := c.DescribeReplay(wctx, &eb.DescribeReplayInput{ReplayName: aws.String(name)})
		if err != nil {
			return fmt.Errorf("describe replay %s: %w", name, err)
		}
		switch d.State {
		case types.ReplayStateCompleted, types.ReplayStateCancelled, types.ReplayStateFailed:
			fmt.Fprintf(out, "replay %s: %s", name, d.State)
			if d.EventLastReplayedTime != nil {
				fmt.Fprintf(out, " (last event replayed: %s)", d.EventLastReplayedTime.UTC().Format(time.RFC3339))
			}
			if r := aws.ToString(d.StateReason); r != "" {
				fmt.Fprintf(out, ": %s", r)
			}
			fmt.Fprintln(out)
			if d.State != types.ReplayStateCompleted {
				return ExitError{Code: 1}
			}
			return nil
		}
		select {
		case <-wctx.Done():
			return errors.New("replay " + name + " did not finish in time; check it with aws events describe-replay")
		case <-tick.C:
		}
	}
}
