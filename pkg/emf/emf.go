// Package emf writes metrics in CloudWatch Embedded Metric Format (EMF): JSON log lines that
// CloudWatch turns into metrics without any API call. In Lambda the lines go to stdout.
//
// A Recorder collects values with Put and writes them with Flush, one JSON line per set of
// dimension values (EMF gives each line a single value per dimension). The format is described at
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
package emf

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
	"time"
)

// Unit is a CloudWatch metric unit.
type Unit string

// The units used by Alchemiser; CloudWatch knows more.
const (
	Count        Unit = "Count"
	Milliseconds Unit = "Milliseconds"
	Seconds      Unit = "Seconds"
	Bytes        Unit = "Bytes"
	Percent      Unit = "Percent"
	None         Unit = "None"
)

// MaxValuesPerMetric is the most values EMF allows in one metric of one line; Flush writes more
// lines when a metric has more.
const MaxValuesPerMetric = 100

// MaxDimensions is the most dimensions EMF allows in one dimension set.
const MaxDimensions = 30

// Dimension is one dimension of a metric, such as DetailType=SignalGenerated.
type Dimension struct {
	Name  string
	Value string
}

// Option configures a Recorder.
type Option func(*Recorder)

// WithClock sets the clock that stamps each flushed line; the default is time.Now.
func WithClock(now func() time.Time) Option { return func(r *Recorder) { r.now = now } }

// WithDimensions sets dimensions added to every metric, such as Service=portfolio.
func WithDimensions(dims ...Dimension) Option {
	return func(r *Recorder) { r.defaults = append(r.defaults, dims...) }
}

// Recorder collects metric values and writes them as EMF lines. It is safe for concurrent use.
type Recorder struct {
	w         io.Writer
	namespace string
	now       func() time.Time
	defaults  []Dimension

	mu   sync.Mutex
	sets map[string]*set
	// order keeps the dimension sets in first-use order so output is deterministic.
	order []string
}

type set struct {
	dims    []Dimension
	metrics []*metric
	byName  map[string]*metric
}

type metric struct {
	name   string
	unit   Unit
	values []float64
}

// New returns a Recorder that writes to w under the CloudWatch namespace.
func New(w io.Writer, namespace string, opts ...Option) *Recorder {
	r := &Recorder{w: w, namespace: namespace, now: time.Now, sets: map[string]*set{}}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Put records value for the metric name with unit and the given dimensions (in addition to the
// Recorder's default dimensions). A dimension given here replaces a default of the same name.
// Values of one metric and dimension set are kept in order and written together. NaN and
// infinite values, which JSON cannot carry, are dropped.
func (r *Recorder) Put(name string, value float64, unit Unit, dims ...Dimension) {
	if r == nil || math.IsNaN(value) || math.IsInf(value, 0) {
		return
	}
	all := mergeDims(r.defaults, dims)
	key := dimKey(all)
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.sets[key]
	if !ok {
		s = &set{dims: all, byName: map[string]*metric{}}
		r.sets[key] = s
		r.order = append(r.order, key)
	}
	m, ok := s.byName[name]
	if !ok {
		m = &metric{name: name, unit: unit}
		s.byName[name] = m
		s.metrics = append(s.metrics, m)
	}
	m.values = append(m.values, value)
}

func mergeDims(defaults, dims []Dimension) []Dimension {
	out := make([]Dimension, 0, len(defaults)+len(dims))
	for _, d := range defaults {
		replaced := false
		for _, e := range dims {
			if e.Name == d.Name {
				replaced = true
				break
			}
		}
		if !replaced {
			out = append(out, d)
		}
	}
	return append(out, dims...)
}

func dimKey(dims []Dimension) string {
	var b strings.Builder
	for _, d := range dims {
		fmt.Fprintf(&b, "%d:%s=%d:%s;", len(d.Name), d.Name, len(d.Value), d.Value)
	}
	return b.String()
}

// Flush writes every recorded value as EMF lines, one per dimension set (more when a metric has
// more than MaxValuesPerMetric values), and forgets them. Nothing is written when nothing was
// recorded. An error means some lines may not have been written; the values are dropped anyway,
// so a broken writer cannot make the Recorder grow without bound.
func (r *Recorder) Flush() error {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	sets, order := r.sets, r.order
	r.sets, r.order = map[string]*set{}, nil
	r.mu.Unlock()
	if len(order) == 0 {
		return nil
	}
	ts := r.now().UnixMilli()
	var buf []byte
	for _, k := range order {
		s := sets[k]
		for chunk := 0; ; chunk++ {
			line, more, err := encode(r.namespace, ts, s, chunk)
			if err != nil {
				return err
			}
			if line != nil {
				buf = append(buf, line...)
				buf = append(buf, '\n')
			}
			if !more {
				break
			}
		}
	}
	if _, err := r.w.Write(buf); err != nil {
		return fmt.Errorf("write metrics: %w", err)
	}
	return nil
}

// The EMF document. Field names are fixed by the specification.
type (
	emfMetadata struct {
		Timestamp         int64          `json:"Timestamp"`
		CloudWatchMetrics []emfDirective `json:"CloudWatchMetrics"`
	}
	emfDirective struct {
		Namespace  string          `json:"Namespace"`
		Dimensions [][]string      `json:"Dimensions"`
		Metrics    []emfDefinition `json:"Metrics"`
	}
	emfDefinition struct {
		Name string `json:"Name"`
		Unit Unit   `json:"Unit,omitempty"`
	}
)

// encode writes the chunk-th line of s: values [chunk*Max, (chunk+1)*Max) of each metric.
func encode(namespace string, ts int64, s *set, chunk int) (line []byte, more bool, err error) {
	doc := map[string]any{}
	names := make([]string, 0, len(s.dims))
	for _, d := range s.dims {
		if len(names) < MaxDimensions {
			names = append(names, d.Name)
		}
		doc[d.Name] = d.Value
	}
	dir := emfDirective{Namespace: namespace, Dimensions: [][]string{names}}
	lo := chunk * MaxValuesPerMetric
	for _, m := range s.metrics {
		if lo >= len(m.values) {
			continue
		}
		hi := min(lo+MaxValuesPerMetric, len(m.values))
		if hi < len(m.values) {
			more = true
		}
		if _, clash := doc[m.name]; clash {
			return nil, false, fmt.Errorf("encode metric %q: the name is also a dimension", m.name)
		}
		dir.Metrics = append(dir.Metrics, emfDefinition{Name: m.name, Unit: m.unit})
		if vals := m.values[lo:hi]; len(vals) == 1 {
			doc[m.name] = vals[0]
		} else {
			doc[m.name] = vals
		}
	}
	if len(dir.Metrics) == 0 {
		return nil, false, nil
	}
	doc["_aws"] = emfMetadata{Timestamp: ts, CloudWatchMetrics: []emfDirective{dir}}
	line, err = json.Marshal(doc)
	if err != nil {
		return nil, false, fmt.Errorf("encode metrics: %w", err)
	}
	return line, more, nil
}
