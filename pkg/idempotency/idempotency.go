// Package idempotency makes a consumer process each event once. A Store records, per key (the
// consumer and the event ID), who is processing the event and whether it is done.
//
// A delivery first Claims the key with a lease. Only one claimant acquires it: a concurrent
// delivery of the same event sees InProgress until the lease runs out (so a crashed claimant does
// not block the event forever), and a later delivery sees Done. On success the claimant Completes
// the key, which is then kept for a retention period; on failure it Releases the key so that a
// retry can run.
//
// Implementations: Memory (one process), SQLite (one machine, the local runtime), and DynamoDB
// (AWS). Every implementation passes the suite in package idempotencytest.
package idempotency

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ClaimResult is the outcome of a Claim.
type ClaimResult int

// The claim results.
const (
	// Acquired means the caller now holds the key and must Complete or Release it.
	Acquired ClaimResult = iota + 1
	// InProgress means another claimant holds an unexpired lease on the key.
	InProgress
	// Done means the key was completed and its retention has not run out.
	Done
)

// String returns the result's name.
func (r ClaimResult) String() string {
	switch r {
	case Acquired:
		return "acquired"
	case InProgress:
		return "in progress"
	case Done:
		return "done"
	}
	return fmt.Sprintf("ClaimResult(%d)", int(r))
}

// ErrNotOwner means Complete or Release was called by a claimant that no longer holds the key:
// its lease ran out and another claimant took the key over, or the key was completed.
var ErrNotOwner = errors.New("idempotency key not held by this owner")

// Store records the processing state of keys. All methods are safe for concurrent use, also from
// several processes when the implementation is shared (SQLite, DynamoDB).
type Store interface {
	// Claim tries to take key for owner until now+lease. It acquires the key when the key is
	// unknown, when its holder's lease has expired, or when its completion has expired.
	Claim(ctx context.Context, key, owner string, now time.Time, lease time.Duration) (ClaimResult, error)
	// Complete marks key done, by owner, and keeps it until now+retain. It returns ErrNotOwner
	// when owner does not hold the key.
	Complete(ctx context.Context, key, owner string, now time.Time, retain time.Duration) error
	// Release gives up owner's claim on key so that another delivery can acquire it at once. It
	// returns ErrNotOwner when owner does not hold the key.
	Release(ctx context.Context, key, owner string) error
}

func checkArgs(op, key, owner string, d time.Duration) error {
	switch {
	case key == "":
		return fmt.Errorf("%s: empty key", op)
	case owner == "":
		return fmt.Errorf("%s %s: empty owner", op, key)
	case d <= 0:
		return fmt.Errorf("%s %s: duration %v is not positive", op, key, d)
	}
	return nil
}
