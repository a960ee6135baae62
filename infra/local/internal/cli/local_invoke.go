package cli

import "github.com/spf13/cobra"

func newLocalInvokeCmd() *cobra.Command { return notYet("invoke", "Run one handler with one event") }
