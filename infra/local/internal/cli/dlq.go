package cli

import (
	"fmt"
	"net/http"
	"net/url"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/alchemiser/alchemiser/infra/local/eventbridge"
)

func newDLQCmd() *cobra.Command {
	var endpoint string
	cmd := &cobra.Command{Use: "dlq", Short: "List, show and redrive the local bus's dead letters"}
	cmd.PersistentFlags().StringVar(&endpoint, "endpoint", "http://"+eventbridge.DefaultAddr, "base URL of the running local bus (alchemiser local events / local up)")

	list := &cobra.Command{
		Use:   "list",
		Short: "List the queues with how many dead letters each holds",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var qs []eventbridge.DLQSummary
			if err := getJSON(cmd, endpoint, "/_local/dlq", &qs); err != nil {
				return fmt.Errorf("list dead-letter queues: %w", err)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "QUEUE\tMESSAGES\tARN")
			for _, q := range qs {
				fmt.Fprintf(tw, "%s\t%d\t%s\n", q.Queue, q.Messages, q.Arn)
			}
			return tw.Flush()
		},
	}
	show := &cobra.Command{
		Use:   "show <queue>",
		Short: "Show a queue's dead letters with their attributes (without receiving them)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var msgs []eventbridge.Message
			if err := getJSON(cmd, endpoint, "/_local/dlq/"+url.PathEscape(args[0]), &msgs); err != nil {
				return fmt.Errorf("show dead letters of %s: %w", args[0], err)
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "%s: %d messages\n", args[0], len(msgs))
			for _, m := range msgs {
				fmt.Fprintf(out, "\nmessage %s\n", m.MessageId)
				for _, k := range []string{eventbridge.AttrRuleARN, eventbridge.AttrTargetARN, eventbridge.AttrErrorCode, eventbridge.AttrErrorMessage, eventbridge.AttrExhaustedRetryCondition, eventbridge.AttrRetryAttempts} {
					if a, ok := m.MessageAttributes[k]; ok {
						fmt.Fprintf(out, "  %-26s %s\n", k, a.StringValue)
					}
				}
				fmt.Fprintf(out, "  body: %s\n", m.Body)
			}
			return nil
		},
	}
	var ids []string
	redrive := &cobra.Command{
		Use:   "redrive <queue>",
		Short: "Put a queue's dead-lettered events back on the bus (all, or those given by --id)",
		Long: `Put dead-lettered events back on the bus they came from (read from RULE_ARN) and delete them
from the queue. Every rule of the bus matches them again; consumers deduplicate by event ID
in the detail. AWS has no native redrive to a bus; this is the local equivalent of reading
the DLQ and calling PutEvents.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			q := url.Values{"id": ids}
			path := "/_local/dlq/" + url.PathEscape(args[0]) + "/redrive"
			if len(ids) > 0 {
				path += "?" + q.Encode()
			}
			var res struct {
				Redriven int `json:"redriven"`
			}
			if err := callJSON(cmd, http.MethodPost, endpoint, path, &res); err != nil {
				return fmt.Errorf("redrive %s: %w", args[0], err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "redrove %d events from %s to the bus\n", res.Redriven, args[0])
			return nil
		},
	}
	redrive.Flags().StringSliceVar(&ids, "id", nil, "message ID to redrive (repeatable; default all)")
	cmd.AddCommand(list, show, redrive)
	return cmd
}
