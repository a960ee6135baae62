package cli

import "github.com/spf13/cobra"

func newTraceCmd() *cobra.Command { return notYet("trace", "Show a workflow's timeline") }
