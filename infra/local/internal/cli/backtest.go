package cli

import "github.com/spf13/cobra"

func newBacktestCmd() *cobra.Command { return notYet("backtest", "Backtest the strategies") }
