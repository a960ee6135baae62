package cli

import "github.com/spf13/cobra"

func newLocalEventsCmd() *cobra.Command { return notYet("events", "Run the local EventBridge bus") }
