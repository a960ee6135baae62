// Package cli builds the alchemiser command tree. Each command group lives in its own file.
package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

// ExitError asks main to exit with Code, printing Err (if any) to stderr.
type ExitError struct {
	Code int
	Err  error
}

func (e ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e ExitError) Unwrap() error { return e.Err }

// NewRoot returns the root command with every subcommand attached.
func NewRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "alchemiser",
		Short:         "Event-driven portfolio rebalancer: local cloud and operator tool",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	events := &cobra.Command{Use: "events", Short: "Work with events and event patterns"}
	events.AddCommand(newEventsTestPatternCmd(), newEventsTailCmd())

	local := &cobra.Command{Use: "local", Short: "Run parts of the local cloud"}
	local.AddCommand(newLocalEventsCmd(), newLocalAlpacaCmd(), newLocalMailCmd(), newLocalUpCmd(), newLocalInvokeCmd())

	root.AddCommand(
		events,
		local,
		newRunCmd(),
		newReplayCmd(),
		newDLQCmd(),
		newTraceCmd(),
		newStrategyCmd(),
		newBacktestCmd(),
		newWorkflowsCmd(),
		newScheduleCmd(),
	)
	return root
}
