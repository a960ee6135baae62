// Package sentstore records the email sent for each workflow, so the notifier sends exactly one
// per workflow however often its event is delivered. A sender first claims the key (a lease, so
// a concurrent duplicate does not send too), sends, then completes the claim with the
// Message-ID; a failed send releases the claim. A claim whose lease ran out (the sender died)
// can be taken over. Package sentstoretest is the contract suite that every implementation
// passes.
package sentstore

import (
	"context"
	"errors"
	"time"
)

// Errors of Claim.
var (
	// ErrSent means the email for the key was sent already; Record.MessageID says which.
	ErrSent = errors.New("email already sent")
	// ErrClaimed means another delivery holds an unexpired claim on the key.
	ErrClaimed = errors.New("email being sent by another delivery")
	// ErrNotFound means the store has nothing for the key.
	ErrNotFound = errors.New("no sent-email record")
)

// Record is what the store knows about one key.
type Record struct {
	Key string
	// Sent is true once Complete was called.
	Sent      bool
	MessageID string
	SentAt    time.Time
	// ClaimedUntil is the lease's end while a send is in progress.
	ClaimedUntil time.Time
	// Report is an error report folded into the key's email (see SaveReport).
	Report string
}

// Store is the sent-email store.
type Store interface {
	// Claim takes the key for a send until now+lease. It returns ErrSent if the email was sent,
	// and ErrClaimed if another claim has not expired.
	Claim(ctx context.Context, key string, now time.Time, lease time.Duration) error
	// Complete records that the email was sent with messageID.
	Complete(ctx context.Context, key, messageID string, now time.Time) error
	// Release drops an unfinished claim so that a retry can send.
	Release(ctx context.Context, key string) error
	// Get returns the key's record, or ErrNotFound.
	Get(ctx context.Context, key string) (Record, error)
	// SaveReport keeps an error report for the key's email, whatever the claim state.
	SaveReport(ctx context.Context, key, report string) error
}
