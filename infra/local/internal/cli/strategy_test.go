package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func runStrategyCLI(t *testing.T, cmd *cobra.Command, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), err
}

func writeStrategyFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const trendSymphony = `(defsymphony "Trend" {:rebalance-frequency :weekly}
  (if (> (current-price "SPY") (moving-average-price "SPY" {:window 50}))
      [(weight-equal [(asset "QQQ") (asset "SPY")])]
      [(asset "BIL")]))`

func TestStrategyCheck(t *testing.T) {
	out, err := runStrategyCLI(t, newStrategyCmd(), "check", writeStrategyFile(t, "t.clj", trendSymphony))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ok:", "Trend", "weekly", "SPY     50", "moving-average-price(SPY,50)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	bad := writeStrategyFile(t, "bad.clj", "(defsymphony \"x\" {}\n  (if (> (rsi \"SPY\" 10) 70) [(asset \"SPY\")]))")
	_, err = runStrategyCLI(t, newStrategyCmd(), "check", bad)
	var ee ExitError
	if !errors.As(err, &ee) || ee.Code != 1 || !strings.Contains(err.Error(), "bad.clj:2:3: if: missing else-branch") {
		t.Fatalf("err = %v", err)
	}
}

func TestStrategyEvalJSON(t *testing.T) {
	file := writeStrategyFile(t, "t.clj", trendSymphony)
	out, err := runStrategyCLI(t, newStrategyCmd(), "eval", file, "--as-of", "2024-03-28", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		AsOf       string                     `json:"as_of"`
		Weights    map[string]string          `json:"weights"`
		Strategies map[string]json.RawMessage `json:"strategies"`
		Trace      []string                   `json:"trace"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got.AsOf != "2024-03-28" || len(got.Weights) == 0 || got.Strategies["Trend"] == nil || len(got.Trace) != 1 ||
		!strings.HasPrefix(got.Trace[0], "Trend: current-price(SPY)=") {
		t.Fatalf("unexpected output:\n%s", out)
	}
	// The same inputs give the same output.
	if again, _ := runStrategyCLI(t, newStrategyCmd(), "eval", file, "--as-of", "2024-03-28", "--json"); again != out {
		t.Fatalf("second run differs:\n%s\n%s", out, again)
	}
}

func TestStrategyEvalExplainStage(t *testing.T) {
	out, err := runStrategyCLI(t, newStrategyCmd(), "eval", "prod", "--as-of", "2024-03-28", "--explain")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"As of 2024-03-28", "SYMBOL", "Strategies:", "Trace:", "Trend Guard: current-price(SPY)="} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestBacktestCommandWritesDeterministicReport(t *testing.T) {
	cfg := writeStrategyFile(t, "t.clj", trendSymphony)
	dirs := []string{t.TempDir(), t.TempDir()}
	for _, d := range dirs {
		out, err := runStrategyCLI(t, newBacktestCmd(), "--config", cfg, "--from", "2023-01-03", "--to", "2023-12-29", "--cost-bps", "1", "--slippage-bps", "2", "--out", d)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "CAGR") || !strings.Contains(out, "report.html") {
			t.Fatalf("output:\n%s", out)
		}
	}
	for _, f := range []string{"report.html", "equity.csv", "allocations.csv", "summary.json"} {
		a, err := os.ReadFile(filepath.Join(dirs[0], f))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(filepath.Join(dirs[1], f))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs", f)
		}
	}
	_, err := runStrategyCLI(t, newBacktestCmd(), "--config", cfg, "--cost-bps", "-1")
	var ee ExitError
	if !errors.As(err, &ee) || ee.Code != 2 {
		t.Fatalf("negative cost: err = %v", err)
	}
}
