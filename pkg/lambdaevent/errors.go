package lambdaevent

import (
	"errors"
	"fmt"
)

// PermanentError marks an error that retrying cannot fix, such as a payload that breaks the
// contract. Its type name shows as the errorType of a failed Lambda invocation.
type PermanentError struct {
	Err error
}

// Error returns the marked error's message, prefixed with "permanent: ".
func (e *PermanentError) Error() string { return "permanent: " + e.Err.Error() }

// Unwrap returns the marked error.
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent marks err as not worth retrying. It returns nil for nil and err itself when it is
// already marked.
func Permanent(err error) error {
	if err == nil || IsPermanent(err) {
		return err
	}
	return &PermanentError{Err: err}
}

// IsPermanent reports whether err, or an error it wraps, was marked with Permanent.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// ErrNoHandler means the router has no handler for the event's detail-type.
var ErrNoHandler = errors.New("no handler for detail-type")

// PanicError is a recovered panic, with the stack of the goroutine that panicked.
type PanicError struct {
	Value any
	Stack []byte
}

// Error returns "panic: " and the panic value.
func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// Unwrap returns the panic value when it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}
