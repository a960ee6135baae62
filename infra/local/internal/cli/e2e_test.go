package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/alchemiser/alchemiser/infra/local/localcloud"
	"github.com/alchemiser/alchemiser/infra/local/smtpinbox"
	orchestrator "github.com/alchemiser/alchemiser/services/orchestrator/service"
	"github.com/alchemiser/alchemiser/services/orchestrator/store"
)

// asCLI makes the test binary act as the alchemiser command when it is re-executed by a test,
// so a test can run `alchemiser local up` as a real process and kill it.
const asCLI = "ALCHEMISER_TEST_AS_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(asCLI) == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		root := NewRoot()
		root.SetArgs(strings.Fields(os.Getenv(asCLI + "_ARGS")))
		err := root.ExecuteContext(ctx)
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "alchemiser:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestRunJSON is the CI end-to-end check of the main job: `alchemiser run --json` completes a
// workflow whose orders match its plan, with one email.
func TestRunJSON(t *testing.T) {
	state := t.TempDir()
	var out, errOut bytes.Buffer
	root := NewRoot()
	root.SetArgs([]string{"run", "--json", "--state", state})
	root.SetOut(&out)
	root.SetErr(&errOut)
	if err := root.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("run: %v\n%s", err, errOut.String())
	}
	var s localcloud.Summary
	if err := json.Unmarshal(out.Bytes(), &s); err != nil {
		t.Fatalf("--json output is not a summary: %v\n%s", err, out.String())
	}
	if s.State != "Completed" {
		t.Fatalf("state %s, failure %+v", s.State, s.Failure)
	}
	if s.Plan == nil || s.Execution == nil {
		t.Fatal("summary has no plan or execution")
	}
	planned := map[string]bool{}
	for _, it := range s.Plan.Items {
		if it.Action != "HOLD" {
			planned[it.Symbol+"/"+strings.ToLower(string(it.Action))] = true
		}
	}
	for _, o := range s.Execution.Orders {
		key := o.Symbol + "/" + string(o.Side)
		if !planned[key] {
			t.Errorf("order %s was not in the plan", key)
		}
		delete(planned, key)
	}
	if len(planned) != 0 {
		t.Errorf("plan items without an order: %v", planned)
	}
	if !s.OrderCheck.OK {
		t.Errorf("order check: %+v", s.OrderCheck)
	}
	if len(s.Emails) != 1 {
		t.Fatalf("%d emails, want 1", len(s.Emails))
	}
	if _, err := os.Stat(s.Emails[0].Path); err != nil {
		t.Errorf("the email file: %v", err)
	}
}

// TestRunFaultsNoDuplicateOrder runs the fault spec through the command and checks the
// printed order-log check.
func TestRunFaultsNoDuplicateOrder(t *testing.T) {
	var out, errOut bytes.Buffer
	root := NewRoot()
	root.SetArgs([]string{"run", "--state", t.TempDir(), "--faults", "duplicates=3,alpaca5xx=0.2,seed=7"})
	root.SetOut(&out)
	root.SetErr(&errOut)
	if err := root.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("run: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "OK: no duplicate order") || !strings.Contains(out.String(), "faults injected: duplicates=3,alpaca5xx=0.2,seed=7") {
		t.Fatalf("summary lacks the order check or the faults:\n%s", out.String())
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startUp runs `alchemiser local up` as a child process on state and returns it.
func startUp(t *testing.T, state, lambdaAddr string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	args := fmt.Sprintf("local up --quiet --state %s --lambda-addr %s --events-addr 127.0.0.1:0 --alpaca-addr 127.0.0.1:0 --smtp-addr 127.0.0.1:0 --faults latency=150ms,seed=1",
		state, lambdaAddr)
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), asCLI+"=1", asCLI+"_ARGS="+args)
	log, err := os.Create(filepath.Join(state, fmt.Sprintf("up-%d.log", time.Now().UnixNano())))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait(); log.Close() })
	return cmd
}

// invoke posts a payload to the local Lambda API, retrying until the API listens.
func invoke(ctx context.Context, t *testing.T, addr, fn, payload string) []byte {
	t.Helper()
	url := "http://" + addr + "/2015-03-31/functions/" + fn + "/invocations"
	for {
		resp, err := http.Post(url, "application/json", strings.NewReader(payload))
		if err == nil {
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Amz-Function-Error") != "" {
				t.Fatalf("invoke %s: %s %s", fn, resp.Status, b)
			}
			return b
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the Lambda API never answered: %v", err)
		case <-time.After(20 * time.Millisecond): // poll interval while the process starts
		}
	}
}

// TestKillNineMidWorkflow kills `alchemiser local up` with SIGKILL in the middle of a workflow,
// restarts it on the same state, and expects that workflow to end with exactly one email and no
// duplicate order.
func TestKillNineMidWorkflow(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the local cloud twice as a process")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	state := t.TempDir()
	lambdaAddr := freeAddr(t)
	up := startUp(t, state, lambdaAddr)
	out := invoke(ctx, t, lambdaAddr, "alchemiser-local-orchestrator", `{"mode":"trade","trigger":"manual"}`)
	var started struct {
		CorrelationID string `json:"correlation_id"`
	}
	if err := json.Unmarshal(out, &started); err != nil || started.CorrelationID == "" {
		t.Fatalf("start answered %s", out)
	}
	st, err := orchestrator.OpenStore(ctx, "sqlite:"+filepath.Join(state, "workflows.db"))
	if err != nil {
		t.Fatal(err)
	}
	// Kill once the workflow is under way: signalled, while the portfolio service plans against
	// a broker slowed down to 150 ms a call. The dead invocation's idempotency claim lapses with
	// its Lambda timeout (30 s), and the Lambda host's first async retry (after a minute, as in
	// AWS) runs the plan.
	waitFor(ctx, t, "the workflow to be under way", func() bool {
		rec, err := st.Get(ctx, started.CorrelationID)
		return err == nil && rec.State == store.StateSignalled
	})
	if err := up.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = up.Wait()
	rec, _ := st.Get(ctx, started.CorrelationID)
	t.Logf("killed with the workflow %s", rec.State)

	startUp(t, state, lambdaAddr)
	waitFor(ctx, t, "the workflow to end", func() bool {
		rec, err := st.Get(ctx, started.CorrelationID)
		return err == nil && rec.Terminal() && rec.TerminalPublished
	})
	waitFor(ctx, t, "its email", func() bool {
		msgs, _ := smtpinbox.List(filepath.Join(state, "mail"))
		return len(msgs) >= 1
	})
	// Let any duplicate that the restart could produce arrive: the sweep runs every minute, so
	// send it now, twice, and wait for the orchestrator to answer each.
	invoke(ctx, t, lambdaAddr, "alchemiser-local-orchestrator", `{"sweep":true}`)
	invoke(ctx, t, lambdaAddr, "alchemiser-local-orchestrator", `{"sweep":true}`)
	msgs, err := smtpinbox.List(filepath.Join(state, "mail"))
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 {
		t.Fatalf("%d emails after kill -9 and restart, want exactly 1", len(msgs))
	}
	rec, _ = st.Get(ctx, started.CorrelationID)
	t.Logf("workflow ended %s (%s); email %q", rec.State, rec.Outcome, msgs[0].Subject)
}

func waitFor(ctx context.Context, t *testing.T, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-tick.C:
		}
	}
}
