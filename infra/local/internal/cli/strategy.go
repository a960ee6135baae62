package cli

import "github.com/spf13/cobra"

func newStrategyCmd() *cobra.Command { return notYet("strategy", "Check and evaluate symphonies") }
