package lambdahost_test

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/alchemiser/alchemiser/infra/local/lambdahost"
)

// BenchmarkInvoke is a synchronous invocation: slot, Lambda context, timeout, log record.
func BenchmarkInvoke(b *testing.B) {
	h, err := lambdahost.Open(context.Background(), lambdahost.Config{Path: filepath.Join(b.TempDir(), "l.db")})
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	if err := h.Register(lambdahost.Function{Name: "f", Concurrency: 4, Handler: func(_ context.Context, p []byte) ([]byte, error) { return p, nil }}); err != nil {
		b.Fatal(err)
	}
	payload := []byte(`{"detail-type":"SignalGenerated"}`)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := h.Invoke(context.Background(), "f", payload); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInvokeAsync is the durable accept (group-committed SQLite insert) plus the run of
// each event, from parallel callers; ns/op is per event.
func BenchmarkInvokeAsync(b *testing.B) {
	h, err := lambdahost.Open(context.Background(), lambdahost.Config{Path: filepath.Join(b.TempDir(), "l.db")})
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	var ran atomic.Int64
	done := make(chan struct{})
	want := int64(b.N)
	if err := h.Register(lambdahost.Function{Name: "f", Concurrency: 4, Handler: func(context.Context, []byte) ([]byte, error) {
		if ran.Add(1) == want {
			close(done)
		}
		return nil, nil
	}}); err != nil {
		b.Fatal(err)
	}
	payload := []byte(`{"detail-type":"SignalGenerated"}`)
	b.ReportAllocs()
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := h.InvokeAsync(context.Background(), "f", payload); err != nil {
				b.Error(err)
				return
			}
		}
	})
	<-done
}
