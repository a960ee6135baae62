package cli

import "github.com/spf13/cobra"

func newDLQCmd() *cobra.Command { return notYet("dlq", "List, show and redrive dead letters") }
