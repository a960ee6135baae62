package v1_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/contracts/v1/v1example"
)

var update = flag.Bool("update", false, "rewrite golden fixtures and schemas from the Go types")

// released lists the schema versions whose fixtures must decode forever.
const goldenDir = "testdata/" + v1.SchemaVersion

func TestGoldenRoundTrip(t *testing.T) {
	for _, ev := range v1example.All() {
		name := string(ev.DetailType())
		t.Run(name, func(t *testing.T) {
			got, err := json.MarshalIndent(ev, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join(goldenDir, name+".json")
			if *update {
				if err := os.MkdirAll(goldenDir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read golden (run go test -update): %v", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Fatalf("%s changed (-golden +now). A changed golden file is a new schema version, not an edit:\n%s", path, diff)
			}
			dec, err := v1.Decode(want)
			if err != nil {
				t.Fatalf("decode golden: %v", err)
			}
			if dec.Wrapped {
				t.Error("bare payload reported as wrapped")
			}
			if diff := cmp.Diff(ev, dec.Event); diff != "" {
				t.Fatalf("decode(golden) differs from the example (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReleasedFixturesStillDecode reads every fixture of every released version.
func TestReleasedFixturesStillDecode(t *testing.T) {
	dirs, err := filepath.Glob("testdata/1.*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no released fixture folders: %v", err)
	}
	n := 0
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := v1.Decode(b); err != nil {
				t.Errorf("%s: %v", f, err)
			}
			n++
		}
	}
	if n < len(v1.DetailTypes()) {
		t.Fatalf("only %d released fixtures, want at least one per event type (%d)", n, len(v1.DetailTypes()))
	}
}

func TestDecodeEnvelope(t *testing.T) {
	at := time.Date(2026, 11, 27, 14, 35, 1, 0, time.UTC)
	for _, ev := range v1example.All() {
		t.Run(string(ev.DetailType()), func(t *testing.T) {
			b, err := v1.Wrap(ev, "e-1", "123456789012", "us-east-1", at)
			if err != nil {
				t.Fatal(err)
			}
			dec, err := v1.Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			if !dec.Wrapped || dec.Envelope.ID != "e-1" || dec.ReplayName != "" {
				t.Fatalf("envelope not reported: %+v", dec)
			}
			if diff := cmp.Diff(ev, dec.Event); diff != "" {
				t.Fatal(diff)
			}
		})
	}
	t.Run("replay-name", func(t *testing.T) {
		b, _ := v1.Wrap(v1example.RebalancePlanned(), "e-2", "1", "us-east-1", at)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		m["replay-name"] = "nightly-replay"
		b, _ = json.Marshal(m)
		dec, err := v1.Decode(b)
		if err != nil || dec.ReplayName != "nightly-replay" {
			t.Fatalf("replay-name = %q, err %v", dec.ReplayName, err)
		}
	})
}

// invalidCases mutate a golden event into a payload that breaks the contract. schema says whether
// JSON Schema can express the rule too (cross-field rules are Validate's alone).
var invalidCases = []struct {
	name    string
	base    v1.Event
	mutate  func(m map[string]any)
	wantErr string
	schema  bool
}{
	{"unknown-field", v1example.SignalGenerated(), func(m map[string]any) { m["targte"] = []any{} },
		"targte: unknown field", true},
	{"missing-field", v1example.SignalGenerated(), func(m map[string]any) { delete(m, "as_of") },
		"as_of: required field missing", true},
	{"qty-abc", v1example.RebalancePlanned(), func(m map[string]any) {
		m["items"].([]any)[0].(map[string]any)["qty"] = "abc"
	}, `items[0].qty: "abc" is not a decimal string`, true},
	{"qty-number", v1example.RebalancePlanned(), func(m map[string]any) {
		m["items"].([]any)[0].(map[string]any)["qty"] = 40.5
	}, `items[0].qty: want a decimal string such as "12.5", got the number 40.5`, true},
	{"bad-enum", v1example.RebalancePlanned(), func(m map[string]any) {
		m["items"].([]any)[1].(map[string]any)["action"] = "SHORT"
	}, `items[1].action: "SHORT" is not one of "BUY", "SELL", "HOLD"`, true},
	{"wrong-type", v1example.TradeExecuted(), func(m map[string]any) { m["dry_run"] = "no" },
		`dry_run: want true or false, got "no"`, true},
	{"major-version", v1example.TradeExecuted(), func(m map[string]any) { m["schema_version"] = "2.0.0" },
		"schema_version 2.0.0: major version 2 is not supported", true},
	{"bad-time", v1example.TradeExecuted(), func(m map[string]any) { m["occurred_at"] = "yesterday" },
		`occurred_at: "yesterday" is not an RFC 3339 time`, true},
	{"negative-qty", v1example.TradeExecuted(), func(m map[string]any) {
		m["orders"].([]any)[0].(map[string]any)["filled_qty"] = "-1"
	}, "orders[0].filled_qty: -1 is negative", false},
	{"weights-sum", v1example.SignalGenerated(), func(m map[string]any) {
		m["target"].([]any)[0].(map[string]any)["weight"] = "0.3"
	}, "target: weights sum to 1.05, want 1 within 0.000001", false},
	{"unknown-type", v1example.TradeExecuted(), func(m map[string]any) { m["event_type"] = "TradeExploded" },
		`event_type: unknown detail-type "TradeExploded"`, false},
}

func mutated(t *testing.T, ev v1.Event, mutate func(map[string]any)) []byte {
	t.Helper()
	b, err := v1.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	mutate(m)
	out, _ := json.MarshalIndent(m, "", "  ")
	return out
}

func TestDecodeRejects(t *testing.T) {
	for _, tc := range invalidCases {
		t.Run(tc.name, func(t *testing.T) {
			b := mutated(t, tc.base, tc.mutate)
			_, err := v1.Decode(b)
			if err == nil {
				t.Fatalf("decoded an invalid payload:\n%s", b)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %q\ndoes not contain %q", err, tc.wantErr)
			}
			if tc.name == "major-version" && !errors.Is(err, v1.ErrUnsupportedVersion) {
				t.Fatalf("major version error is not ErrUnsupportedVersion: %v", err)
			}
		})
	}
}

func TestNewerMinorToleratesUnknownFields(t *testing.T) {
	b := mutated(t, v1example.SignalGenerated(), func(m map[string]any) {
		m["schema_version"] = "1.4.0"
		m["confidence"] = "0.9"
		m["target"].([]any)[0].(map[string]any)["note"] = "x"
	})
	dec, err := v1.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"confidence", "target[0].note"}, dec.UnknownFields); diff != "" {
		t.Fatal(diff)
	}
}

func TestEnvelopeMismatch(t *testing.T) {
	at := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	b, _ := v1.Wrap(v1example.SignalGenerated(), "e", "1", "us-east-1", at)
	wrongSource := bytes.Replace(b, []byte(`"source":"alchemiser.strategy"`), []byte(`"source":"alchemiser.portfolio"`), 1)
	if _, err := v1.Decode(wrongSource); err == nil || !strings.Contains(err.Error(), "source") {
		t.Fatalf("wrong source accepted: %v", err)
	}
	wrongType := bytes.Replace(b, []byte(`"detail-type":"SignalGenerated"`), []byte(`"detail-type":"TradeExecuted"`), 1)
	if _, err := v1.Decode(wrongType); err == nil || !strings.Contains(err.Error(), "detail-type") {
		t.Fatalf("mismatched detail-type accepted: %v", err)
	}
}

// TestSchemas checks the JSON Schemas agree with the decoder both ways: every golden fixture
// validates, and every invalid case that a schema can express is rejected by both.
func TestSchemas(t *testing.T) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	schemas := map[v1.DetailType]*jsonschema.Schema{}
	for _, dt := range v1.DetailTypes() {
		got, err := v1.JSONSchema(dt)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, '\n')
		path := filepath.Join("..", "schemas", "v1", string(dt)+".schema.json")
		if *update {
			_ = os.MkdirAll(filepath.Dir(path), 0o755)
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("read schema (run go test -update): %v", err)
		}
		if !bytes.Equal(want, got) {
			t.Fatalf("%s is out of date with the Go types; run go test -update", path)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(want))
		if err != nil {
			t.Fatal(err)
		}
		url := fmt.Sprintf("mem://%s.json", dt)
		if err := c.AddResource(url, doc); err != nil {
			t.Fatal(err)
		}
		s, err := c.Compile(url)
		if err != nil {
			t.Fatalf("compile %s: %v", dt, err)
		}
		schemas[dt] = s
	}
	validate := func(dt v1.DetailType, b []byte) error {
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return err
		}
		return schemas[dt].Validate(inst)
	}
	for _, ev := range v1example.All() {
		b, _ := os.ReadFile(filepath.Join(goldenDir, string(ev.DetailType())+".json"))
		if err := validate(ev.DetailType(), b); err != nil {
			t.Errorf("golden %s fails its schema: %v", ev.DetailType(), err)
		}
	}
	for _, tc := range invalidCases {
		if !tc.schema {
			continue
		}
		b := mutated(t, tc.base, tc.mutate)
		if err := validate(tc.base.DetailType(), b); err == nil {
			t.Errorf("%s: schema accepted what the decoder rejects", tc.name)
		}
	}
}

func TestDeriveEventIDIsDeterministic(t *testing.T) {
	a := v1.DeriveEventID("cause-1", v1.TypeSignalGenerated)
	if a != v1.DeriveEventID("cause-1", v1.TypeSignalGenerated) {
		t.Fatal("not deterministic")
	}
	if a == v1.DeriveEventID("cause-1", v1.TypeRebalancePlanned) || a == v1.DeriveEventID("cause-2", v1.TypeSignalGenerated) {
		t.Fatal("collision across cause or type")
	}
	if len(a) != 36 || a[14] != '5' {
		t.Fatalf("not UUID-shaped: %s", a)
	}
}
