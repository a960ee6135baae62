package render_test

import (
	"fmt"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"

	"github.com/alchemiser/alchemiser/services/notifier/internal/render"
)

func ExampleSubject() {
	n := &v1.TradingNotificationRequested{Status: v1.StatusFailure, Failure: &v1.Failure{Code: "timeout"}}
	n.TradingMode = v1.ModePaper
	fmt.Println(render.Subject(n, render.Options{}))
	n.DryRun = true
	fmt.Println(render.Subject(n, render.Options{}))
	// Output:
	// [FAILURE][timeout] Alchemiser - PAPER Trading Report
	// [DRY RUN][FAILURE][timeout] Alchemiser - PAPER Trading Report
}
