package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/alchemiser/alchemiser/infra/local/eventbridge"
)

func newEventsTailCmd() *cobra.Command {
	var endpoint string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "tail",
		Short: "Stream the local bus's live events, with the rules and targets each one hit",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			req, err := http.NewRequestWithContext(cmd.Context(), http.MethodGet, strings.TrimRight(endpoint, "/")+"/_local/tail", nil)
			if err != nil {
				return fmt.Errorf("tail %s: %w", endpoint, err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				if cmd.Context().Err() != nil {
					return nil
				}
				return fmt.Errorf("tail %s: %w", endpoint, err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("tail %s: %s", endpoint, resp.Status)
			}
			return printTail(cmd.OutOrStdout(), resp.Body, asJSON)
		},
	}
	endpointFlag(cmd, &endpoint)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print each entry as a JSON line")
	return cmd
}

func printTail(w io.Writer, r io.Reader, asJSON bool) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		if asJSON {
			fmt.Fprintln(w, sc.Text())
			continue
		}
		var e eventbridge.TailEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return fmt.Errorf("read tail entry: %w", err)
		}
		fmt.Fprintln(w, formatTail(e))
	}
	return nil
}

func formatTail(e eventbridge.TailEntry) string {
	ts := e.Time.Local().Format("15:04:05.000")
	if e.Kind == "event" {
		s := fmt.Sprintf("%s  EVENT   %s/%s id=%s", ts, e.Source, e.DetailType, e.EventID)
		if e.CorrelationID != "" {
			s += " corr=" + e.CorrelationID
		}
		if e.ReplayName != "" {
			s += " replay=" + e.ReplayName
		}
		return s + fmt.Sprintf(" rules=[%s] targets=[%s]", strings.Join(e.Rules, ","), strings.Join(e.Targets, ","))
	}
	s := fmt.Sprintf("%s  %-7s rule=%s target=%s attempt=%d latency=%s", ts, strings.ToUpper(shortOutcome(e.Outcome)), e.Rule, e.Target, e.Attempt, time.Duration(e.LatencyUS)*time.Microsecond)
	if e.ErrorCode != "" {
		s += " error=" + e.ErrorCode + ": " + e.ErrorMessage
	}
	return s
}

func shortOutcome(o string) string {
	switch o {
	case "delivered":
		return "ok"
	case "dead-lettered":
		return "dlq"
	}
	return o
}
