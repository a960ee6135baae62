package eventpattern_test

import (
	"fmt"

	"github.com/alchemiser/alchemiser/pkg/eventpattern"
)

func Example() {
	p, err := eventpattern.Compile([]byte(`{
		"source": ["alchemiser.portfolio"],
		"detail": {"orders": {"side": ["sell"], "qty": [{"numeric": [">", 10]}]}}
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	ok, err := p.Match([]byte(`{
		"source": "alchemiser.portfolio",
		"detail": {"orders": [{"side": "buy", "qty": 40}, {"side": "sell", "qty": 12}]}
	}`))
	fmt.Println(ok, err)

	_, err = eventpattern.Compile([]byte(`{"resources": []}`))
	fmt.Println(err)
	// Output:
	// true <nil>
	// Event pattern is not valid. Reason: Empty arrays are not allowed (at resources, offset 14)
}

func ExampleMatcher() {
	m := eventpattern.NewMatcher()
	_ = m.Add("portfolio-on-signal", []byte(`{"source":["alchemiser.strategy"],"detail-type":["SignalGenerated"]}`))
	_ = m.Add("archive", []byte(`{"source":[{"prefix":"alchemiser."}]}`))
	_ = m.Add("failures", []byte(`{"detail-type":["StepFailed"]}`))

	names, err := m.Match([]byte(`{"source":"alchemiser.strategy","detail-type":"SignalGenerated","detail":{}}`))
	fmt.Println(names, err)
	// Output: [archive portfolio-on-signal] <nil>
}
