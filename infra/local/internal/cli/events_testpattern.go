package cli

import "github.com/spf13/cobra"

func newEventsTestPatternCmd() *cobra.Command { return notYet("test-pattern", "Test an event pattern against an event") }
