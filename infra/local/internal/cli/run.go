package cli

import "github.com/spf13/cobra"

func newRunCmd() *cobra.Command { return notYet("run", "Run one whole trading cycle locally") }
