package cli

import "github.com/spf13/cobra"

func newLocalUpCmd() *cobra.Command { return notYet("up", "Run the whole local cloud") }
