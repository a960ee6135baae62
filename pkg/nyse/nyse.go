// Package nyse is the New York Stock Exchange trading calendar: which days the market trades,
// when each session opens and closes (09:30 to 16:00 America/New_York, 13:00 on early-close
// days), and how to step from one session to the next.
//
// The rules are computed, not looked up, so any year works; they match the exchange's published
// calendars for 2000 to 2035, including Good Friday (from the date of Easter), the observed
// weekday of a weekend holiday, Juneteenth from 2022, the 13:00 early closes (the day before
// Independence Day, the day after Thanksgiving and Christmas Eve) and the unscheduled closures
// of that period (September 2001, state funerals, Hurricane Sandy).
//
// Dates are calendar dates: a date argument is read as its year, month and day in its own
// location, so time.Date(2024, 7, 3, 0, 0, 0, 0, time.UTC) means 3 July 2024. Instants (the
// argument of NextOpen, IsOpen and so on) are converted to New York time first.
//
// The package is pure: it never reads the clock.
package nyse

import (
	"sync"
	"time"
	_ "time/tzdata" // the calendar must work where the host has no zoneinfo (Lambda).
)

// NewYork is the America/New_York location in which sessions are defined.
var NewYork = mustLoad("America/New_York")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// time/tzdata is embedded, so this cannot fail at run time.
		panic("nyse: load location " + name + ": " + err.Error())
	}
	return loc
}

// Session is one trading day: its date and the instants the regular session opens and closes.
type Session struct {
	// Date is the session's calendar date at midnight UTC.
	Date time.Time
	// Open is 09:30 New York time on Date.
	Open time.Time
	// Close is 16:00 New York time on Date, or 13:00 on an early-close day.
	Close time.Time
	// EarlyClose reports whether the session closes at 13:00.
	EarlyClose bool
}

// day is a calendar date without a location.
type day struct {
	y int
	m time.Month
	d int
}

func dayOf(t time.Time) day {
	y, m, d := t.Date()
	return day{y, m, d}
}

func (d day) time() time.Time { return time.Date(d.y, d.m, d.d, 0, 0, 0, 0, time.UTC) }

func (d day) weekday() time.Weekday { return d.time().Weekday() }

func (d day) add(n int) day { return dayOf(d.time().AddDate(0, 0, n)) }

// Date returns the calendar date of t (its year, month and day in t's location) at midnight UTC.
func Date(t time.Time) time.Time { return dayOf(t).time() }

// HolidayName returns the name of the full-day closure on date, if any. Weekends are not
// holidays.
func HolidayName(date time.Time) (string, bool) {
	return holiday(dayOf(date))
}

// holidayCache holds each year's holidays once computed: map[int]map[day]string.
var holidayCache sync.Map

func holiday(d day) (string, bool) {
	hs, ok := holidayCache.Load(d.y)
	if !ok {
		hs, _ = holidayCache.LoadOrStore(d.y, holidaysOf(d.y))
	}
	name, ok := hs.(map[day]string)[d]
	return name, ok
}

// holidaysOf lists the weekday closures of year y.
func holidaysOf(y int) map[day]string {
	out := make(map[day]string)
	for d := (day{y, time.January, 1}); d.y == y; d = d.add(1) {
		if name, ok := computeHoliday(d); ok {
			out[d] = name
		}
	}
	return out
}

func computeHoliday(d day) (string, bool) {
	if wd := d.weekday(); wd == time.Saturday || wd == time.Sunday {
		return "", false
	}
	if name, ok := special[d]; ok {
		return name, true
	}
	y := d.y
	switch {
	case d == observedNewYear(y):
		return "New Year's Day", true
	case y >= 1998 && d == nthWeekday(y, time.January, time.Monday, 3):
		return "Martin Luther King Jr. Day", true
	case d == nthWeekday(y, time.February, time.Monday, 3):
		return "Washington's Birthday", true
	case d == easter(y).add(-2):
		return "Good Friday", true
	case d == lastWeekday(y, time.May, time.Monday):
		return "Memorial Day", true
	case y >= 2022 && d == observed(day{y, time.June, 19}):
		return "Juneteenth", true
	case d == observed(day{y, time.July, 4}):
		return "Independence Day", true
	case d == nthWeekday(y, time.September, time.Monday, 1):
		return "Labor Day", true
	case d == nthWeekday(y, time.November, time.Thursday, 4):
		return "Thanksgiving Day", true
	case d == observed(day{y, time.December, 25}):
		return "Christmas Day", true
	}
	return "", false
}

// special lists the unscheduled full-day closures since 2000.
var special = map[day]string{
	{2001, time.September, 11}: "September 11",
	{2001, time.September, 12}: "September 11",
	{2001, time.September, 13}: "September 11",
	{2001, time.September, 14}: "September 11",
	{2004, time.June, 11}:      "National Day of Mourning (Reagan)",
	{2007, time.January, 2}:    "National Day of Mourning (Ford)",
	{2012, time.October, 29}:   "Hurricane Sandy",
	{2012, time.October, 30}:   "Hurricane Sandy",
	{2018, time.December, 5}:   "National Day of Mourning (G. H. W. Bush)",
	{2025, time.January, 9}:    "National Day of Mourning (Carter)",
}

// observed moves a Saturday holiday to Friday and a Sunday holiday to Monday.
func observed(d day) day {
	switch d.weekday() {
	case time.Saturday:
		return d.add(-1)
	case time.Sunday:
		return d.add(1)
	}
	return d
}

// observedNewYear follows NYSE rule 7.2: a Saturday New Year's Day is not observed on the
// Friday before (that Friday is the last day of the previous year's books).
func observedNewYear(y int) day {
	d := day{y, time.January, 1}
	if d.weekday() == time.Sunday {
		return d.add(1)
	}
	return d
}

func nthWeekday(y int, m time.Month, wd time.Weekday, n int) day {
	first := day{y, m, 1}
	off := (int(wd) - int(first.weekday()) + 7) % 7
	return first.add(off + 7*(n-1))
}

func lastWeekday(y int, m time.Month, wd time.Weekday) day {
	last := dayOf(time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC))
	off := (int(last.weekday()) - int(wd) + 7) % 7
	return last.add(-off)
}

// easter returns Easter Sunday of year y (anonymous Gregorian algorithm).
func easter(y int) day {
	a := y % 19
	b := y / 100
	c := y % 100
	d := b / 4
	e := b % 4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i := c / 4
	k := c % 4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	dd := (h+l-7*m+114)%31 + 1
	return day{y, time.Month(month), dd}
}

func isTradingDay(d day) bool {
	if wd := d.weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	_, hol := holiday(d)
	return !hol
}

// earlyClose reports whether trading day d closes at 13:00.
func earlyClose(d day) bool {
	if !isTradingDay(d) {
		return false
	}
	switch {
	case d.m == time.July && d.d == 3:
		// The day before Independence Day, when the 4th is Tuesday to Friday.
		return d.weekday() >= time.Monday && d.weekday() <= time.Thursday
	case d.m == time.November && d == nthWeekday(d.y, time.November, time.Thursday, 4).add(1):
		return true
	case d.m == time.December && d.d == 24:
		return true
	}
	return false
}

// IsTradingDay reports whether the exchange holds a regular session on date.
func IsTradingDay(date time.Time) bool { return isTradingDay(dayOf(date)) }

// IsEarlyClose reports whether date is a trading day that closes at 13:00.
func IsEarlyClose(date time.Time) bool { return earlyClose(dayOf(date)) }

// SessionOn returns the session on date, and false if date is not a trading day.
func SessionOn(date time.Time) (Session, bool) {
	d := dayOf(date)
	if !isTradingDay(d) {
		return Session{}, false
	}
	return sessionOf(d), true
}

func sessionOf(d day) Session {
	closeHour := 16
	early := earlyClose(d)
	if early {
		closeHour = 13
	}
	return Session{
		Date:       d.time(),
		Open:       time.Date(d.y, d.m, d.d, 9, 30, 0, 0, NewYork),
		Close:      time.Date(d.y, d.m, d.d, closeHour, 0, 0, 0, NewYork),
		EarlyClose: early,
	}
}

// NextTradingDay returns the first trading day strictly after date, at midnight UTC.
func NextTradingDay(date time.Time) time.Time {
	d := dayOf(date).add(1)
	for !isTradingDay(d) {
		d = d.add(1)
	}
	return d.time()
}

// PreviousTradingDay returns the last trading day strictly before date, at midnight UTC.
func PreviousTradingDay(date time.Time) time.Time {
	d := dayOf(date).add(-1)
	for !isTradingDay(d) {
		d = d.add(-1)
	}
	return d.time()
}

// TradingDays returns every trading day from from to to, both inclusive, at midnight UTC.
func TradingDays(from, to time.Time) []time.Time {
	f, t := dayOf(from).time(), dayOf(to).time()
	var out []time.Time
	for d := f; !d.After(t); d = d.AddDate(0, 0, 1) {
		if isTradingDay(dayOf(d)) {
			out = append(out, d)
		}
	}
	return out
}

// IsOpen reports whether the regular session is open at instant t (open inclusive, close
// exclusive).
func IsOpen(t time.Time) bool {
	s, ok := SessionOn(t.In(NewYork))
	return ok && !t.Before(s.Open) && t.Before(s.Close)
}

// CurrentOrNextSession returns the session that is open at t or, if none is, the next one to
// open after t.
func CurrentOrNextSession(t time.Time) Session {
	d := dayOf(t.In(NewYork))
	for {
		if isTradingDay(d) {
			s := sessionOf(d)
			if t.Before(s.Close) {
				return s
			}
		}
		d = d.add(1)
	}
}

// NextOpen returns the first session open strictly after t.
func NextOpen(t time.Time) time.Time {
	d := dayOf(t.In(NewYork))
	for {
		if isTradingDay(d) {
			if s := sessionOf(d); s.Open.After(t) {
				return s.Open
			}
		}
		d = d.add(1)
	}
}

// NextClose returns the first session close strictly after t.
func NextClose(t time.Time) time.Time {
	return CurrentOrNextSession(t).Close
}

// LastClose returns the most recent session close at or before t.
func LastClose(t time.Time) time.Time {
	d := dayOf(t.In(NewYork))
	for {
		if isTradingDay(d) {
			if s := sessionOf(d); !s.Close.After(t) {
				return s.Close
			}
		}
		d = d.add(-1)
	}
}
