// Package idempotencytest is the contract test suite of idempotency.Store. Every implementation
// runs it from its own tests:
//
//	func TestSQLite(t *testing.T) {
//		idempotencytest.Run(t, func(t *testing.T) idempotency.Store { ... })
//	}
package idempotencytest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/alchemiser/alchemiser/pkg/idempotency"
)

// Concurrency is how many goroutines race for one key in the concurrent-claim test.
const Concurrency = 16

var t0 = time.Date(2026, 3, 2, 14, 30, 0, 0, time.UTC)

// Run runs the suite against stores made by newStore. Each subtest gets a fresh store; keys are
// unique per subtest, so a store shared between subtests works too.
func Run(t *testing.T, newStore func(t *testing.T) idempotency.Store) {
	t.Helper()
	ctx := context.Background()
	const lease = time.Minute
	const retain = time.Hour

	claim := func(t *testing.T, s idempotency.Store, key, owner string, now time.Time) idempotency.ClaimResult {
		t.Helper()
		r, err := s.Claim(ctx, key, owner, now, lease)
		if err != nil {
			t.Fatalf("Claim(%q, %q): %v", key, owner, err)
		}
		return r
	}
	want := func(t *testing.T, what string, got, want idempotency.ClaimResult) {
		t.Helper()
		if got != want {
			t.Fatalf("%s: got %v, want %v", what, got, want)
		}
	}
	key := func(t *testing.T) string { return "suite/" + t.Name() }

	t.Run("FirstClaimAcquires", func(t *testing.T) {
		s := newStore(t)
		want(t, "first claim", claim(t, s, key(t), "a", t0), idempotency.Acquired)
	})
	t.Run("SecondClaimWhileLeasedIsInProgress", func(t *testing.T) {
		s := newStore(t)
		k := key(t)
		claim(t, s, k, "a", t0)
		want(t, "other owner", claim(t, s, k, "b", t0.Add(lease-time.Millisecond)), idempotency.InProgress)
		want(t, "same owner again", claim(t, s, k, "a", t0.Add(time.Second)), idempotency.InProgress)
	})
	t.Run("ExpiredLeaseIsTakenOver", func(t *testing.T) {
		s := newStore(t)
		k := key(t)
		claim(t, s, k, "a", t0)
		want(t, "after lease", claim(t, s, k, "b", t0.Add(lease)), idempotency.Acquired)
		if err := s.Complete(ctx, k, "a", t0.Add(lease), retain); !errors.Is(err, idempotency.ErrNotOwner) {
			t.Fatalf("Complete by the old owner: got %v, want ErrNotOwner", err)
		}
		if err := s.Release(ctx, k, "a"); !errors.Is(err, idempotency.ErrNotOwner) {
			t.Fatalf("Release by the old owner: got %v, want ErrNotOwner", err)
		}
		if err := s.Complete(ctx, k, "b", t0.Add(lease), retain); err != nil {
			t.Fatalf("Complete by the new owner: %v", err)
		}
	})
	t.Run("CompletedIsDone", func(t *testing.T) {
		s := newStore(t)
		k := key(t)
		claim(t, s, k, "a", t0)
		if err := s.Complete(ctx, k, "a", t0.Add(time.Second), retain); err != nil {
			t.Fatalf("Complete: %v", err)
		}
		want(t, "after complete", claim(t, s, k, "b", t0.Add(2*time.Second)), idempotency.Done)
		want(t, "long after lease, within retention", claim(t, s, k, "c", t0.Add(retain)), idempotency.Done)
		if err := s.Release(ctx, k, "a"); !errors.Is(err, idempotency.ErrNotOwner) {
			t.Fatalf("Release after Complete: got %v, want ErrNotOwner", err)
		}
		if err := s.Complete(ctx, k, "a", t0.Add(3*time.Second), retain); !errors.Is(err, idempotency.ErrNotOwner) {
			t.Fatalf("Complete twice: got %v, want ErrNotOwner", err)
		}
	})
	t.Run("ExpiredCompletionIsAcquiredAgain", func(t *testing.T) {
		s := newStore(t)
		k := key(t)
		claim(t, s, k, "a", t0)
		if err := s.Complete(ctx, k, "a", t0, retain); err != nil {
			t.Fatalf("Complete: %v", err)
		}
		want(t, "after retention", claim(t, s, k, "b", t0.Add(retain)), idempotency.Acquired)
	})
	t.Run("ReleaseLetsARetryRun", func(t *testing.T) {
		s := newStore(t)
		k := key(t)
		claim(t, s, k, "a", t0)
		if err := s.Release(ctx, k, "a"); err != nil {
			t.Fatalf("Release: %v", err)
		}
		want(t, "after release", claim(t, s, k, "b", t0.Add(time.Second)), idempotency.Acquired)
	})
	t.Run("WrongOwnerCannotReleaseOrComplete", func(t *testing.T) {
		s := newStore(t)
		k := key(t)
		claim(t, s, k, "a", t0)
		if err := s.Release(ctx, k, "b"); !errors.Is(err, idempotency.ErrNotOwner) {
			t.Fatalf("Release by another owner: got %v, want ErrNotOwner", err)
		}
		if err := s.Complete(ctx, k, "b", t0, retain); !errors.Is(err, idempotency.ErrNotOwner) {
			t.Fatalf("Complete by another owner: got %v, want ErrNotOwner", err)
		}
		want(t, "still held", claim(t, s, k, "c", t0.Add(time.Second)), idempotency.InProgress)
	})
	t.Run("UnknownKey", func(t *testing.T) {
		s := newStore(t)
		k := key(t)
		if err := s.Release(ctx, k, "a"); !errors.Is(err, idempotency.ErrNotOwner) {
			t.Fatalf("Release of an unknown key: got %v, want ErrNotOwner", err)
		}
		if err := s.Complete(ctx, k, "a", t0, retain); !errors.Is(err, idempotency.ErrNotOwner) {
			t.Fatalf("Complete of an unknown key: got %v, want ErrNotOwner", err)
		}
	})
	t.Run("KeysAreIndependent", func(t *testing.T) {
		s := newStore(t)
		k := key(t)
		claim(t, s, k+"/1", "a", t0)
		want(t, "other key", claim(t, s, k+"/2", "a", t0), idempotency.Acquired)
	})
	t.Run("BadArguments", func(t *testing.T) {
		s := newStore(t)
		tests := []struct {
			name       string
			key, owner string
			lease      time.Duration
		}{
			{"empty key", "", "a", lease},
			{"empty owner", key(t), "", lease},
			{"zero lease", key(t), "a", 0},
		}
		for _, tc := range tests {
			if _, err := s.Claim(ctx, tc.key, tc.owner, t0, tc.lease); err == nil {
				t.Errorf("Claim with %s: no error", tc.name)
			}
		}
	})
	t.Run("ConcurrentClaimsAcquireOnce", func(t *testing.T) {
		s := newStore(t)
		k := key(t)
		results := make([]idempotency.ClaimResult, Concurrency)
		errs := make([]error, Concurrency)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range Concurrency {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				results[i], errs[i] = s.Claim(ctx, k, fmt.Sprintf("owner-%d", i), t0, lease)
			}()
		}
		close(start)
		wg.Wait()
		acquired := 0
		for i, r := range results {
			if errs[i] != nil {
				t.Fatalf("claim %d: %v", i, errs[i])
			}
			switch r {
			case idempotency.Acquired:
				acquired++
			case idempotency.InProgress:
			default:
				t.Errorf("claim %d: got %v, want acquired or in progress", i, r)
			}
		}
		if acquired != 1 {
			t.Fatalf("%d of %d concurrent claims acquired the key, want exactly 1", acquired, Concurrency)
		}
	})
	t.Run("ConcurrentKeys", func(t *testing.T) {
		s := newStore(t)
		k := key(t)
		var wg sync.WaitGroup
		errs := make([]error, Concurrency)
		for i := range Concurrency {
			wg.Add(1)
			go func() {
				defer wg.Done()
				kk, owner := fmt.Sprintf("%s/%d", k, i), fmt.Sprintf("owner-%d", i)
				r, err := s.Claim(ctx, kk, owner, t0, lease)
				if err == nil && r != idempotency.Acquired {
					err = fmt.Errorf("got %v, want acquired", r)
				}
				if err == nil {
					err = s.Complete(ctx, kk, owner, t0, retain)
				}
				errs[i] = err
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("key %d: %v", i, err)
			}
		}
	})
}
