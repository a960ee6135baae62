package eventbridge

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Server serves a bus's API on a loopback listener.
type Server struct {
	ln  net.Listener
	srv *http.Server
	err chan error
}

// Listen starts serving b on addr, which must be a loopback address ("127.0.0.1:0" picks a free
// port).
func Listen(b *Bus, addr string) (*Server, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("listen on %q: the local bus binds loopback addresses only", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %q: %w", addr, err)
	}
	s := &Server{ln: ln, srv: &http.Server{Handler: b.Handler(), ReadHeaderTimeout: 10 * time.Second}, err: make(chan error, 1)}
	go func() {
		err := s.srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.err <- err
	}()
	return s, nil
}

// Endpoint returns the server's base URL, for example http://127.0.0.1:4010.
func (s *Server) Endpoint() string { return "http://" + s.ln.Addr().String() }

// Addr returns the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Shutdown stops accepting requests and waits for those in flight (streams are cut).
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		err = s.srv.Close()
	}
	return errors.Join(err, <-s.err)
}
