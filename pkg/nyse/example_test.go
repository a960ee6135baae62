package nyse_test

import (
	"fmt"
	"time"

	"github.com/alchemiser/alchemiser/pkg/nyse"
)

func Example() {
	goodFriday := time.Date(2024, 3, 29, 0, 0, 0, 0, time.UTC)
	name, _ := nyse.HolidayName(goodFriday)
	fmt.Println(nyse.IsTradingDay(goodFriday), name)

	s, _ := nyse.SessionOn(time.Date(2024, 11, 29, 0, 0, 0, 0, time.UTC))
	fmt.Println("day after Thanksgiving closes at", s.Close.In(nyse.NewYork).Format("15:04"))

	thursdayEvening := time.Date(2024, 3, 28, 18, 0, 0, 0, nyse.NewYork)
	fmt.Println("next open", nyse.NextOpen(thursdayEvening).Format(time.RFC3339))
	// Output:
	// false Good Friday
	// day after Thanksgiving closes at 13:00
	// next open 2024-04-01T09:30:00-04:00
}
