package cli

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestLocalAlpacaServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := newLocalAlpacaCmd()
	out := &syncBuffer{}
	cmd.SetOut(out)
	cmd.SetArgs([]string{"--addr", "127.0.0.1:0", "--key", "K", "--secret", "S", "--as-of", "2024-03-28", "--frozen", "--state", t.TempDir()})
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()
	re := regexp.MustCompile(`ALPACA_TRADING_URL=(\S+)`)
	var url string
	deadline := time.Now().Add(10 * time.Second)
	for url == "" && time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
		}
		select {
		case err := <-done:
			t.Fatalf("command ended early: %v\n%s", err, out.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	if url == "" {
		t.Fatalf("no URL printed:\n%s", out.String())
	}
	req, _ := http.NewRequest("GET", url+"/v2/clock", nil)
	req.Header.Set("APCA-API-KEY-ID", "K")
	req.Header.Set("APCA-API-SECRET-KEY", "S")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("clock status %d", resp.StatusCode)
	}
	if !strings.Contains(out.String(), "ALPACA_KEY_ID=K") || !strings.Contains(out.String(), "2024-03-28T10:00:00-04:00") {
		t.Errorf("output:\n%s", out.String())
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("command did not stop")
	}
}

func TestLocalAlpacaFlagErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--addr", "0.0.0.0:8087"}, "loopback only"},
		{[]string{"--cash", "-5"}, "--cash"},
		{[]string{"--as-of", "yesterday"}, "--as-of"},
		{[]string{"--csv", "does-not-exist.csv"}, "--csv"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			cmd := newLocalAlpacaCmd()
			cmd.SetArgs(tt.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.ExecuteContext(context.Background())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
