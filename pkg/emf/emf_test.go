package emf_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/alchemiser/alchemiser/pkg/emf"
)

var at = time.Date(2026, 11, 27, 14, 35, 0, 123_000_000, time.UTC)

func clock() time.Time { return at }

func TestFlushShape(t *testing.T) {
	var out bytes.Buffer
	r := emf.New(&out, "Alchemiser", emf.WithClock(clock), emf.WithDimensions(emf.Dimension{Name: "Service", Value: "execution"}))
	r.Put("Invocations", 1, emf.Count, emf.Dimension{Name: "DetailType", Value: "RebalancePlanned"})
	r.Put("Duration", 12.5, emf.Milliseconds, emf.Dimension{Name: "DetailType", Value: "RebalancePlanned"})
	r.Put("Duration", 7, emf.Milliseconds, emf.Dimension{Name: "DetailType", Value: "RebalancePlanned"})
	if err := r.Flush(); err != nil {
		t.Fatal(err)
	}
	want := `{"Duration":[12.5,7],"Invocations":1,"DetailType":"RebalancePlanned","Service":"execution",` +
		`"_aws":{"Timestamp":1795790100123,"CloudWatchMetrics":[{"Namespace":"Alchemiser","Dimensions":[["Service","DetailType"]],` +
		`"Metrics":[{"Name":"Invocations","Unit":"Count"},{"Name":"Duration","Unit":"Milliseconds"}]}]}}`
	var got, wantDoc any
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	if err := json.Unmarshal([]byte(want), &wantDoc); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantDoc, got); diff != "" {
		t.Fatalf("EMF document (-want +got):\n%s", diff)
	}
	if !strings.HasSuffix(out.String(), "}\n") || strings.Count(out.String(), "\n") != 1 {
		t.Fatalf("want exactly one line, got %q", out.String())
	}
	// Flushed values are forgotten.
	out.Reset()
	if err := r.Flush(); err != nil || out.Len() != 0 {
		t.Fatalf("second Flush wrote %q, %v; want nothing", out.String(), err)
	}
}

func TestFlushOneLinePerDimensionSet(t *testing.T) {
	var out bytes.Buffer
	r := emf.New(&out, "NS", emf.WithClock(clock))
	r.Put("Errors", 0, emf.Count, emf.Dimension{Name: "DetailType", Value: "A"})
	r.Put("Errors", 1, emf.Count, emf.Dimension{Name: "DetailType", Value: "B"})
	r.Put("Errors", 1, emf.Count)
	if err := r.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3:\n%s", len(lines), out.String())
	}
	var last struct {
		AWS struct {
			CloudWatchMetrics []struct{ Dimensions [][]string }
		} `json:"_aws"`
	}
	if err := json.Unmarshal([]byte(lines[2]), &last); err != nil {
		t.Fatal(err)
	}
	if d := last.AWS.CloudWatchMetrics[0].Dimensions; len(d) != 1 || len(d[0]) != 0 {
		t.Errorf("metric without dimensions: Dimensions = %v, want [[]]", d)
	}
}

func TestFlushSplitsLongValueLists(t *testing.T) {
	var out bytes.Buffer
	r := emf.New(&out, "NS", emf.WithClock(clock))
	for i := range emf.MaxValuesPerMetric + 1 {
		r.Put("Latency", float64(i), emf.Milliseconds)
	}
	if err := r.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2", len(lines))
	}
	var first, second map[string]any
	_ = json.Unmarshal([]byte(lines[0]), &first)
	_ = json.Unmarshal([]byte(lines[1]), &second)
	if n := len(first["Latency"].([]any)); n != emf.MaxValuesPerMetric {
		t.Errorf("first line has %d values, want %d", n, emf.MaxValuesPerMetric)
	}
	if second["Latency"] != float64(emf.MaxValuesPerMetric) {
		t.Errorf("second line Latency = %v, want %d", second["Latency"], emf.MaxValuesPerMetric)
	}
}

func TestRejectsBadInput(t *testing.T) {
	tests := []struct {
		name string
		put  func(r *emf.Recorder)
		want string
	}{
		{"metric named like a dimension", func(r *emf.Recorder) {
			r.Put("DetailType", 1, emf.Count, emf.Dimension{Name: "DetailType", Value: "x"})
		}, "also a dimension"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			r := emf.New(&out, "NS")
			tc.put(r)
			if err := r.Flush(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestNonFiniteValuesAreDropped(t *testing.T) {
	var out bytes.Buffer
	r := emf.New(&out, "NS", emf.WithClock(clock))
	zero := 0.0
	r.Put("Ratio", zero/zero, emf.None)
	r.Put("Count", 1, emf.Count)
	if err := r.Flush(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "Ratio") {
		t.Fatalf("NaN written: %s", out.String())
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestFlushWriteError(t *testing.T) {
	r := emf.New(failingWriter{}, "NS")
	r.Put("X", 1, emf.Count)
	if err := r.Flush(); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("got %v, want the write error", err)
	}
}

func TestConcurrentPut(t *testing.T) {
	var out bytes.Buffer
	r := emf.New(&out, "NS", emf.WithClock(clock))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				r.Put("Invocations", 1, emf.Count, emf.Dimension{Name: "G", Value: fmt.Sprint(g % 2)})
			}
		}()
	}
	wg.Wait()
	if err := r.Flush(); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var doc map[string]any
		if err := json.Unmarshal([]byte(line), &doc); err != nil {
			t.Fatal(err)
		}
		total += len(doc["Invocations"].([]any))
	}
	if total != 80 {
		t.Fatalf("%d values flushed, want 80", total)
	}
}

func TestNilRecorder(t *testing.T) {
	var r *emf.Recorder
	r.Put("X", 1, emf.Count)
	if err := r.Flush(); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkPutFlush(b *testing.B) {
	var out bytes.Buffer
	r := emf.New(&out, "NS", emf.WithDimensions(emf.Dimension{Name: "Service", Value: "portfolio"}))
	dim := emf.Dimension{Name: "DetailType", Value: "SignalGenerated"}
	b.ReportAllocs()
	for b.Loop() {
		r.Put("Invocations", 1, emf.Count, dim)
		r.Put("Errors", 0, emf.Count, dim)
		r.Put("Duration", 12.5, emf.Milliseconds, dim)
		if err := r.Flush(); err != nil {
			b.Fatal(err)
		}
		out.Reset()
	}
}

func ExampleRecorder() {
	var out bytes.Buffer
	r := emf.New(&out, "Alchemiser", emf.WithClock(func() time.Time { return time.UnixMilli(1764254100000) }))
	r.Put("OrdersPlaced", 3, emf.Count, emf.Dimension{Name: "Service", Value: "execution"})
	_ = r.Flush()
	fmt.Print(out.String())
	// Output:
	// {"_aws":{"Timestamp":1764254100000,"CloudWatchMetrics":[{"Namespace":"Alchemiser","Dimensions":[["Service"]],"Metrics":[{"Name":"OrdersPlaced","Unit":"Count"}]}]},"Service":"execution","OrdersPlaced":3}
}

// TestEncodingMatchesEncodingJSON checks the hand-written encoder against encoding/json for
// awkward numbers and strings.
func TestEncodingMatchesEncodingJSON(t *testing.T) {
	floats := []float64{0, 1, -1, 0.1, 12.5, 1e-7, 1.5e-9, 123456789, 1e20, 1e21, 1.7976931348623157e308, 5e-324, -2.5e-7}
	for _, v := range floats {
		var out bytes.Buffer
		r := emf.New(&out, "NS", emf.WithClock(clock))
		r.Put("V", v, emf.None)
		if err := r.Flush(); err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(v)
		if !strings.Contains(out.String(), `"V":`+string(want)+"}") {
			t.Errorf("%v encoded as %s, want %s", v, out.String(), want)
		}
	}
	for _, s := range []string{"plain", `quo"te`, `back\\slash`, "tab\tnew\nline\x01", "ünïcødé €", "bad\xffutf8", "<html>&"} {
		var out bytes.Buffer
		r := emf.New(&out, s, emf.WithClock(clock))
		r.Put("V", 1, emf.Count, emf.Dimension{Name: "D", Value: s})
		if err := r.Flush(); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			D   string
			AWS struct {
				CloudWatchMetrics []struct{ Namespace string }
			} `json:"_aws"`
		}
		if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
			t.Fatalf("%q: output is not JSON: %v\n%s", s, err, out.String())
		}
		want := strings.ToValidUTF8(s, "\uFFFD")
		if doc.D != want || doc.AWS.CloudWatchMetrics[0].Namespace != want {
			t.Errorf("%q round-tripped as %q / %q", s, doc.D, doc.AWS.CloudWatchMetrics[0].Namespace)
		}
	}
}

func TestFlushReusesSetsWithoutRepeatingValues(t *testing.T) {
	var out bytes.Buffer
	r := emf.New(&out, "NS", emf.WithClock(clock))
	r.Put("A", 1, emf.Count, emf.Dimension{Name: "T", Value: "x"})
	r.Put("B", 2, emf.Count, emf.Dimension{Name: "T", Value: "y"})
	if err := r.Flush(); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	r.Put("A", 3, emf.Count, emf.Dimension{Name: "T", Value: "x"})
	if err := r.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], `"A":3`) || strings.Contains(lines[0], `"B"`) {
		t.Fatalf("second flush wrote %q, want only A=3", out.String())
	}
}

func TestClashStillWritesOtherLines(t *testing.T) {
	var out bytes.Buffer
	r := emf.New(&out, "NS", emf.WithClock(clock))
	r.Put("Good", 1, emf.Count)
	r.Put("D", 1, emf.Count, emf.Dimension{Name: "D", Value: "x"})
	if err := r.Flush(); err == nil {
		t.Fatal("no error for the clash")
	}
	if !strings.Contains(out.String(), `"Good":1`) {
		t.Fatalf("valid line not written: %q", out.String())
	}
}
