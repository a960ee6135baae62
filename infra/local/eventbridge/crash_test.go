package eventbridge_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/alchemiser/alchemiser/infra/local/eventbridge"
	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// The crash helper: when the test binary runs with crashHelperEnv set, it is a bus process whose
// Lambda target appends each delivered event's ID to a file, slowly if asked.
const (
	crashHelperEnv = "EVENTBRIDGE_CRASH_HELPER_DIR"
	crashDelayEnv  = "EVENTBRIDGE_CRASH_HELPER_DELAY"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashHelperEnv); dir != "" {
		if err := crashHelper(dir); err != nil {
			fmt.Fprintln(os.Stderr, "crash helper:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// fileDispatcher appends each delivered event's ID to a file; a write reaches the page cache
// before Dispatch returns, so it survives kill -9.
type fileDispatcher struct {
	mu    sync.Mutex
	f     *os.File
	delay time.Duration
}

func (d *fileDispatcher) Dispatch(_ context.Context, _ string, event []byte) error {
	if d.delay > 0 {
		time.Sleep(d.delay) // a slow target, so that the kill lands mid-delivery
	}
	i := strings.Index(string(event), `"id":"`)
	id := string(event[i+6 : i+6+36])
	d.mu.Lock()
	defer d.mu.Unlock()
	_, err := d.f.WriteString(id + "\n")
	return err
}

func crashHelper(dir string) error {
	delay, _ := time.ParseDuration(os.Getenv(crashDelayEnv))
	f, err := os.OpenFile(filepath.Join(dir, "delivered.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	ctx := context.Background()
	bus, err := eventbridge.Open(ctx, eventbridge.Config{Path: filepath.Join(dir, "bus.db"), Workers: 2,
		RetryBaseDelay: time.Millisecond, RetryMaxDelay: 5 * time.Millisecond, Lambda: &fileDispatcher{f: f, delay: delay}})
	if err != nil {
		return err
	}
	if _, err := bus.PutRule(ctx, eventbridge.PutRuleInput{Name: "r", EventPattern: testPattern}); err != nil {
		return err
	}
	if _, err := bus.PutTargets(ctx, "", "r", []eventbridge.Target{{Id: "t", Arn: fnARN("svc")}}); err != nil {
		return err
	}
	srv, err := eventbridge.Listen(bus, "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Printf("READY %s\n", srv.Endpoint())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	<-sig
	_ = srv.Shutdown(ctx)
	return bus.Close()
}

func startHelper(t *testing.T, dir string, delay time.Duration) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashHelperEnv+"="+dir, crashDelayEnv+"="+delay.String())
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "READY ") {
		_ = cmd.Process.Kill()
		t.Fatalf("helper did not start: %q %v", line, err)
	}
	return cmd, strings.TrimSpace(strings.TrimPrefix(line, "READY "))
}

func delivered(t *testing.T, dir string) map[string]int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "delivered.log"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if len(l) == 36 {
			out[l]++
		}
	}
	return out
}

// TestKill9LosesNothing kills the bus process with SIGKILL while it delivers, restarts it on the
// same state and checks that every accepted event is delivered at least once.
func TestKill9LosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	dir := t.TempDir()
	cmd, endpoint := startHelper(t, dir, 3*time.Millisecond)
	client, _ := clients(endpoint)
	ctx := context.Background()
	const total = 300
	var ids []string
	for i := 0; i < total; i += 10 {
		entries := make([]types.PutEventsRequestEntry, 10)
		for j := range entries {
			entries[j] = types.PutEventsRequestEntry{Source: aws.String("test"), DetailType: aws.String("T"), Detail: aws.String(`{"n":` + strconv.Itoa(i+j) + `}`)}
		}
		out, err := client.PutEvents(ctx, &eb.PutEventsInput{Entries: entries})
		if err != nil || out.FailedEntryCount != 0 {
			t.Fatalf("put events: %v %+v", err, out)
		}
		for _, e := range out.Entries {
			ids = append(ids, aws.ToString(e.EventId))
		}
	}
	waitFor(t, "some deliveries", func() (bool, error) { return len(delivered(t, dir)) >= 20, nil })
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	before := len(delivered(t, dir))
	t.Logf("killed with %d of %d events delivered", before, total)

	cmd, _ = startHelper(t, dir, 0)
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}()
	waitFor(t, "every event delivered after the restart", func() (bool, error) {
		got := delivered(t, dir)
		for _, id := range ids {
			if got[id] == 0 {
				return false, nil
			}
		}
		return true, nil
	})
	dups := 0
	for _, n := range delivered(t, dir) {
		dups += n - 1
	}
	t.Logf("all %d events delivered; %d duplicate deliveries (at least once)", total, dups)
}
