//! The period the dashboard covers: a first and last day within the data, and the quick ranges.
//!
//! Quick ranges end on the data's last day rather than on today: published data lags the
//! calendar by a day or more, and a range ending today would show an empty tail.

use time::{Date, Duration};

/// The days with data: the bounds of every period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    pub first: Date,
    pub last: Date,
}

impl Bounds {
    /// `date` moved inside the bounds.
    pub fn clamp(self, date: Date) -> Date {
        date.clamp(self.first, self.last)
    }
}

/// A period chosen with one click.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuickRange {
    Last30Days,
    Last90Days,
    ThisMonth,
    All,
}

impl QuickRange {
    /// Every quick range, in the order the buttons show them.
    pub const ALL: [QuickRange; 4] = [
        QuickRange::Last30Days,
        QuickRange::Last90Days,
        QuickRange::ThisMonth,
        QuickRange::All,
    ];

    /// The button's label.
    pub fn label(self) -> &'static str {
        match self {
            QuickRange::Last30Days => "Last 30 days",
            QuickRange::Last90Days => "Last 90 days",
            QuickRange::ThisMonth => "This month",
            QuickRange::All => "All",
        }
    }

    /// The button's tooltip: what the range is exactly.
    pub fn description(self) -> &'static str {
        match self {
            QuickRange::Last30Days => "The 30 days ending on the latest day with data",
            QuickRange::Last90Days => "The 90 days ending on the latest day with data",
            QuickRange::ThisMonth => "The month of the latest day with data, up to that day",
            QuickRange::All => "Every day with data",
        }
    }

    /// The first and last day of the range, within `bounds`.
    pub fn period(self, bounds: Bounds) -> (Date, Date) {
        let last = bounds.last;
        let first = match self {
            QuickRange::Last30Days => last.saturating_sub(Duration::days(29)),
            QuickRange::Last90Days => last.saturating_sub(Duration::days(89)),
            QuickRange::ThisMonth => last.replace_day(1).unwrap_or(last),
            QuickRange::All => bounds.first,
        };
        (bounds.clamp(first), last)
    }
}

/// Reads the `YYYY-MM-DD` of a date input; `None` when the input is empty or incomplete.
pub fn parse_iso_date(text: &str) -> Option<Date> {
    Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    const BOUNDS: Bounds = Bounds {
        first: date!(2026 - 03 - 15),
        last: date!(2026 - 09 - 10),
    };

    #[test]
    fn quick_ranges_end_on_the_last_day_with_data() {
        let period = |range: QuickRange| range.period(BOUNDS);
        assert_eq!(
            period(QuickRange::Last30Days),
            (date!(2026 - 08 - 12), date!(2026 - 09 - 10))
        );
        assert_eq!(
            period(QuickRange::Last90Days),
            (date!(2026 - 06 - 13), date!(2026 - 09 - 10))
        );
        assert_eq!(
            period(QuickRange::ThisMonth),
            (date!(2026 - 09 - 01), date!(2026 - 09 - 10))
        );
        assert_eq!(period(QuickRange::All), (BOUNDS.first, BOUNDS.last));
    }

    #[test]
    fn quick_ranges_stay_within_the_data() {
        let short = Bounds {
            first: date!(2026 - 09 - 05),
            last: date!(2026 - 09 - 10),
        };
        assert_eq!(
            QuickRange::Last90Days.period(short),
            (short.first, short.last)
        );
        assert_eq!(
            QuickRange::ThisMonth.period(short),
            (short.first, short.last)
        );
    }

    #[test]
    fn reads_date_inputs() {
        assert_eq!(parse_iso_date("2026-09-05"), Some(date!(2026 - 09 - 05)));
        assert_eq!(parse_iso_date(""), None);
        assert_eq!(parse_iso_date("2026-02-30"), None);
    }
}
