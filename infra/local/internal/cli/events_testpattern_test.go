package cli

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runTestPatternCmd runs `events test-pattern` in-process and returns stdout and the exit code.
func runTestPatternCmd(t *testing.T, stdin string, args ...string) (string, int, error) {
	t.Helper()
	cmd := newEventsTestPatternCmd()
	var out, errOut bytes.Buffer
	cmd.SetArgs(args)
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SilenceUsage = true
	cmd.SilenceErrors = true
	err := cmd.Execute()
	if err == nil {
		return out.String(), 0, nil
	}
	var ee ExitError
	if errors.As(err, &ee) {
		return out.String(), ee.Code, ee.Err
	}
	return out.String(), -1, err
}

func TestEventsTestPattern(t *testing.T) {
	dir := t.TempDir()
	eventFile := filepath.Join(dir, "event.json")
	if err := os.WriteFile(eventFile, []byte(`{"source":"alchemiser.strategy","detail-type":"SignalGenerated","detail":{"n":300}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		pattern  string
		event    string
		wantOut  string
		wantCode int
		wantErr  string
	}{
		{"match inline", `{"source":["alchemiser.strategy"]}`, `{"source":"alchemiser.strategy"}`, "{\"Result\": true}\n", 0, ""},
		{"match file event", `{"detail":{"n":[3.0e2]}}`, eventFile, "{\"Result\": true}\n", 0, ""},
		{"match file:// event", `{"detail-type":[{"prefix":"Signal"}]}`, "file://" + eventFile, "{\"Result\": true}\n", 0, ""},
		{"no match", `{"source":["other"]}`, eventFile, "{\"Result\": false}\n", 1, ""},
		{"invalid pattern", `{"source":[]}`, eventFile, "", 2, "Empty arrays are not allowed"},
		{"invalid event", `{"source":["x"]}`, `{"source":`, "", 2, "parse event"},
		{"missing file", `{"source":["x"]}`, filepath.Join(dir, "nope.json"), "", 2, "read --event"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, code, err := runTestPatternCmd(t, "", "--event-pattern", tt.pattern, "--event", tt.event)
			if code != tt.wantCode {
				t.Fatalf("exit code = %d (err %v), want %d", code, err, tt.wantCode)
			}
			if out != tt.wantOut {
				t.Errorf("stdout = %q, want %q", out, tt.wantOut)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("error = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestEventsTestPatternRequiresFlags(t *testing.T) {
	_, code, err := runTestPatternCmd(t, "", "--event-pattern", `{"a":[1]}`)
	if code != 2 || err == nil {
		t.Fatalf("exit code = %d, err = %v; want 2 and an error", code, err)
	}
}

func TestEventsTestPatternBatch(t *testing.T) {
	in := strings.Join([]string{
		`{"pattern":{"source":["a"]},"event":{"source":"a"}}`,
		`{"pattern":"{\"source\":[\"a\"]}","event":"{\"source\":\"b\"}"}`,
		``,
		`{"pattern":{"source":[]},"event":{"source":"a"}}`,
		`not json`,
		`{"pattern":{"n":[{"numeric":[">",1]}]},"event":{"n":2}}`,
	}, "\n")
	out, code, err := runTestPatternCmd(t, in, "--batch")
	if code != 0 {
		t.Fatalf("exit code = %d (err %v), want 0", code, err)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	want := []string{`{"result":true}`, `{"result":false}`, `{"error":`, `{"error":`, `{"result":true}`}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), out)
	}
	for i := range want {
		if !strings.HasPrefix(lines[i], want[i]) {
			t.Errorf("line %d = %s, want prefix %s", i+1, lines[i], want[i])
		}
	}
	if !strings.Contains(lines[2], "Empty arrays are not allowed") {
		t.Errorf("line 3 = %s, want AWS's reason", lines[2])
	}
}
