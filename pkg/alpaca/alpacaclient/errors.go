package alpacaclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
)

// Sentinel errors. Every error the Client returns wraps at most one of them; test with
// errors.Is.
var (
	// ErrNotFound: the order, position or asset does not exist.
	ErrNotFound = errors.New("not found")
	// ErrInsufficientBuyingPower: a buy costs more than the buying power (403 40310000).
	ErrInsufficientBuyingPower = errors.New("insufficient buying power")
	// ErrInsufficientQty: a sell is larger than the available position (403 40310000).
	ErrInsufficientQty = errors.New("insufficient quantity")
	// ErrDuplicateClientOrderID: the client_order_id was used by a different order (422 40010001).
	ErrDuplicateClientOrderID = errors.New("duplicate client order id")
	// ErrInvalidOrder: the broker refused the request as malformed (422).
	ErrInvalidOrder = errors.New("invalid order")
	// ErrRejected: the order was placed and then rejected (status "rejected").
	ErrRejected = errors.New("order rejected")
	// ErrRateLimited: the broker answered 429 too many times.
	ErrRateLimited = errors.New("rate limited")
	// ErrUnauthorized: the keys were refused (401 or 403 without a trading code).
	ErrUnauthorized = errors.New("unauthorized")
	// ErrUnavailable: a 5xx, a timeout or a dropped connection; the outcome of a write is
	// unknown unless the error says otherwise.
	ErrUnavailable = errors.New("broker unavailable")
	// ErrNoData: no quote, trade or bar exists for the symbol.
	ErrNoData = errors.New("no market data")
)

// APIError is an error answer from Alpaca, classified into one of the sentinels.
type APIError struct {
	// Op is the operation that failed, such as "place order".
	Op string
	// Status is the HTTP status, Code and Message Alpaca's error body.
	Status  int
	Code    int
	Message string
	kind    error
}

// Error describes the failure.
func (e *APIError) Error() string {
	return fmt.Sprintf("%s: %s (HTTP %d, code %d)", e.Op, e.Message, e.Status, e.Code)
}

// Unwrap returns the sentinel the error was classified as.
func (e *APIError) Unwrap() error { return e.kind }

// classify turns an error from the upstream client into an error wrapping a sentinel.
func classify(op string, err error) error {
	if err == nil {
		return nil
	}
	var ae *alpaca.APIError
	if errors.As(err, &ae) {
		return &APIError{Op: op, Status: ae.StatusCode, Code: ae.Code, Message: ae.Message, kind: kindOf(ae)}
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("%s: %w", op, err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		// A timeout: the broker may or may not have acted. Callers whose own context
		// ended see that first; everyone else may retry a read.
		return fmt.Errorf("%s: %w: %w", op, ErrUnavailable, err)
	}
	// The upstream client reports non-JSON error bodies as "<body> (HTTP n)".
	if msg := err.Error(); strings.Contains(msg, "(HTTP 5") {
		return fmt.Errorf("%s: %w: %v", op, ErrUnavailable, err)
	} else if strings.Contains(msg, "(HTTP 429)") {
		return fmt.Errorf("%s: %w: %v", op, ErrRateLimited, err)
	} else if strings.Contains(msg, "(HTTP 404)") {
		return fmt.Errorf("%s: %w: %v", op, ErrNotFound, err)
	}
	return fmt.Errorf("%s: %w: %v", op, ErrUnavailable, err)
}

func kindOf(ae *alpaca.APIError) error {
	msg := strings.ToLower(ae.Message)
	switch {
	case ae.StatusCode == http.StatusNotFound:
		return ErrNotFound
	case ae.StatusCode == http.StatusTooManyRequests:
		return ErrRateLimited
	case ae.StatusCode >= 500:
		return ErrUnavailable
	case ae.Code == 40010001 || strings.Contains(msg, "client_order_id must be unique"):
		return ErrDuplicateClientOrderID
	case ae.StatusCode == http.StatusForbidden && ae.Code == 40310000 && strings.Contains(msg, "qty"):
		return ErrInsufficientQty
	case ae.StatusCode == http.StatusForbidden && ae.Code == 40310000:
		return ErrInsufficientBuyingPower
	case ae.StatusCode == http.StatusUnauthorized || ae.StatusCode == http.StatusForbidden:
		return ErrUnauthorized
	case ae.StatusCode == http.StatusUnprocessableEntity || ae.StatusCode == http.StatusBadRequest:
		return ErrInvalidOrder
	}
	return nil
}

// retryableRead reports whether a read may be retried.
func retryableRead(err error) bool {
	return errors.Is(err, ErrUnavailable) || errors.Is(err, ErrRateLimited)
}

// ambiguous reports whether a write may or may not have taken effect.
func ambiguous(err error) bool {
	if errors.Is(err, ErrRateLimited) {
		// A 429 is a refusal, but the upstream client's retry turns it into a transport
		// error; either way a lookup settles it.
		return true
	}
	var ne net.Error
	return errors.Is(err, ErrUnavailable) || errors.As(err, &ne)
}
