package cli

import "github.com/spf13/cobra"

func newWorkflowsCmd() *cobra.Command { return notYet("workflows", "List and show workflows") }
