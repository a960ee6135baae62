package cli

import "github.com/spf13/cobra"

func newLocalMailCmd() *cobra.Command { return notYet("mail", "List and show mail in the local inbox") }
