package reports

import (
	"fmt"
	"strconv"
	"time"
)

// DateTimeLayout is how schedules show an instant: to the second, day
// first, as UK courts read dates.
const DateTimeLayout = "02/01/2006 15:04:05"

// ZoneLocation returns the location of a zone name (ZoneUTC or ZoneUKLocal).
func ZoneLocation(zone string) *time.Location {
	if zone == ZoneUKLocal {
		return London
	}
	return time.UTC
}

// FormatValue renders a value as text the way the column shows it: the
// PDF report and CSV exports use it; the workbook stores typed values with
// the equivalent number formats.
func FormatValue(v Value, c Column) string {
	switch v.Kind {
	case TextKind:
		return v.Text
	case IntKind:
		if c.Format == FormatDuration {
			return HMS(v.Int)
		}
		return strconv.FormatInt(v.Int, 10)
	case FloatKind:
		return strconv.FormatFloat(v.Float, 'f', c.Decimals, 64)
	case TimeKind:
		return v.Time.In(ZoneLocation(c.Zone)).Format(DateTimeLayout)
	}
	return ""
}

// HMS shows seconds as h:mm:ss (hours unbounded).
func HMS(s int64) string {
	sign := ""
	if s < 0 {
		sign, s = "-", -s
	}
	return fmt.Sprintf("%s%d:%02d:%02d", sign, s/3600, s/60%60, s%60)
}

// FormatInstant shows an instant in a zone with the zone's name, e.g.
// "27/11/2026 20:34:54 UTC".
func FormatInstant(t time.Time, zone string) string {
	if t.IsZero() {
		return ""
	}
	return t.In(ZoneLocation(zone)).Format(DateTimeLayout) + " " + zone
}
