// Package smtpsender sends the notifier's email over SMTP with github.com/wneessen/go-mail:
// STARTTLS (mandatory unless configured otherwise) and SMTP authentication.
package smtpsender

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/alchemiser/alchemiser/services/notifier/internal/app"
)

// TLS policies.
const (
	TLSMandatory     = "mandatory"
	TLSOpportunistic = "opportunistic"
	TLSNone          = "none"
)

// Config says how to reach the SMTP server and whom to write to.
type Config struct {
	Host     string
	Port     int
	Username string
	Password string
	// TLS is mandatory (default), opportunistic or none.
	TLS string
	// RootCAs, when set, are the CAs trusted for the server's certificate (the local inbox's
	// self-signed one); nil means the system's.
	RootCAs *x509.CertPool
	From    string
	To      []string
	Timeout time.Duration
}

// Sender sends email through one SMTP server.
type Sender struct {
	cfg    Config
	policy mail.TLSPolicy
}

var _ app.Sender = (*Sender)(nil)

// New checks cfg and returns a Sender. It does not connect.
func New(cfg Config) (*Sender, error) {
	if cfg.Host == "" || cfg.Port <= 0 || cfg.From == "" || len(cfg.To) == 0 {
		return nil, errors.New("smtp sender: host, port, from and to are required")
	}
	s := &Sender{cfg: cfg}
	switch cfg.TLS {
	case "", TLSMandatory:
		s.policy = mail.TLSMandatory
	case TLSOpportunistic:
		s.policy = mail.TLSOpportunistic
	case TLSNone:
		s.policy = mail.NoTLS
	default:
		return nil, fmt.Errorf("smtp sender: TLS policy %q: want mandatory, opportunistic or none", cfg.TLS)
	}
	if s.cfg.Timeout <= 0 {
		s.cfg.Timeout = 15 * time.Second
	}
	return s, nil
}

// Send implements app.Sender: one connection, one message.
func (s *Sender) Send(ctx context.Context, m app.Message) error {
	msg := mail.NewMsg()
	if err := msg.From(s.cfg.From); err != nil {
		return fmt.Errorf("set from: %w", err)
	}
	if err := msg.To(s.cfg.To...); err != nil {
		return fmt.Errorf("set to: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.MessageID)
	msg.SetDateWithValue(m.Date)
	msg.SetUserAgent("alchemiser-notifier")
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	for _, in := range m.Inline {
		if err := msg.EmbedReader(in.CID, bytes.NewReader(in.Data), mail.WithFileContentID(in.CID),
			mail.WithFileContentType(mail.ContentType(in.ContentType))); err != nil {
			return fmt.Errorf("embed %s: %w", in.CID, err)
		}
	}
	opts := []mail.Option{
		mail.WithPort(s.cfg.Port), mail.WithTLSPolicy(s.policy), mail.WithTimeout(s.cfg.Timeout),
		mail.WithTLSConfig(&tls.Config{ServerName: s.cfg.Host, RootCAs: s.cfg.RootCAs, MinVersion: tls.VersionTLS12}),
	}
	if s.cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername(s.cfg.Username), mail.WithPassword(s.cfg.Password))
	}
	client, err := mail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return fmt.Errorf("build smtp client: %w", err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("send email to %s:%d: %w", s.cfg.Host, s.cfg.Port, err)
	}
	return nil
}
