package v1_test

import (
	"testing"
	"time"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/contracts/v1/v1example"
)

// FuzzDecode feeds arbitrary bytes to the decoder: it must return an event or an error, never
// panic, and whatever it accepts must survive a round trip.
func FuzzDecode(f *testing.F) {
	for _, ev := range v1example.All() {
		b, _ := v1.Marshal(ev)
		f.Add(b)
		w, _ := v1.Wrap(ev, "id", "1", "us-east-1", time.Unix(0, 0))
		f.Add(w)
	}
	f.Add([]byte(`{"detail-type":"x","detail":null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dec, err := v1.Decode(data)
		if err != nil {
			return
		}
		b, err := v1.Marshal(dec.Event)
		if err != nil {
			t.Fatalf("accepted event does not marshal: %v", err)
		}
		if _, _, err := v1.DecodeDetail(b); err != nil && len(dec.UnknownFields) == 0 {
			t.Fatalf("accepted event does not decode again: %v\n%s", err, b)
		}
	})
}
