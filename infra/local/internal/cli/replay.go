package cli

import "github.com/spf13/cobra"

func newReplayCmd() *cobra.Command { return notYet("replay", "Replay the local archive") }
