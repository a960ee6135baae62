package smtpinbox_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"

	"github.com/alchemiser/alchemiser/infra/local/smtpinbox"
	"github.com/alchemiser/alchemiser/pkg/emf"
	"github.com/alchemiser/alchemiser/services/notifier/service"
)

const inboxPassword = "inbox-Pa55-w0rd"

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// notifier builds the notifier service against srv, as the local runtime configures it.
func notifier(t *testing.T, srv *smtpinbox.Server, certFile, password string, logs *syncBuffer) lambda.Handler {
	t.Helper()
	host, port, _ := net.SplitHostPort(srv.Addr())
	env := map[string]string{
		"STAGE": "local", "LOG_LEVEL": "debug", "SMTP_HOST": host, "SMTP_PORT": port, "SMTP_USERNAME": "alchemiser",
		"SMTP_PASSWORD": password, "SMTP_CA_FILE": certFile, "SMTP_TIMEOUT": "5s", "NOTIFIER_SEND_ATTEMPTS": "2",
		"NOTIFIER_SEND_BACKOFF": "10ms", "MAIL_FROM": "Alchemiser <bot@alchemiser.local>", "MAIL_TO": "ops@alchemiser.local",
		"SENT_STORE": "sqlite:" + filepath.Join(t.TempDir(), "sent.db"),
	}
	cfg, err := service.ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	logger.Info("starting notifier", "config", cfg)
	r, err := service.NewWithDeps(context.Background(), cfg, logger, service.Deps{Metrics: emf.New(logs, "test")})
	if err != nil {
		t.Fatal(err)
	}
	return lambda.NewHandler(r)
}

func startInbox(t *testing.T) (*smtpinbox.Server, string) {
	t.Helper()
	dir := t.TempDir()
	cert := filepath.Join(dir, "inbox-cert.pem")
	srv, err := smtpinbox.Start(smtpinbox.Config{Dir: filepath.Join(dir, "mail"), Username: "alchemiser", Password: inboxPassword, CertFile: cert})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv, cert
}

var t0 = time.Date(2026, 11, 30, 14, 50, 0, 0, time.UTC)

func md(t v1.DetailType, cid string) v1.Metadata {
	return v1.Metadata{EventType: t, EventID: v1.DeriveEventID(cid, t), CorrelationID: cid, CausationID: "c",
		SchemaVersion: v1.SchemaVersion, OccurredAt: t0, Producer: "orchestrator", Stage: "local", TradingMode: v1.ModePaper}
}

func wrapped(t *testing.T, e v1.Event) []byte {
	t.Helper()
	b, err := v1.Wrap(e, "env-"+e.Meta().EventID, "000000000000", "us-east-1", t0)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func success(cid string) *v1.TradingNotificationRequested {
	q, p := v1.MustDecimal("10"), v1.MustDecimal("594.12")
	return &v1.TradingNotificationRequested{Metadata: md(v1.TypeTradingNotificationRequested, cid), Status: v1.StatusSuccess,
		Outcome: v1.OutcomeSuccess, Summary: "PAPER run: 1 orders placed, 1 filled (success)", AsOf: "2026-11-27",
		Target: []v1.TargetWeight{{Symbol: "SPY", Weight: v1.MustDecimal("1")}},
		Plan: []v1.PlanItem{{Symbol: "SPY", Action: v1.ActionBuy, CurrentQty: v1.MustDecimal("0"), CurrentWeight: v1.MustDecimal("0"),
			TargetWeight: v1.MustDecimal("1"), CurrentValue: v1.MustDecimal("0"), TargetValue: v1.MustDecimal("5941.2"), Price: p, Qty: &q}},
		Orders: []v1.OrderResult{{ClientOrderID: "o1", BrokerOrderID: "b1", Symbol: "SPY", Side: v1.SideBuy, RequestedQty: &q,
			FilledQty: q, AvgPrice: &p, Status: "filled"}},
		StartedAt: t0, EndedAt: t0.Add(5 * time.Second)}
}

// TestRedeliveryThroughRealSTARTTLS delivers every event three times to the notifier, which
// sends through go-mail's STARTTLS and AUTH PLAIN path to the inbox: each workflow gets exactly
// one email, the failed one included (its error notification is folded in).
func TestRedeliveryThroughRealSTARTTLS(t *testing.T) {
	srv, cert := startInbox(t)
	logs := &syncBuffer{}
	h := notifier(t, srv, cert, inboxPassword, logs)
	failure := &v1.TradingNotificationRequested{Metadata: md(v1.TypeTradingNotificationRequested, "wf-fail"), Status: v1.StatusFailure,
		Summary: "PAPER run failed at strategy: bad file", StartedAt: t0, EndedAt: t0.Add(time.Second), Reason: "bad file",
		Failure: &v1.Failure{Step: v1.StepStrategy, Code: "strategy_invalid", Reason: "bad file"}}
	errNote := &v1.ErrorNotificationRequested{Metadata: md(v1.TypeErrorNotificationRequested, "wf-fail"), Severity: v1.SeverityError,
		Step: v1.StepStrategy, Code: "strategy_invalid", Message: "workflow wf-fail failed", Report: "REPORT: line 3"}
	payloads := [][]byte{wrapped(t, success("wf-ok")), wrapped(t, errNote), wrapped(t, failure)}
	for round := 0; round < 3; round++ {
		for _, p := range payloads {
			if _, err := h.Invoke(context.Background(), p); err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msgs, err := srv.WaitFor(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	// Delivery is synchronous (the server stores before it answers DATA), so the count is final.
	if len(msgs) != 2 || srv.Stored() != 2 {
		t.Fatalf("%d messages in the inbox, want 2", len(msgs))
	}
	subjects := map[string]smtpinbox.Message{}
	for _, m := range msgs {
		subjects[m.Subject] = m
	}
	ok, found := subjects["[SUCCESS] Alchemiser - PAPER Trading Report"]
	fail, found2 := subjects["[FAILURE][strategy_invalid] Alchemiser - PAPER Trading Report"]
	if !found || !found2 {
		t.Fatalf("subjects %v", subjects)
	}
	if ok.MessageID == "" || ok.MessageID == fail.MessageID {
		t.Errorf("message IDs %q %q", ok.MessageID, fail.MessageID)
	}
	_, raw, err := smtpinbox.Get(srv.Dir(), ok.ID)
	if err != nil {
		t.Fatal(err)
	}
	parts, err := smtpinbox.ParseParts(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(parts.HTML, "cid:allocation-chart.png") || !bytes.HasPrefix(parts.Inline["allocation-chart.png"], []byte("\x89PNG")) {
		t.Errorf("inline chart missing: html has cid %t, parts %v", strings.Contains(parts.HTML, "cid:"), len(parts.Inline))
	}
	if !strings.Contains(parts.Text, "SPY") || strings.Contains(parts.Text, "$") {
		t.Errorf("text part (neutral) wrong:\n%s", parts.Text)
	}
	_, raw, _ = smtpinbox.Get(srv.Dir(), fail.ID)
	fparts, _ := smtpinbox.ParseParts(raw)
	if !strings.Contains(fparts.Text, "REPORT: line 3") {
		t.Errorf("the folded error report is missing:\n%s", fparts.Text)
	}
	if strings.Contains(logs.String(), inboxPassword) {
		t.Errorf("the SMTP password appears in the logs")
	}
}

func TestWrongPasswordIsAnErrorAndSendsNothing(t *testing.T) {
	srv, cert := startInbox(t)
	logs := &syncBuffer{}
	h := notifier(t, srv, cert, "wrong-"+inboxPassword, logs)
	if _, err := h.Invoke(context.Background(), wrapped(t, success("wf-1"))); err == nil {
		t.Fatal("sent with a wrong password")
	}
	if srv.Stored() != 0 {
		t.Fatalf("%d messages stored", srv.Stored())
	}
	if strings.Contains(logs.String(), inboxPassword) {
		t.Errorf("the SMTP password appears in the logs:\n%s", logs.String())
	}
}
