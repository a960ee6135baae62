package v1_test

import (
	"fmt"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
)

func ExampleDecode() {
	payload := []byte(`{
	  "event_type": "StepFailed", "event_id": "e-2", "correlation_id": "wf-1", "causation_id": "e-1",
	  "schema_version": "1.0.0", "occurred_at": "2026-11-27T14:35:00Z", "producer": "strategy",
	  "stage": "dev", "trading_mode": "paper", "dry_run": false,
	  "step": "strategy", "code": "no_data", "reason": "no bars for XYZ"}`)
	dec, err := v1.Decode(payload)
	if err != nil {
		fmt.Println(err)
		return
	}
	failed := dec.Event.(*v1.StepFailed)
	fmt.Println(dec.Wrapped, failed.DetailType(), failed.Source(), failed.Reason)

	_, err = v1.Decode([]byte(`{"event_type": "StepFailed", "schema_version": "2.0.0"}`))
	fmt.Println(err)
	// Output:
	// false StepFailed alchemiser.strategy no bars for XYZ
	// schema_version 2.0.0: major version 2 is not supported by this consumer, which reads 1.x: unsupported schema version
}
