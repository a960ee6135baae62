package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"

	"github.com/spf13/cobra"

	"github.com/alchemiser/alchemiser/contracts/routing"
	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/infra/local/localcloud"
)

func newLocalInvokeCmd() *cobra.Command {
	var event, state string
	var seed int64
	cmd := &cobra.Command{
		Use:   "invoke <service> --event FILE",
		Short: "Run one service's handler with one event, like sam local invoke",
		Long: `Starts a local cloud with only that service's function (and the Alpaca simulator and inbox
it may need), invokes it once with the event (an EventBridge envelope, a bare event, or for the
orchestrator a start command), and prints the function's result and every event it published.
No rule is installed, so nothing runs downstream.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc := routing.Service(args[0])
			if !slices.Contains(routing.Services(), svc) {
				return ExitError{Code: 2, Err: fmt.Errorf("unknown service %q: want one of %v", args[0], routing.Services())}
			}
			payload, err := os.ReadFile(event)
			if err != nil {
				return ExitError{Code: 2, Err: fmt.Errorf("--event: %w", err)}
			}
			correlation := ""
			if dec, err := v1.Decode(payload); err == nil {
				correlation = dec.Event.Meta().CorrelationID
			}
			if state == "" {
				if state, err = os.MkdirTemp("", "alchemiser-invoke"); err != nil {
					return err
				}
				defer os.RemoveAll(state)
			}
			cloud, err := localcloud.Start(cmd.Context(), localcloud.Options{StateDir: state, Seed: seed, Only: svc, FunctionLog: cmd.ErrOrStderr()})
			if err != nil {
				return err
			}
			defer cloud.Close()
			out, invokeErr := cloud.Host.Invoke(cmd.Context(), localcloud.FunctionName(svc), payload)
			w := cmd.OutOrStdout()
			if invokeErr != nil {
				fmt.Fprintf(w, "error: %v\n", invokeErr)
			} else {
				fmt.Fprintf(w, "result: %s\n", bytes.TrimSpace(out))
			}
			if correlation == "" {
				var started struct {
					CorrelationID string `json:"correlation_id"`
				}
				if json.Unmarshal(out, &started) == nil {
					correlation = started.CorrelationID
				}
			}
			if err := cloud.WaitIdle(cmd.Context()); err != nil {
				return err
			}
			if correlation != "" {
				tr, err := cloud.Bus.Trace(cmd.Context(), correlation)
				if err != nil {
					return err
				}
				fmt.Fprintf(w, "published %d event(s):\n", len(tr.Events))
				for _, e := range tr.Events {
					var pretty bytes.Buffer
					_ = json.Indent(&pretty, e.Envelope, "  ", "  ")
					fmt.Fprintf(w, "  %s\n", pretty.String())
				}
			}
			if invokeErr != nil {
				return ExitError{Code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&event, "event", "", "the event or command (JSON file)")
	cmd.Flags().StringVar(&state, "state", "", "state folder (default: a temporary one)")
	cmd.Flags().Int64Var(&seed, "seed", 42, "seed of the simulated market data")
	_ = cmd.MarkFlagRequired("event")
	return cmd
}
