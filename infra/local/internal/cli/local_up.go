package cli

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/alchemiser/alchemiser/infra/local/localcloud"
)

func newLocalUpCmd() *cobra.Command {
	var (
		opts   localcloud.Options
		faults string
		quiet  bool
	)
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Run the whole local cloud until Ctrl-C: bus, Lambda host, Alpaca simulator, SMTP inbox, scheduler",
		Long: `Runs the local cloud as a long-running process. The trading schedule and the orchestrator's
sweep fire as in AWS (pkg/schedule), the paper account and every queue and workflow are kept in
SQLite under --state, and Ctrl-C stops everything cleanly; nothing in flight is lost, because
pending deliveries and queued invocations are resumed at the next start.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fl, err := localcloud.ParseFaults(faults)
			if err != nil {
				return ExitError{Code: 2, Err: err}
			}
			opts.Faults = fl
			opts.KeepAccount, opts.Schedules = true, true
			opts.Logger = slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelInfo}))
			if !quiet {
				opts.FunctionLog = cmd.ErrOrStderr()
			}
			cloud, err := localcloud.Start(cmd.Context(), opts)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "Alchemiser local cloud is up (state in %s)\n", opts.StateDir)
			fmt.Fprintf(out, "  EventBridge + SQS  %s   bus %s\n", cloud.EventsEndpoint(), localcloud.BusName)
			fmt.Fprintf(out, "  Lambda             %s   functions alchemiser-local-<service>\n", cloud.LambdaEndpoint())
			fmt.Fprintf(out, "  Alpaca simulator   %s   keys local-key / local-secret\n", cloud.AlpacaURL())
			fmt.Fprintf(out, "  SMTP inbox         %s   mail in %s\n", cloud.SMTPAddr(), opts.MailDir())
			fmt.Fprintf(out, "Point the aws CLI at it:\n")
			fmt.Fprintf(out, "  export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=us-east-1 AWS_PAGER=\n")
			fmt.Fprintf(out, "  aws --endpoint-url %s events list-rules --event-bus-name %s\n", cloud.EventsEndpoint(), localcloud.BusName)
			fmt.Fprintf(out, "  aws --endpoint-url %s lambda invoke --function-name alchemiser-local-orchestrator \\\n", cloud.LambdaEndpoint())
			fmt.Fprintf(out, "      --cli-binary-format raw-in-base64-out --payload '{\"mode\":\"dry-run\"}' /dev/stdout\n")
			fmt.Fprintf(out, "Ctrl-C stops.\n")
			<-cmd.Context().Done()
			fmt.Fprintln(out, "stopping...")
			begin := time.Now()
			if err := cloud.Close(); err != nil {
				return err
			}
			fmt.Fprintf(out, "stopped cleanly in %s\n", time.Since(begin).Round(time.Millisecond))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.EventsAddr, "events-addr", "127.0.0.1:4010", "EventBridge and SQS API address")
	f.StringVar(&opts.LambdaAddr, "lambda-addr", "127.0.0.1:4011", "Lambda Invoke API address")
	f.StringVar(&opts.AlpacaAddr, "alpaca-addr", "127.0.0.1:4012", "Alpaca simulator address")
	f.StringVar(&opts.SMTPAddr, "smtp-addr", "127.0.0.1:2525", "SMTP inbox address")
	f.StringVar(&opts.StateDir, "state", "var", "state folder")
	f.Int64Var(&opts.Seed, "seed", 42, "seed of the simulated market data")
	f.StringVar(&opts.TradingSchedule, "schedule", "", "trading schedule expression (default: the production one, cron(35 9 ? * MON-FRI *) New York)")
	f.StringVar(&faults, "faults", "", "inject faults, such as duplicates=3,alpaca5xx=0.2,seed=7")
	f.BoolVar(&opts.FastRetries, "fast-retries", false, "retry failed deliveries after milliseconds instead of AWS's seconds and minutes")
	f.BoolVar(&quiet, "quiet", false, "do not print the functions' logs")
	return cmd
}
