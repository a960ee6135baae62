package smtpinbox_test

import (
	"context"
	"crypto/tls"
	"net"
	"net/smtp"
	"strings"
	"testing"
	"time"

	"github.com/alchemiser/alchemiser/infra/local/smtpinbox"
)

func start(t *testing.T) *smtpinbox.Server {
	t.Helper()
	srv, err := smtpinbox.Start(smtpinbox.Config{Dir: t.TempDir(), Username: "user", Password: "pa55"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

func send(srv *smtpinbox.Server, user, pass, subject string) error {
	c, err := smtp.Dial(srv.Addr())
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.StartTLS(&tls.Config{ServerName: "localhost", RootCAs: srv.CertPool()}); err != nil {
		return err
	}
	host, _, _ := net.SplitHostPort(srv.Addr())
	if err := c.Auth(smtp.PlainAuth("", user, pass, host)); err != nil {
		return err
	}
	if err := c.Mail("bot@example.com"); err != nil {
		return err
	}
	if err := c.Rcpt("ops@example.com"); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	msg := "From: bot@example.com\r\nTo: ops@example.com\r\nSubject: " + subject +
		"\r\nMessage-ID: <1@x>\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
	if _, err := w.Write([]byte(msg)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

func TestStoreListGet(t *testing.T) {
	srv := start(t)
	for _, s := range []string{"one", "two", "three"} {
		if err := send(srv, "user", "pa55", s); err != nil {
			t.Fatalf("send %s: %v", s, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msgs, err := srv.WaitFor(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 3 {
		t.Fatalf("got %d messages, want 3", len(msgs))
	}
	if msgs[0].Subject != "one" || msgs[2].Subject != "three" {
		t.Errorf("subjects %q, %q", msgs[0].Subject, msgs[2].Subject)
	}
	m, raw, err := smtpinbox.Get(srv.Dir(), msgs[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "two" || m.MessageID != "<1@x>" {
		t.Errorf("got %+v", m)
	}
	parts, err := smtpinbox.ParseParts(raw)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(parts.Text) != "hello" {
		t.Errorf("text %q", parts.Text)
	}
}

func TestRefusals(t *testing.T) {
	srv := start(t)
	if err := send(srv, "user", "wrong", "x"); err == nil {
		t.Error("wrong password accepted")
	}
	// Without STARTTLS the server does not offer AUTH, so a plaintext login cannot happen.
	c, err := smtp.Dial(srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if ok, _ := c.Extension("AUTH"); ok {
		t.Error("AUTH offered before STARTTLS")
	}
	if err := c.Mail("a@b.c"); err == nil {
		t.Error("MAIL accepted without auth")
	}
	if _, _, err := smtpinbox.Get(srv.Dir(), "../etc/passwd"); err == nil {
		t.Error("path traversal accepted")
	}
	if srv.Stored() != 0 {
		t.Errorf("stored %d", srv.Stored())
	}
}

func TestWaitForHonoursContext(t *testing.T) {
	srv := start(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := srv.WaitFor(ctx, 1); err == nil {
		t.Error("WaitFor returned no error on a cancelled context")
	}
}

func TestStartRefusesNonLoopback(t *testing.T) {
	_, err := smtpinbox.Start(smtpinbox.Config{Addr: "0.0.0.0:0", Dir: t.TempDir(), Username: "u", Password: "p"})
	if err == nil {
		t.Fatal("non-loopback address accepted")
	}
}

func FuzzParseParts(f *testing.F) {
	f.Add([]byte("Subject: x\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b--\r\n"))
	f.Add([]byte("Subject: x\r\n\r\nbody"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		_, _ = smtpinbox.ParseParts(raw)
	})
}
