package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/alchemiser/alchemiser/contracts/routing"
	"github.com/alchemiser/alchemiser/infra/local/eventbridge"
)

// localEventsFlags are the flags of `alchemiser local events`.
type localEventsFlags struct {
	addr, state, region string
	routes              bool
	retryBase, retryMax time.Duration
}

func newLocalEventsCmd() *cobra.Command {
	var f localEventsFlags
	cmd := &cobra.Command{
		Use:   "events",
		Short: "Run the local EventBridge bus (with its SQS dead-letter queues) on its own",
		Long: `Run the local EventBridge-compatible bus. The real aws CLI and SDKs work against it:
  aws --endpoint-url URL events put-events ...
  aws --endpoint-url URL sqs receive-message --queue-url URL/000000000000/QUEUE
State (rules, targets, archives, queues, pending deliveries) lives in SQLite under --state
and survives restarts. The archive "` + eventbridge.DefaultArchiveName + `" keeps every event of the
default bus for alchemiser replay. With --routes, the routing table's rules are installed,
targeting Lambda functions that only exist under alchemiser local up.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runLocalEvents(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", eventbridge.DefaultAddr, "address to listen on (loopback only; port 0 picks a free one)")
	fl.StringVar(&f.state, "state", filepath.Join("var", "events"), "folder for the SQLite state")
	fl.StringVar(&f.region, "region", eventbridge.DefaultRegion, "region of ARNs and events")
	fl.BoolVar(&f.routes, "routes", false, "install the routing table's rules")
	fl.DurationVar(&f.retryBase, "retry-base", time.Second, "first retry delay of a failed delivery (doubles each retry)")
	fl.DurationVar(&f.retryMax, "retry-max", 3*time.Minute, "longest retry delay")
	return cmd
}

func runLocalEvents(cmd *cobra.Command, f localEventsFlags) error {
	ctx := cmd.Context()
	if err := os.MkdirAll(f.state, 0o750); err != nil {
		return fmt.Errorf("create state folder %s: %w", f.state, err)
	}
	logger := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
	bus, err := eventbridge.Open(ctx, eventbridge.Config{Path: filepath.Join(f.state, "events.db"), Region: f.region,
		RetryBaseDelay: f.retryBase, RetryMaxDelay: max(f.retryMax, f.retryBase), Logger: logger})
	if err != nil {
		return fmt.Errorf("open local bus: %w", err)
	}
	defer bus.Close()
	if err := eventbridge.EnsureArchive(ctx, bus, eventbridge.DefaultBusName, eventbridge.DefaultArchiveName, 0); err != nil {
		return err
	}
	if f.routes {
		if err := eventbridge.InstallRoutes(ctx, bus, eventbridge.DefaultBusName, routing.Table(),
			func(s routing.Service) string { return bus.FunctionARN(string(s)) }, nil); err != nil {
			return err
		}
	}
	srv, err := eventbridge.Listen(bus, f.addr)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "local EventBridge listening\n")
	fmt.Fprintf(out, "  EVENTBRIDGE_ENDPOINT=%s\n", srv.Endpoint())
	fmt.Fprintf(out, "  state: %s\n", f.state)
	fmt.Fprintf(out, "  try:   AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=%s aws --endpoint-url %s events list-rules\n", f.region, srv.Endpoint())
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("stop local bus: %w", err)
	}
	fmt.Fprintln(out, "local EventBridge stopped")
	return nil
}

// endpointFlag adds --endpoint, the base URL of a running local bus.
func endpointFlag(cmd *cobra.Command, p *string) {
	cmd.Flags().StringVar(p, "endpoint", "http://"+eventbridge.DefaultAddr, "base URL of the running local bus (alchemiser local events / local up)")
}
