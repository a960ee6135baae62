package eventpattern_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/alchemiser/alchemiser/pkg/eventpattern"
)

var (
	tinyEvent    = []byte(`{"source":"alchemiser.strategy"}`)
	tinyPattern  = []byte(`{"source":["alchemiser.strategy"]}`)
	benchSink    bool
	benchNames   []string
	benchNameBuf = make([]string, 0, 4096)
)

// routingPatterns is shaped like the system's routing table: rules on source and detail-type.
var routingPatterns = map[string]string{
	"strategy-on-workflow-started":       `{"source":["alchemiser.orchestrator"],"detail-type":["WorkflowStarted"]}`,
	"portfolio-on-signal-generated":      `{"source":["alchemiser.strategy"],"detail-type":["SignalGenerated"]}`,
	"execution-on-rebalance-planned":     `{"source":["alchemiser.portfolio"],"detail-type":["RebalancePlanned"]}`,
	"orchestrator-on-progress":           `{"source":["alchemiser.strategy","alchemiser.portfolio","alchemiser.execution"],"detail-type":["SignalGenerated","RebalancePlanned","TradeExecuted","StepFailed"]}`,
	"notifier-on-notification-requested": `{"source":["alchemiser.orchestrator"],"detail-type":["TradingNotificationRequested","ErrorNotificationRequested"]}`,
	"archive-all-alchemiser":             `{"source":[{"prefix":"alchemiser."}]}`,
	"audit-failures":                     `{"detail-type":["StepFailed","WorkflowFailed"]}`,
	"tail-completed":                     `{"source":["alchemiser.orchestrator"],"detail-type":["WorkflowCompleted"]}`,
}

// routingEvents are realistic EventBridge envelopes (about 0.6 to 1 KB each).
var routingEvents = [][]byte{
	[]byte(`{"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718","detail-type":"SignalGenerated","source":"alchemiser.strategy","account":"123456789012","time":"2026-11-30T14:30:05Z","region":"us-east-1","resources":[],"detail":{"schema_version":"1.0.0","correlation_id":"wf-20261130-1430","causation_id":"evt-0001","workflow_id":"wf-20261130-1430","strategy":"nuclear","as_of":"2026-11-30T14:30:00Z","targets":[{"symbol":"SPY","weight":"0.45"},{"symbol":"TQQQ","weight":"0.25"},{"symbol":"BIL","weight":"0.30"}],"indicators":{"rsi_10_spy":"71.2","ma_200_spy":"512.33"}}}`),
	[]byte(`{"version":"0","id":"0b6c3a2e-1f05-4a0d-9c2a-3f1f6a9d2c11","detail-type":"RebalancePlanned","source":"alchemiser.portfolio","account":"123456789012","time":"2026-11-30T14:30:07Z","region":"us-east-1","resources":[],"detail":{"schema_version":"1.0.0","correlation_id":"wf-20261130-1430","causation_id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718","workflow_id":"wf-20261130-1430","equity":"100523.17","orders":[{"symbol":"SPY","side":"buy","qty":"12","notional":"6151.20"},{"symbol":"TQQQ","side":"sell","qty":"40","notional":"2890.00"},{"symbol":"BIL","side":"buy","qty":"15","notional":"1376.25"}]}}`),
	[]byte(`{"version":"0","id":"9d1d3c55-2b11-45a4-8c53-0d0f4c9a7e21","detail-type":"WorkflowCompleted","source":"alchemiser.orchestrator","account":"123456789012","time":"2026-11-30T14:30:12Z","region":"us-east-1","resources":[],"detail":{"schema_version":"1.0.0","correlation_id":"wf-20261130-1430","workflow_id":"wf-20261130-1430","status":"completed","orders_filled":3,"duration_ms":7012}}`),
	[]byte(`{"version":"0","id":"1c1f1a2b-3d4e-4f50-8a9b-0c1d2e3f4a5b","detail-type":"Object Created","source":"aws.s3","account":"123456789012","time":"2026-11-30T14:31:00Z","region":"us-east-1","resources":["arn:aws:s3:::alchemiser-reports"],"detail":{"bucket":{"name":"alchemiser-reports"},"object":{"key":"reports/2026-11-30.csv","size":1024}}}`),
}

// mixedPatterns returns n patterns over the fields of mixedEvent, one fifth each of exact,
// prefix, numeric, anything-but and wildcard, from a fixed seed.
func mixedPatterns(n int) map[string]string {
	r := rand.New(rand.NewPCG(1, 2))
	fields := []string{"source", "detail-type", "region", "detail.symbol", "detail.side", "detail.status", "detail.venue", "detail.account.tier"}
	values := []string{"alchemiser.execution", "TradeExecuted", "us-east-1", "SPY", "buy", "filled", "IEX", "gold", "QQQ", "sell", "eu-west-1", "partial", "silver"}
	out := make(map[string]string, n)
	for i := 0; i < n; i++ {
		f := fields[r.IntN(len(fields))]
		v := values[r.IntN(len(values))]
		if r.IntN(4) > 0 { // most patterns miss: vary the value
			v = fmt.Sprintf("%s-%d", v, r.IntN(1000))
		}
		var leaf string
		switch i % 5 {
		case 0:
			leaf = fmt.Sprintf(`[%q]`, v)
		case 1:
			leaf = fmt.Sprintf(`[{"prefix":%q}]`, v[:1+r.IntN(len(v)-1)])
		case 2:
			f = []string{"detail.qty", "detail.price", "detail.fees"}[r.IntN(3)]
			lo := r.IntN(1000)
			leaf = fmt.Sprintf(`[{"numeric":[">",%d,"<=",%d]}]`, lo, lo+1+r.IntN(100))
		case 3:
			leaf = fmt.Sprintf(`[{"anything-but":[%q,%q]}]`, v, values[r.IntN(len(values))])
		case 4:
			leaf = fmt.Sprintf(`[{"wildcard":%q}]`, "*"+v[len(v)/2:])
		}
		parts := strings.Split(f, ".")
		p := leaf
		for j := len(parts) - 1; j >= 0; j-- {
			p = fmt.Sprintf(`{%q:%s}`, parts[j], p)
		}
		out[fmt.Sprintf("rule-%04d", i)] = p
	}
	return out
}

// mixedEvent is an event of about 1 KB.
var mixedEvent = []byte(`{"version":"0","id":"e0a1b2c3-d4e5-4f60-8a71-92b3c4d5e6f7","detail-type":"TradeExecuted","source":"alchemiser.execution","account":"123456789012","time":"2026-11-30T14:30:09Z","region":"us-east-1","resources":["arn:aws:events:us-east-1:123456789012:event-bus/alchemiser"],"detail":{"schema_version":"1.0.0","correlation_id":"wf-20261130-1430","causation_id":"0b6c3a2e-1f05-4a0d-9c2a-3f1f6a9d2c11","workflow_id":"wf-20261130-1430","order_id":"ord-7f3a9c","client_order_id":"alc-20261130-SPY-1","symbol":"SPY","side":"buy","status":"filled","venue":"IEX","qty":12,"price":512.6,"fees":0.35,"filled_at":"2026-11-30T14:30:08.512Z","account":{"id":"PA3X9Z","tier":"gold","currency":"USD"},"fills":[{"qty":5,"price":512.55},{"qty":7,"price":512.64}],"notes":"market order filled in two parts during regular trading hours; no slippage alert raised","tags":["rebalance","daily","nuclear"]}}`)

func newMatcher(b *testing.B, patterns map[string]string) *eventpattern.Matcher {
	b.Helper()
	m := eventpattern.NewMatcher()
	for name, p := range patterns {
		if err := m.Add(name, []byte(p)); err != nil {
			b.Fatalf("add %s: %v", name, err)
		}
	}
	return m
}

func mustParse(b *testing.B, ev []byte) *eventpattern.Event {
	b.Helper()
	e, err := eventpattern.ParseEvent(ev)
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkSingleExact matches one exact pattern against a tiny event.
func BenchmarkSingleExact(b *testing.B) {
	p, err := eventpattern.Compile(tinyPattern)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("parsed", func(b *testing.B) {
		ev := mustParse(b, tinyEvent)
		b.ReportAllocs()
		for b.Loop() {
			benchSink = p.MatchEvent(ev)
		}
	})
	b.Run("raw", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(tinyEvent)))
		for b.Loop() {
			benchSink, _ = p.Match(tinyEvent)
		}
	})
}

// BenchmarkBaseline is the yardstick: decoding the same events with encoding/json into a map
// and walking it for the field a pattern names (the naive matcher), and decoding alone.
func BenchmarkBaseline(b *testing.B) {
	naive := func(event []byte, path []string, want string) bool {
		var m map[string]any
		if err := json.Unmarshal(event, &m); err != nil {
			return false
		}
		var cur any = m
		for _, k := range path {
			obj, ok := cur.(map[string]any)
			if !ok {
				return false
			}
			cur = obj[k]
		}
		s, ok := cur.(string)
		return ok && s == want
	}
	b.Run("tiny/naive-unmarshal-walk", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(tinyEvent)))
		for b.Loop() {
			benchSink = naive(tinyEvent, []string{"source"}, "alchemiser.strategy")
		}
	})
	b.Run("1KB/json-unmarshal", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(mixedEvent)))
		for b.Loop() {
			var m map[string]any
			if err := json.Unmarshal(mixedEvent, &m); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("routing/naive-unmarshal-walk", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			ev := routingEvents[i%len(routingEvents)]
			i++
			benchSink = naive(ev, []string{"source"}, "alchemiser.strategy") && naive(ev, []string{"detail-type"}, "SignalGenerated")
		}
	})
}

// BenchmarkParseEvent measures flattening an event for matching.
func BenchmarkParseEvent(b *testing.B) {
	b.Run("1KB", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(mixedEvent)))
		for b.Loop() {
			if _, err := eventpattern.ParseEvent(mixedEvent); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkRoutingTable matches a routing-table-sized set of rules against realistic events.
func BenchmarkRoutingTable(b *testing.B) {
	m := newMatcher(b, routingPatterns)
	evs := make([]*eventpattern.Event, len(routingEvents))
	for i, e := range routingEvents {
		evs[i] = mustParse(b, e)
	}
	b.Run("parsed", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			benchNames = m.AppendMatches(benchNameBuf[:0], evs[i%len(evs)])
			i++
		}
	})
	b.Run("raw", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			var err error
			benchNames, err = m.Match(routingEvents[i%len(routingEvents)])
			if err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// BenchmarkMatcher1000Mixed matches 1,000 mixed patterns against a 1 KB event.
func BenchmarkMatcher1000Mixed(b *testing.B) {
	m := newMatcher(b, mixedPatterns(1000))
	ev := mustParse(b, mixedEvent)
	b.Run("parsed", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			benchNames = m.AppendMatches(benchNameBuf[:0], ev)
		}
	})
	b.Run("raw", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(mixedEvent)))
		for b.Loop() {
			var err error
			benchNames, err = m.Match(mixedEvent)
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkMatcherScaling shows the cost per event as the number of patterns grows.
func BenchmarkMatcherScaling(b *testing.B) {
	ev := mustParse(b, mixedEvent)
	for _, n := range []int{10, 100, 1000, 10000} {
		m := newMatcher(b, mixedPatterns(n))
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				benchNames = m.AppendMatches(benchNameBuf[:0], ev)
			}
		})
	}
}

// BenchmarkCompile measures compiling a pattern with several operators and an $or.
func BenchmarkCompile(b *testing.B) {
	p := []byte(`{"source":["alchemiser.execution"],"detail":{"qty":[{"numeric":[">",0,"<=",100]}],"status":[{"anything-but":["rejected","cancelled"]}],"$or":[{"symbol":[{"prefix":"SP"}]},{"venue":[{"wildcard":"*EX"}]}]}}`)
	b.ReportAllocs()
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		if _, err := eventpattern.Compile(p); err != nil {
			b.Fatal(err)
		}
	}
}
