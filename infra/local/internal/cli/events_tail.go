package cli

import "github.com/spf13/cobra"

func newEventsTailCmd() *cobra.Command { return notYet("tail", "Stream live events with the rules and targets they hit") }
