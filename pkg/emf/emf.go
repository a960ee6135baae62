// Package emf writes metrics in CloudWatch Embedded Metric Format (EMF): JSON log lines that
// CloudWatch turns into metrics without any API call. In Lambda the lines go to stdout.
//
// A Recorder collects values with Put and writes them with Flush, one JSON line per set of
// dimension values (EMF gives each line a single value per dimension). The format is described at
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
package emf

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
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
	// pending counts the values recorded since the last Flush.
	pending int
	buf     []byte
}

// maxSets is how many dimension sets a Recorder keeps between flushes for reuse before it
// forgets them all, bounding its memory when dimension values vary.
const maxSets = 64

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
	r.pending++
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
		b.WriteString(strconv.Itoa(len(d.Name)))
		b.WriteByte(':')
		b.WriteString(d.Name)
		b.WriteString(strconv.Itoa(len(d.Value)))
		b.WriteByte('=')
		b.WriteString(d.Value)
	}
	return b.String()
}

// Flush writes every recorded value as EMF lines, one per dimension set (more when a metric has
// more than MaxValuesPerMetric values), and forgets them. Nothing is written when nothing was
// recorded. On an error (a metric named like a dimension, a failed write) the values are dropped
// anyway, so a broken writer cannot make the Recorder grow without bound; the lines that could be
// encoded are still written in the first case.
func (r *Recorder) Flush() error {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	buf, err := r.encodeLocked(r.buf[:0])
	r.buf = buf[:0]
	if len(buf) > 0 {
		// Write a copy, so the next Flush can reuse the buffer while this one writes.
		buf = append([]byte(nil), buf...)
	}
	r.mu.Unlock()
	if len(buf) > 0 {
		if _, werr := r.w.Write(buf); werr != nil {
			return errors.Join(err, fmt.Errorf("write metrics: %w", werr))
		}
	}
	return err
}

// encodeLocked appends every pending line to buf and empties the value lists, keeping the sets
// and metrics (a Lambda records the same few every invocation). r.mu must be held.
func (r *Recorder) encodeLocked(buf []byte) ([]byte, error) {
	if r.pending == 0 {
		return buf, nil
	}
	r.pending = 0
	ts := r.now().UnixMilli()
	var firstErr error
	for _, k := range r.order {
		s := r.sets[k]
		for chunk := 0; ; chunk++ {
			var more bool
			var err error
			buf, more, err = encode(buf, r.namespace, ts, s, chunk)
			if err != nil && firstErr == nil {
				firstErr = err
			}
			if err != nil || !more {
				break
			}
		}
		for _, m := range s.metrics {
			m.values = m.values[:0]
		}
	}
	if len(r.order) > maxSets {
		r.sets, r.order = map[string]*set{}, nil
	}
	return buf, firstErr
}

// encode appends the chunk-th line of s to buf: values [chunk*Max, (chunk+1)*Max) of each
// metric. The document is written by hand, in the order _aws, dimensions, metrics; its field
// names (_aws, Timestamp, CloudWatchMetrics, Namespace, Dimensions, Metrics, Name, Unit) are fixed
// by the specification.
func encode(buf []byte, namespace string, ts int64, s *set, chunk int) (out []byte, more bool, err error) {
	lo := chunk * MaxValuesPerMetric
	var present []*metric
	for _, m := range s.metrics {
		if lo >= len(m.values) {
			continue
		}
		if lo+MaxValuesPerMetric < len(m.values) {
			more = true
		}
		for _, d := range s.dims {
			if d.Name == m.name {
				return buf, false, fmt.Errorf("encode metric %q: the name is also a dimension", m.name)
			}
		}
		present = append(present, m)
	}
	if len(present) == 0 {
		return buf, false, nil
	}
	b := append(buf, `{"_aws":{"Timestamp":`...)
	b = strconv.AppendInt(b, ts, 10)
	b = append(b, `,"CloudWatchMetrics":[{"Namespace":`...)
	b = appendString(b, namespace)
	b = append(b, `,"Dimensions":[[`...)
	for i, d := range s.dims {
		if i == MaxDimensions {
			break
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, d.Name)
	}
	b = append(b, `]],"Metrics":[`...)
	for i, m := range present {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"Name":`...)
		b = appendString(b, m.name)
		if m.unit != "" {
			b = append(b, `,"Unit":`...)
			b = appendString(b, string(m.unit))
		}
		b = append(b, '}')
	}
	b = append(b, "]}]}"...)
	for _, d := range s.dims {
		b = append(b, ',')
		b = appendString(b, d.Name)
		b = append(b, ':')
		b = appendString(b, d.Value)
	}
	for _, m := range present {
		b = append(b, ',')
		b = appendString(b, m.name)
		b = append(b, ':')
		vals := m.values[lo:min(lo+MaxValuesPerMetric, len(m.values))]
		if len(vals) == 1 {
			b = appendFloat(b, vals[0])
			continue
		}
		b = append(b, '[')
		for i, v := range vals {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendFloat(b, v)
		}
		b = append(b, ']')
	}
	return append(b, "}\n"...), more, nil
}

// appendFloat formats v as encoding/json does.
func appendFloat(b []byte, v float64) []byte {
	abs := math.Abs(v)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, v, format, -1, 64)
	if format == 'e' {
		// Clean up e-09 to e-9, as encoding/json does.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[r>>4], hex[r&0xf])
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return append(b, '"')
}
