// Package smtpinbox is the local cloud's mail server: an SMTP server on loopback that offers
// STARTTLS with a self-signed certificate made at start and requires AUTH PLAIN, so a client's
// real TLS and authentication path runs. Each accepted message is stored as one .eml file in a
// directory (var/mail/ in the local runtime); List and Get read them back, and Server.WaitFor
// lets tests wait for N messages without sleeping.
package smtpinbox

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Config configures the inbox server.
type Config struct {
	// Addr is the listen address; it must be a loopback address. Default "127.0.0.1:0" (any port).
	Addr string
	// Dir is where messages are stored as .eml files. Required; created if missing.
	Dir string
	// Username and Password are the one account AUTH PLAIN accepts. Both required.
	Username string
	Password string
	// Domain is the server's name in its greeting and certificate. Default "localhost".
	Domain string
	// CertFile, when set, is where the self-signed certificate is written as PEM, so clients
	// can trust it.
	CertFile string
	// Now is the clock used to name files; default time.Now.
	Now func() time.Time
	// Logger receives one line per stored message; default discards.
	Logger *slog.Logger
}

// String describes the configuration without the password.
func (c Config) String() string {
	pw := ""
	if c.Password != "" {
		pw = "***"
	}
	return fmt.Sprintf("smtpinbox.Config{Addr:%q Dir:%q Username:%q Password:%q Domain:%q}", c.Addr, c.Dir, c.Username, pw, c.Domain)
}

// Server is a running inbox.
type Server struct {
	cfg      Config
	srv      *smtp.Server
	ln       net.Listener
	certPEM  []byte
	done     chan struct{}
	serveErr error

	mu      sync.Mutex
	seq     int
	stored  int
	changed chan struct{} // closed and replaced each time a message is stored
}

// Start generates the certificate, listens and serves in the background until Close.
func Start(cfg Config) (*Server, error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.Domain == "" {
		cfg.Domain = "localhost"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Dir == "" {
		return nil, errors.New("start smtp inbox: Dir is required")
	}
	if cfg.Username == "" || cfg.Password == "" {
		return nil, errors.New("start smtp inbox: Username and Password are required")
	}
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("start smtp inbox: address %q: %w", cfg.Addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("start smtp inbox: address %q is not a loopback address", cfg.Addr)
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("start smtp inbox: create %s: %w", cfg.Dir, err)
	}
	cert, certPEM, err := selfSigned(cfg.Domain, cfg.Now())
	if err != nil {
		return nil, fmt.Errorf("start smtp inbox: %w", err)
	}
	if cfg.CertFile != "" {
		if err := os.WriteFile(cfg.CertFile, certPEM, 0o644); err != nil {
			return nil, fmt.Errorf("start smtp inbox: write certificate: %w", err)
		}
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("start smtp inbox: listen on %s: %w", cfg.Addr, err)
	}
	s := &Server{cfg: cfg, ln: ln, certPEM: certPEM, done: make(chan struct{}), changed: make(chan struct{})}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	srv.Domain = cfg.Domain
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	srv.MaxMessageBytes = 10 << 20
	srv.MaxRecipients = 50
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	srv.ErrorLog = discardLogger{}
	s.srv = srv
	go func() {
		defer close(s.done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			s.serveErr = err
		}
	}()
	return s, nil
}

// Addr is the address the server listens on, such as "127.0.0.1:2525".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Dir is the directory messages are stored in.
func (s *Server) Dir() string { return s.cfg.Dir }

// CertPEM is the server's self-signed certificate in PEM form.
func (s *Server) CertPEM() []byte { return bytes.Clone(s.certPEM) }

// CertPool returns a pool trusting the server's certificate, for clients that verify it.
func (s *Server) CertPool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AppendCertsFromPEM(s.certPEM)
	return p
}

// Close stops the server and waits for it to finish.
func (s *Server) Close() error {
	err := s.srv.Close()
	_ = s.ln.Close() // Serve may not have registered the listener yet
	<-s.done
	if err != nil && !errors.Is(err, smtp.ErrServerClosed) {
		return fmt.Errorf("close smtp inbox: %w", err)
	}
	return s.serveErr
}

// Stored is how many messages this server has stored since it started.
func (s *Server) Stored() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stored
}

// WaitFor blocks until this server has stored at least n messages since it started, or ctx
// ends. It returns the messages in the directory.
func (s *Server) WaitFor(ctx context.Context, n int) ([]Message, error) {
	for {
		s.mu.Lock()
		got, ch := s.stored, s.changed
		s.mu.Unlock()
		if got >= n {
			return List(s.cfg.Dir)
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for %d messages (have %d): %w", n, got, ctx.Err())
		}
	}
}

// store writes one message atomically (temp file, then rename) and wakes waiters.
func (s *Server) store(from string, to []string, data []byte) error {
	s.mu.Lock()
	s.seq++
	seq := s.seq
	s.mu.Unlock()
	now := s.cfg.Now().UTC()
	name := fmt.Sprintf("%s-%06d.eml", now.Format("20060102T150405.000000000Z"), seq)
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "Return-Path: <%s>\r\n", from)
	for _, r := range to {
		fmt.Fprintf(&buf, "Delivered-To: %s\r\n", r)
	}
	buf.Write(data)
	tmp := filepath.Join(s.cfg.Dir, "."+name+".tmp")
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("store message: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(s.cfg.Dir, name)); err != nil {
		return fmt.Errorf("store message: %w", err)
	}
	s.mu.Lock()
	s.stored++
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
	s.cfg.Logger.Info("mail stored", "file", name, "from", from, "to", strings.Join(to, ","), "bytes", buf.Len())
	return nil
}

type session struct {
	s    *Server
	auth bool
	from string
	to   []string
}

var _ smtp.AuthSession = (*session)(nil)

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(_, username, password string) error {
		if username != ss.s.cfg.Username || password != ss.s.cfg.Password {
			return smtp.ErrAuthFailed
		}
		ss.auth = true
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if !ss.auth {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if !ss.auth {
		return smtp.ErrAuthRequired
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	if !ss.auth {
		return smtp.ErrAuthRequired
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("read message: %w", err)
	}
	if err := ss.s.store(ss.from, ss.to, data); err != nil {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "could not store message"}
	}
	return nil
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }

type discardLogger struct{}

func (discardLogger) Printf(string, ...interface{}) {}
func (discardLogger) Println(...interface{})        {}

// selfSigned makes an ECDSA P-256 certificate for domain, localhost and 127.0.0.1, valid for a day
// around now.
func selfSigned(domain string, now time.Time) (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("generate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("generate serial: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: domain, Organization: []string{"alchemiser local inbox"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(7 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{domain, "localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("create certificate: %w", err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("marshal key: %w", err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	cert, err := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}))
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("load certificate: %w", err)
	}
	return cert, certPEM, nil
}
