package cli

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/alchemiser/alchemiser/infra/local/smtpinbox"
)

func newLocalMailCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "mail",
		Short: "List and show mail in the local inbox",
		Long: `The local cloud's SMTP inbox stores each message it accepts as an .eml file under
var/mail/. list shows them oldest first; show prints one (its text part, or --html, or --raw).`,
	}
	dir := filepath.Join("var", "mail")
	cmd.PersistentFlags().StringVar(&dir, "dir", dir, "the inbox's directory")

	list := &cobra.Command{
		Use:   "list",
		Short: "List the messages in the inbox",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			msgs, err := smtpinbox.List(dir)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if len(msgs) == 0 {
				fmt.Fprintf(out, "no mail in %s\n", dir)
				return nil
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tDATE\tTO\tSUBJECT")
			for _, m := range msgs {
				date := "-"
				if !m.Date.IsZero() {
					date = m.Date.UTC().Format("2006-01-02 15:04:05Z")
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", m.ID, date, m.To, m.Subject)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintf(out, "%d message(s)\n", len(msgs))
			return nil
		},
	}

	var raw, html bool
	show := &cobra.Command{
		Use:   "show <id>",
		Short: "Show one message (an ID from list; \"last\" for the newest)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id := args[0]
			if id == "last" {
				msgs, err := smtpinbox.List(dir)
				if err != nil {
					return err
				}
				if len(msgs) == 0 {
					return ExitError{Code: 1, Err: fmt.Errorf("no mail in %s", dir)}
				}
				id = msgs[len(msgs)-1].ID
			}
			m, body, err := smtpinbox.Get(dir, id)
			if errors.Is(err, smtpinbox.ErrNotFound) {
				return ExitError{Code: 1, Err: err}
			}
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if raw {
				_, err := out.Write(body)
				return err
			}
			parts, err := smtpinbox.ParseParts(body)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "From:       %s\nTo:         %s\nDate:       %s\nSubject:    %s\nMessage-ID: %s\n", m.From, m.To, m.Date.UTC().Format("2006-01-02 15:04:05Z"), m.Subject, m.MessageID)
			if len(parts.Inline) > 0 {
				var names []string
				for cid, data := range parts.Inline {
					names = append(names, fmt.Sprintf("%s (%d bytes)", cid, len(data)))
				}
				fmt.Fprintf(out, "Inline:     %s\n", strings.Join(names, ", "))
			}
			fmt.Fprintln(out)
			if html {
				fmt.Fprintln(out, parts.HTML)
			} else {
				fmt.Fprintln(out, strings.TrimRight(parts.Text, "\r\n"))
			}
			return nil
		},
	}
	show.Flags().BoolVar(&raw, "raw", false, "print the stored .eml as received")
	show.Flags().BoolVar(&html, "html", false, "print the HTML part instead of the text part")
	cmd.AddCommand(list, show)
	return cmd
}
