package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/alchemiser/alchemiser/pkg/eventpattern"
)

// newEventsTestPatternCmd builds `alchemiser events test-pattern`, the local twin of
// `aws events test-event-pattern`.
func newEventsTestPatternCmd() *cobra.Command {
	var patternArg, eventArg string
	var batch bool
	cmd := &cobra.Command{
		Use:   "test-pattern",
		Short: "Test an event pattern against an event",
		Long: `Test whether an EventBridge event pattern matches an event, deciding as AWS does.

--event-pattern and --event each take inline JSON or the path of a file holding it
(file://path also works). The result is printed as {"Result": true} or {"Result": false};
the exit code is 0 for a match, 1 for no match and 2 for an invalid pattern or event.

With --batch, JSON lines {"pattern": ..., "event": ...} are read from stdin (pattern and event
may be JSON objects or strings holding JSON) and one line is written per input line, in order:
{"result": true|false} or {"error": "..."}.`,
		Example: `  alchemiser events test-pattern --event-pattern '{"source":["alchemiser.strategy"]}' --event event.json
  alchemiser events test-pattern --batch < cases.jsonl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if batch {
				if patternArg != "" || eventArg != "" {
					return ExitError{Code: 2, Err: errors.New("test-pattern: --batch reads pattern and event from stdin; do not also pass --event-pattern or --event")}
				}
				return runTestPatternBatch(cmd.InOrStdin(), cmd.OutOrStdout())
			}
			if patternArg == "" || eventArg == "" {
				return ExitError{Code: 2, Err: errors.New("test-pattern: both --event-pattern and --event are required (or use --batch)")}
			}
			return runTestPattern(patternArg, eventArg, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&patternArg, "event-pattern", "", "event pattern: inline JSON or a file path")
	cmd.Flags().StringVar(&eventArg, "event", "", "event: inline JSON or a file path")
	cmd.Flags().BoolVar(&batch, "batch", false, `read JSON lines {"pattern":...,"event":...} from stdin`)
	return cmd
}

func runTestPattern(patternArg, eventArg string, out io.Writer) error {
	pattern, err := loadJSONArg("--event-pattern", patternArg)
	if err != nil {
		return ExitError{Code: 2, Err: err}
	}
	event, err := loadJSONArg("--event", eventArg)
	if err != nil {
		return ExitError{Code: 2, Err: err}
	}
	ok, err := testPattern(pattern, event)
	if err != nil {
		return ExitError{Code: 2, Err: err}
	}
	if _, err := fmt.Fprintf(out, "{\"Result\": %t}\n", ok); err != nil {
		return fmt.Errorf("write result: %w", err)
	}
	if !ok {
		return ExitError{Code: 1}
	}
	return nil
}

// testPattern compiles pattern and matches event, naming which input is bad on error.
func testPattern(pattern, event []byte) (bool, error) {
	p, err := eventpattern.Compile(pattern)
	if err != nil {
		return false, fmt.Errorf("compile event pattern: %w", err)
	}
	ok, err := p.Match(event)
	if err != nil {
		return false, fmt.Errorf("parse event: %w", err)
	}
	return ok, nil
}

// loadJSONArg returns inline JSON as given, or the contents of the file the argument names.
func loadJSONArg(flag, arg string) ([]byte, error) {
	trimmed := strings.TrimSpace(arg)
	if strings.HasPrefix(trimmed, "{") || strings.HasPrefix(trimmed, "[") {
		return []byte(trimmed), nil
	}
	path := strings.TrimPrefix(trimmed, "file://")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", flag, err)
	}
	return data, nil
}

// batchLine is one input line of --batch.
type batchLine struct {
	Pattern json.RawMessage `json:"pattern"`
	Event   json.RawMessage `json:"event"`
}

// batchResult is one output line of --batch.
type batchResult struct {
	Result *bool  `json:"result,omitempty"`
	Error  string `json:"error,omitempty"`
}

func runTestPatternBatch(in io.Reader, out io.Writer) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	w := bufio.NewWriter(out)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for lineNo := 1; sc.Scan(); lineNo++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if err := enc.Encode(batchOne(line, lineNo)); err != nil {
			return fmt.Errorf("write batch result: %w", err)
		}
	}
	if err := sc.Err(); err != nil {
		return ExitError{Code: 2, Err: fmt.Errorf("read batch input: %w", err)}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write batch results: %w", err)
	}
	return nil
}

func batchOne(line []byte, lineNo int) batchResult {
	var in batchLine
	if err := json.Unmarshal(line, &in); err != nil {
		return batchResult{Error: fmt.Sprintf("line %d: decode JSON line: %v", lineNo, err)}
	}
	pattern, err := unwrapJSON(in.Pattern)
	if err != nil {
		return batchResult{Error: fmt.Sprintf("line %d: pattern: %v", lineNo, err)}
	}
	event, err := unwrapJSON(in.Event)
	if err != nil {
		return batchResult{Error: fmt.Sprintf("line %d: event: %v", lineNo, err)}
	}
	ok, err := testPattern(pattern, event)
	if err != nil {
		return batchResult{Error: fmt.Sprintf("line %d: %v", lineNo, err)}
	}
	return batchResult{Result: &ok}
}

// unwrapJSON accepts a JSON value, or a JSON string holding JSON text (as the AWS API takes it).
func unwrapJSON(raw json.RawMessage) ([]byte, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, errors.New("missing")
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("decode string: %w", err)
		}
		return []byte(s), nil
	}
	return raw, nil
}
