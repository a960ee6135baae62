package cli

import "github.com/spf13/cobra"

func newLocalAlpacaCmd() *cobra.Command { return notYet("alpaca", "Run the Alpaca simulator") }
