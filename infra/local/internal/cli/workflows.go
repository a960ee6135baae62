package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	orchestrator "github.com/alchemiser/alchemiser/services/orchestrator/service"
	"github.com/alchemiser/alchemiser/services/orchestrator/store"
)

func newWorkflowsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "workflows",
		Short: "List and show workflows",
		Long: `Reads the orchestrator's workflow store (SQLite, <state>/workflows.db in the local cloud):
each run's state (Started, Signalled, Planned, Executed, Completed, Failed), its events and its outcome.`,
	}
	state := "var"
	var asJSON bool
	cmd.PersistentFlags().StringVar(&state, "state", state, "the local cloud's state folder")
	cmd.PersistentFlags().BoolVar(&asJSON, "json", false, "print JSON")

	var status, since string
	var limit int
	list := &cobra.Command{
		Use:   "list",
		Short: "List workflows, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := store.Filter{Limit: limit}
			if status != "" {
				s, err := parseWorkflowState(status)
				if err != nil {
					return ExitError{Code: 2, Err: err}
				}
				f.State = s
			}
			if since != "" {
				t, err := parseWorkflowSince(since, time.Now())
				if err != nil {
					return ExitError{Code: 2, Err: err}
				}
				f.Since = t
			}
			st, err := openWorkflowStore(cmd, state)
			if err != nil {
				return err
			}
			recs, err := st.List(cmd.Context(), f)
			if err != nil {
				return err
			}
			if asJSON {
				return writeWorkflowJSON(cmd.OutOrStdout(), recs)
			}
			writeWorkflowList(cmd.OutOrStdout(), recs)
			return nil
		},
	}
	list.Flags().StringVar(&status, "status", "", "only this state: started, signalled, planned, executed, completed or failed")
	list.Flags().StringVar(&since, "since", "", "only runs started since: a duration (24h), a date (2026-11-30) or an RFC 3339 time")
	list.Flags().IntVar(&limit, "limit", 50, "at most this many (0: all)")

	show := &cobra.Command{
		Use:   "show <correlation-id>",
		Short: "Show one workflow: its steps, events and outcome",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := openWorkflowStore(cmd, state)
			if err != nil {
				return err
			}
			rec, err := st.Get(cmd.Context(), args[0])
			if errors.Is(err, store.ErrNotFound) {
				return ExitError{Code: 1, Err: fmt.Errorf("no workflow %s in %s", args[0], state)}
			}
			if err != nil {
				return err
			}
			if asJSON {
				return writeWorkflowJSON(cmd.OutOrStdout(), rec)
			}
			writeWorkflow(cmd.OutOrStdout(), rec)
			return nil
		},
	}
	cmd.AddCommand(list, show)
	return cmd
}

func openWorkflowStore(cmd *cobra.Command, state string) (store.Store, error) {
	path := filepath.Join(state, "workflows.db")
	if _, err := os.Stat(path); err != nil {
		return nil, ExitError{Code: 1, Err: fmt.Errorf("no workflow store at %s (has the local cloud run? try --state)", path)}
	}
	return orchestrator.OpenStore(cmd.Context(), "sqlite:"+path)
}

var workflowStates = []string{store.StateStarted, store.StateSignalled, store.StatePlanned, store.StateExecuted, store.StateCompleted, store.StateFailed}

func parseWorkflowState(s string) (string, error) {
	for _, st := range workflowStates {
		if strings.EqualFold(s, st) {
			return st, nil
		}
	}
	return "", fmt.Errorf("--status %q: want one of %s", s, strings.ToLower(strings.Join(workflowStates, ", ")))
}

// parseSince reads a duration back from now, a date (midnight UTC) or an RFC 3339 time.
func parseWorkflowSince(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--since %q: want a duration (24h), a date (2026-11-30) or an RFC 3339 time", s)
}

func writeWorkflowJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func wfMode(r store.Record) string {
	m := r.TradingMode
	if r.DryRun {
		m += " dry-run"
	}
	return m
}

func wfDuration(r store.Record) string {
	if r.EndedAt == nil {
		return "-"
	}
	return r.EndedAt.Sub(r.StartedAt).Round(time.Millisecond).String()
}

func writeWorkflowList(w io.Writer, recs []store.Record) {
	if len(recs) == 0 {
		fmt.Fprintln(w, "no workflows")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CORRELATION ID\tSTATE\tOUTCOME\tTRIGGER\tMODE\tSTARTED\tDURATION\tEVENTS")
	for _, r := range recs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", r.CorrelationID, r.State, wfDash(r.Outcome), wfDash(r.Trigger), wfMode(r),
			r.StartedAt.UTC().Format("2006-01-02 15:04:05Z"), wfDuration(r), len(r.Events))
	}
	_ = tw.Flush()
}

func writeWorkflow(w io.Writer, r store.Record) {
	p := func(k, v string) { fmt.Fprintf(w, "%-15s %s\n", k+":", v) }
	p("Workflow", r.CorrelationID)
	p("State", r.State)
	p("Outcome", wfDash(r.Outcome))
	p("Trigger", wfDash(r.Trigger))
	p("Mode", wfMode(r)+" (stage "+r.Stage+")")
	if r.ScheduledFor != nil {
		p("Scheduled for", r.ScheduledFor.UTC().Format(time.RFC3339))
	}
	if r.AsOf != "" {
		p("As of", r.AsOf)
	}
	p("Started", r.StartedAt.UTC().Format(time.RFC3339Nano))
	if r.EndedAt != nil {
		p("Ended", r.EndedAt.UTC().Format(time.RFC3339Nano)+" ("+wfDuration(r)+")")
	}
	if r.State == store.StateFailed {
		p("Failed at", r.FailureStep+" ("+r.FailureCode+"): "+r.FailureReason)
	}
	p("Published", fmt.Sprintf("start %t, terminal %t", r.StartPublished, r.TerminalPublished))
	p("Version", fmt.Sprint(r.Version))
	fmt.Fprintln(w, "\nEvents:")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "  %s\t+0s\tWorkflowStarted\t\n", r.StartedAt.UTC().Format("15:04:05.000"))
	for _, e := range r.Events {
		note := e.Outcome
		if e.Code != "" {
			note = e.Step + " " + e.Code + ": " + e.Reason
		}
		fmt.Fprintf(tw, "  %s\t+%s\t%s\t%s\t%s\n", e.At.UTC().Format("15:04:05.000"), e.At.Sub(r.StartedAt).Round(time.Millisecond), e.Type, e.EventID, note)
	}
	if r.EndedAt != nil {
		end := "WorkflowCompleted"
		if r.State == store.StateFailed {
			end = "WorkflowFailed"
		}
		fmt.Fprintf(tw, "  %s\t+%s\t%s\t\t\n", r.EndedAt.UTC().Format("15:04:05.000"), wfDuration(r), end)
	}
	_ = tw.Flush()
}

func wfDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
