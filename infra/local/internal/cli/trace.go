package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/alchemiser/alchemiser/infra/local/eventbridge"
)

func newTraceCmd() *cobra.Command {
	var endpoint, state string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "trace <correlation-id>",
		Short: "Show a workflow's timeline on the local bus: events, rules, targets, attempts, dead letters",
		Long: `Show every event whose detail carries the correlation ID, the rules it matched, each delivery
attempt with its latency and outcome, and dead letters. Reads a running bus (--endpoint) or,
with --state, the state folder of a stopped one.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var tr eventbridge.Trace
			var err error
			if state != "" {
				tr, err = eventbridge.ReadTraceFile(cmd.Context(), filepath.Join(state, "events.db"), args[0])
			} else {
				err = getJSON(cmd, endpoint, "/_local/trace/"+url.PathEscape(args[0]), &tr)
			}
			if err != nil {
				return fmt.Errorf("trace %s: %w", args[0], err)
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(tr)
			}
			printTrace(cmd.OutOrStdout(), tr)
			if len(tr.Events) == 0 {
				return ExitError{Code: 1, Err: fmt.Errorf("no events carry correlation_id %s", args[0])}
			}
			return nil
		},
	}
	endpointFlag(cmd, &endpoint)
	cmd.Flags().StringVar(&state, "state", "", "read the state folder of a stopped bus instead of asking a running one")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the trace as JSON")
	return cmd
}

// getJSON GETs path from a running local bus and decodes the JSON answer into v.
func getJSON(cmd *cobra.Command, endpoint, path string, v any) error {
	return callJSON(cmd, http.MethodGet, endpoint, path, v)
}

func callJSON(cmd *cobra.Command, method, endpoint, path string, v any) error {
	req, err := http.NewRequestWithContext(cmd.Context(), method, strings.TrimRight(endpoint, "/")+path, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("ask the local bus at %s (is it running?): %w", endpoint, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("read answer of %s: %w", endpoint, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		if json.Unmarshal(body, &e) == nil && e.Type != "" {
			return fmt.Errorf("%s: %s", e.Type, e.Message)
		}
		return fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	return json.Unmarshal(body, v)
}

type traceLine struct {
	at   time.Time
	text string
}

func printTrace(w io.Writer, tr eventbridge.Trace) {
	var lines []traceLine
	for _, e := range tr.Events {
		s := fmt.Sprintf("EVENT    %s/%s id=%s", e.Source, e.DetailType, e.EventID)
		if e.ReplayName != "" {
			s += " replay=" + e.ReplayName
		}
		rules := "(none)"
		if len(e.Rules) > 0 {
			rules = strings.Join(e.Rules, ", ")
		}
		lines = append(lines, traceLine{e.ReceivedAt, s + "\n" + strings.Repeat(" ", 23) + "rules: " + rules})
	}
	for _, a := range tr.Attempts {
		s := fmt.Sprintf("%-8s %s -> %s attempt %d", strings.ToUpper(shortOutcome(a.Outcome)), a.Rule, a.TargetARN, a.Attempt)
		if a.Outcome == "delivered" || a.Outcome == "failed" {
			s += fmt.Sprintf(" in %s", time.Duration(a.LatencyUS)*time.Microsecond)
		}
		if a.ErrorCode != "" {
			s += fmt.Sprintf(" (%s: %s)", a.ErrorCode, a.ErrorMessage)
		}
		lines = append(lines, traceLine{a.Time, s + " [event " + shortID(a.EventID) + "]"})
	}
	slices.SortStableFunc(lines, func(x, y traceLine) int { return x.at.Compare(y.at) })
	fmt.Fprintf(w, "trace %s: %d events, %d attempts\n", tr.CorrelationID, len(tr.Events), len(tr.Attempts))
	var start time.Time
	for i, l := range lines {
		if i == 0 {
			start = l.at
		}
		fmt.Fprintf(w, "%s +%-8s %s\n", l.at.Local().Format("15:04:05.000"), l.at.Sub(start).Round(time.Millisecond), l.text)
	}
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
