package eventbridge_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/alchemiser/alchemiser/infra/local/eventbridge"
	"github.com/alchemiser/alchemiser/infra/local/lambdahost"
	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// latencySink records, for each delivered event, the time from just before its PutEvents call
// (carried in the detail as "t") to the handler being called.
type latencySink struct {
	mu   sync.Mutex
	lat  []time.Duration
	n    atomic.Int64
	want int64
	done chan struct{}
	each chan struct{} // if not nil, signalled after each event
	cpu0 time.Duration
}

func newLatencySink(want int) *latencySink {
	return &latencySink{lat: make([]time.Duration, 0, want), want: int64(want), done: make(chan struct{})}
}

func (s *latencySink) handle(event []byte) {
	now := time.Now().UnixNano()
	i := bytes.Index(event, []byte(`"t":`))
	if i < 0 {
		return
	}
	j := i + 4
	for j < len(event) && event[j] >= '0' && event[j] <= '9' {
		j++
	}
	t, _ := strconv.ParseInt(string(event[i+4:j]), 10, 64)
	s.mu.Lock()
	s.lat = append(s.lat, time.Duration(now-t))
	s.mu.Unlock()
	if s.n.Add(1) == s.want {
		close(s.done)
	}
	if s.each != nil {
		s.each <- struct{}{}
	}
}

func (s *latencySink) Dispatch(_ context.Context, _ string, event []byte) error {
	s.handle(event)
	return nil
}

// cpuTime is the CPU time (user + system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func (s *latencySink) report(b *testing.B, elapsed time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	slices.Sort(s.lat)
	if len(s.lat) == 0 {
		return
	}
	// CPU per event, client and server together: on a machine shared with other work, wall-clock
	// events/s understates the bus; 2 cores / cpu-µs-per-event is what two idle cores would do.
	b.ReportMetric(float64((cpuTime()-s.cpu0).Microseconds())/float64(len(s.lat)), "cpu-µs/event")
	b.ReportMetric(float64(len(s.lat))/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(s.lat[len(s.lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(s.lat[len(s.lat)*99/100].Microseconds()), "p99-µs")
}

// benchBus runs b.N events through PutEvents (the real SDK client over loopback, batches of
// batch entries, parallel callers) to a handler, with durable storage on; ns/op is per event.
func benchBus(b *testing.B, batch int, viaHost, serial bool) {
	dir := b.TempDir()
	ctx := context.Background()
	sink := newLatencySink(b.N - b.N%batch)
	if serial {
		sink.each = make(chan struct{}, 1)
	}
	var lambda eventbridge.Dispatcher = sink
	var host *lambdahost.Host
	if viaHost {
		var err error
		host, err = lambdahost.Open(ctx, lambdahost.Config{Path: filepath.Join(dir, "lambda.db")})
		if err != nil {
			b.Fatal(err)
		}
		defer host.Close()
		if err := host.Register(lambdahost.Function{Name: "svc", Concurrency: 8, Handler: func(_ context.Context, p []byte) ([]byte, error) {
			sink.handle(p)
			return nil, nil
		}}); err != nil {
			b.Fatal(err)
		}
		lambda = host
	}
	bus, err := eventbridge.Open(ctx, eventbridge.Config{Path: filepath.Join(dir, "bus.db"), Lambda: lambda})
	if err != nil {
		b.Fatal(err)
	}
	defer bus.Close()
	if _, err := bus.PutRule(ctx, eventbridge.PutRuleInput{Name: "r", EventPattern: `{"source":["bench"],"detail-type":["Tick"]}`}); err != nil {
		b.Fatal(err)
	}
	for i := range 3 { // more rules that do not match, as on the real bus
		if _, err := bus.PutRule(ctx, eventbridge.PutRuleInput{Name: "other" + strconv.Itoa(i), EventPattern: `{"source":["other"],"detail-type":["Tick` + strconv.Itoa(i) + `"]}`}); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := bus.PutTargets(ctx, "", "r", []eventbridge.Target{{Id: "svc", Arn: fnARN("svc")}}); err != nil {
		b.Fatal(err)
	}
	srv, err := eventbridge.Listen(bus, "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Shutdown(ctx)
	client, _ := clients(srv.Endpoint())
	calls := b.N / batch
	var next atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	start := time.Now()
	sink.cpu0 = cpuTime()
	if serial {
		for i := range b.N {
			t := strconv.FormatInt(time.Now().UnixNano(), 10)
			if _, err := client.PutEvents(ctx, &eb.PutEventsInput{Entries: []types.PutEventsRequestEntry{{Source: aws.String("bench"), DetailType: aws.String("Tick"),
				Detail: aws.String(`{"correlation_id":"bench","i":` + strconv.Itoa(i) + `,"t":` + t + `}`)}}}); err != nil {
				b.Fatal(err)
			}
			<-sink.each
		}
		elapsed := time.Since(start)
		b.StopTimer()
		sink.report(b, elapsed)
		return
	}
	b.RunParallel(func(pb *testing.PB) {
		entries := make([]types.PutEventsRequestEntry, batch)
		for pb.Next() {
			if next.Add(1) > int64(calls) {
				continue
			}
			t := strconv.FormatInt(time.Now().UnixNano(), 10)
			for i := range entries {
				entries[i] = types.PutEventsRequestEntry{Source: aws.String("bench"), DetailType: aws.String("Tick"),
					Detail: aws.String(`{"correlation_id":"bench","t":` + t + `,"weights":{"SPY":"0.6","TLT":"0.4"}}`)}
			}
			out, err := client.PutEvents(ctx, &eb.PutEventsInput{Entries: entries})
			if err != nil || out.FailedEntryCount != 0 {
				b.Errorf("put events: %v", err)
				return
			}
		}
	})
	if calls > 0 {
		select {
		case <-sink.done:
		case <-time.After(60 * time.Second):
			b.Fatalf("delivered %d of %d", sink.n.Load(), sink.want)
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	sink.report(b, elapsed)
}

// BenchmarkPutEventsToHandler measures the hop from PutEvents (the real SDK client over
// loopback, durable storage on) to the target's handler being called: "latency" sends one event
// at a time and waits for its delivery (the unloaded hop); "throughput-batch=N" keeps 32
// callers busy with N entries per call (sustained events/s; latencies then include queueing).
func BenchmarkPutEventsToHandler(b *testing.B) {
	b.Run("latency", func(b *testing.B) { benchBus(b, 1, false, true) })
	for _, batch := range []int{1, 10} {
		b.Run("throughput-batch="+strconv.Itoa(batch), func(b *testing.B) { benchBus(b, batch, false, false) })
	}
}

// BenchmarkPutEventsToLambdaHandler adds the Lambda host's durable async queue to the hop.
func BenchmarkPutEventsToLambdaHandler(b *testing.B) {
	b.Run("latency", func(b *testing.B) { benchBus(b, 1, true, true) })
	b.Run("throughput-batch=10", func(b *testing.B) { benchBus(b, 10, true, false) })
}

// BenchmarkLoopbackHTTPBaseline is a bare loopback HTTP POST round trip of a PutEvents-sized
// body, for the ratio of the bus's hop to the cheapest possible one.
func BenchmarkLoopbackHTTPBaseline(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, `{"Entries":[{"EventId":"x"}],"FailedEntryCount":0}`)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	url := "http://" + ln.Addr().String() + "/"
	http.DefaultTransport.(*http.Transport).MaxIdleConnsPerHost = 64
	body := []byte(`{"Entries":[{"Source":"bench","DetailType":"Tick","Detail":"{\"correlation_id\":\"bench\",\"t\":1,\"weights\":{\"SPY\":\"0.6\",\"TLT\":\"0.4\"}}"}]}`)
	lat := make([]time.Duration, 0, b.N)
	var mu sync.Mutex
	b.SetParallelism(16)
	b.ResetTimer()
	start := time.Now()
	cpu0 := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			t0 := time.Now()
			resp, err := http.Post(url, "application/x-amz-json-1.1", bytes.NewReader(body))
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			d := time.Since(t0)
			mu.Lock()
			lat = append(lat, d)
			mu.Unlock()
		}
	})
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "requests/s")
		b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(len(lat)), "cpu-µs/request")
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	}
}

// BenchmarkPutEventsInProcess is the bus's own cost per event (validation, matching, group
// commit, delivery) without HTTP.
func BenchmarkPutEventsInProcess(b *testing.B) {
	dir := b.TempDir()
	ctx := context.Background()
	sink := newLatencySink(b.N - b.N%10)
	bus, err := eventbridge.Open(ctx, eventbridge.Config{Path: filepath.Join(dir, "bus.db"), Lambda: sink})
	if err != nil {
		b.Fatal(err)
	}
	defer bus.Close()
	if _, err := bus.PutRule(ctx, eventbridge.PutRuleInput{Name: "r", EventPattern: `{"source":["bench"]}`}); err != nil {
		b.Fatal(err)
	}
	if _, err := bus.PutTargets(ctx, "", "r", []eventbridge.Target{{Id: "svc", Arn: fnARN("svc")}}); err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	calls := int64(b.N / 10)
	b.ReportAllocs()
	b.SetParallelism(16)
	b.ResetTimer()
	start := time.Now()
	sink.cpu0 = cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		entries := make([]eventbridge.PutEventsRequestEntry, 10)
		for pb.Next() {
			if next.Add(1) > calls {
				continue
			}
			t := strconv.FormatInt(time.Now().UnixNano(), 10)
			for i := range entries {
				entries[i] = eventbridge.PutEventsRequestEntry{Source: "bench", DetailType: "Tick", Detail: `{"t":` + t + `}`}
			}
			if _, err := bus.PutEvents(ctx, entries); err != nil {
				b.Error(err)
				return
			}
		}
	})
	if calls > 0 {
		<-sink.done
	}
	elapsed := time.Since(start)
	b.StopTimer()
	sink.report(b, elapsed)
}
