package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alchemiser/alchemiser/pkg/sqlitedb"
	"github.com/alchemiser/alchemiser/services/orchestrator/store"
)

func runWorkflowCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := NewRoot()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

func TestWorkflowsListAndShow(t *testing.T) {
	dir := t.TempDir()
	db, err := sqlitedb.Open(filepath.Join(dir, "workflows.db"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.NewSQLite(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 30, 14, 50, 0, 0, time.UTC)
	end := t0.Add(9 * time.Second)
	for _, r := range []store.Record{
		{CorrelationID: "wf-ok", State: store.StateCompleted, Outcome: "success", Trigger: "schedule", Stage: "local", TradingMode: "paper",
			StartedAt: t0, UpdatedAt: end, EndedAt: &end, Events: []store.Event{{EventID: "e1", Type: "SignalGenerated", At: t0.Add(2 * time.Second)}}},
		{CorrelationID: "wf-bad", State: store.StateFailed, Outcome: "failed", Trigger: "cli", Stage: "local", TradingMode: "paper", DryRun: true,
			StartedAt: t0.Add(time.Hour), UpdatedAt: end, EndedAt: &end, FailureStep: "strategy", FailureCode: "timeout", FailureReason: "timed out waiting for SignalGenerated"},
	} {
		if err := st.Create(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	out, err := runWorkflowCLI(t, "workflows", "list", "--state", dir)
	if err != nil || !strings.Contains(out, "wf-ok") || !strings.Contains(out, "wf-bad") || strings.Index(out, "wf-bad") > strings.Index(out, "wf-ok") {
		t.Fatalf("list: %v\n%s", err, out)
	}
	out, err = runWorkflowCLI(t, "workflows", "list", "--state", dir, "--status", "failed")
	if err != nil || strings.Contains(out, "wf-ok") || !strings.Contains(out, "paper dry-run") {
		t.Fatalf("list --status failed: %v\n%s", err, out)
	}
	out, err = runWorkflowCLI(t, "workflows", "list", "--state", dir, "--since", "2026-11-30T15:00:00Z")
	if err != nil || strings.Contains(out, "wf-ok") || !strings.Contains(out, "wf-bad") {
		t.Fatalf("list --since: %v\n%s", err, out)
	}
	out, err = runWorkflowCLI(t, "workflows", "show", "wf-bad", "--state", dir)
	if err != nil || !strings.Contains(out, "timed out waiting for SignalGenerated") || !strings.Contains(out, "WorkflowFailed") {
		t.Fatalf("show: %v\n%s", err, out)
	}
	out, err = runWorkflowCLI(t, "workflows", "show", "wf-ok", "--state", dir, "--json")
	if err != nil || !strings.Contains(out, `"correlation_id": "wf-ok"`) {
		t.Fatalf("show --json: %v\n%s", err, out)
	}
	for _, bad := range [][]string{
		{"workflows", "show", "nope", "--state", dir},
		{"workflows", "list", "--state", dir, "--status", "weird"},
		{"workflows", "list", "--state", dir, "--since", "yesterday"},
		{"workflows", "list", "--state", filepath.Join(dir, "missing")},
	} {
		if _, err := runWorkflowCLI(t, bad...); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing state folder was created")
	}
}

func TestLocalMailListAndShow(t *testing.T) {
	dir := t.TempDir()
	msg := "Return-Path: <bot@x.y>\r\nFrom: bot@x.y\r\nTo: ops@x.y\r\nSubject: [SUCCESS] Alchemiser - PAPER Trading Report\r\n" +
		"Date: Mon, 30 Nov 2026 14:50:09 +0000\r\nMessage-ID: <1@x.y>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n0 orders\r\n--b\r\n" +
		"Content-Type: text/html\r\n\r\n<p>0 orders</p>\r\n--b--\r\n"
	if err := os.WriteFile(filepath.Join(dir, "20261130T145009.000000000Z-000001.eml"), []byte(msg), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := runWorkflowCLI(t, "local", "mail", "list", "--dir", dir)
	if err != nil || !strings.Contains(out, "[SUCCESS] Alchemiser - PAPER Trading Report") || !strings.Contains(out, "1 message(s)") {
		t.Fatalf("list: %v\n%s", err, out)
	}
	out, err = runWorkflowCLI(t, "local", "mail", "show", "last", "--dir", dir)
	if err != nil || !strings.Contains(out, "0 orders") || strings.Contains(out, "<p>") {
		t.Fatalf("show: %v\n%s", err, out)
	}
	out, err = runWorkflowCLI(t, "local", "mail", "show", "20261130T145009.000000000Z-000001", "--dir", dir, "--html")
	if err != nil || !strings.Contains(out, "<p>0 orders</p>") {
		t.Fatalf("show --html: %v\n%s", err, out)
	}
	if _, err := runWorkflowCLI(t, "local", "mail", "show", "nope", "--dir", dir); err == nil {
		t.Error("show of a missing message: no error")
	}
	out, err = runWorkflowCLI(t, "local", "mail", "list", "--dir", filepath.Join(dir, "none"))
	if err != nil || !strings.Contains(out, "no mail") {
		t.Errorf("empty inbox: %v\n%s", err, out)
	}
}
