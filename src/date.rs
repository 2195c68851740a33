//! Calendar dates from the system clock, for the `Date` header and the log.
//!
//! The standard library tells the time only as seconds since 1970; turning
//! that into a day, month and year is a little arithmetic, done here once.
//! Times are in UTC (GMT): HTTP dates always are, and std knows no time zones.

use std::time::{SystemTime, UNIX_EPOCH};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];

/// A moment broken into calendar fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DateTime {
    year: i64,
    month: usize,
    day: u32,
    hour: u64,
    minute: u64,
    second: u64,
    weekday: usize,
}

impl DateTime {
    pub(crate) fn now() -> DateTime {
        let seconds = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        DateTime::from_unix(seconds)
    }

    pub(crate) fn from_unix(seconds: u64) -> DateTime {
        let days = (seconds / 86_400) as i64;
        let time = seconds % 86_400;
        let (year, month, day) = civil_from_days(days);
        DateTime {
            year,
            month: month as usize - 1,
            day,
            hour: time / 3600,
            minute: time / 60 % 60,
            second: time % 60,
            // 1 January 1970 was a Thursday, the first entry of WEEKDAYS.
            weekday: (days % 7) as usize,
        }
    }

    /// The form HTTP uses, e.g. `Fri, 20 Nov 2026 21:45:00 GMT`.
    pub(crate) fn http_date(&self) -> String {
        format!(
            "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
            WEEKDAYS[self.weekday],
            self.day,
            MONTHS[self.month],
            self.year,
            self.hour,
            self.minute,
            self.second
        )
    }

    /// Appends the form of the request log, e.g. `20/Nov/2026 21:45:00`,
    /// to `out` (the log builds each line in one string).
    pub(crate) fn write_log_date(&self, out: &mut String) {
        use std::fmt::Write as _;
        let _ = write!(
            out,
            "{:02}/{}/{} {:02}:{:02}:{:02}",
            self.day, MONTHS[self.month], self.year, self.hour, self.minute, self.second
        );
    }

    /// The form of the request log, e.g. `20/Nov/2026 21:45:00`.
    pub(crate) fn log_date(&self) -> String {
        let mut text = String::new();
        self.write_log_date(&mut text);
        text
    }
}

/// Year, month (1 to 12) and day for a count of days since 1 January 1970.
///
/// The trick is to count years from 1 March, so that the leap day falls at
/// the very end of a year, and to work in 400-year cycles, which always hold
/// the same number of days (146,097).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days + 719_468; // days from 1 March of year 0 to 1 January 1970
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Appends the current time in the form of the `Date` header to `out`.
///
/// A busy server sends thousands of responses a second and the text only
/// changes once a second, so each thread keeps the last one it made.
pub(crate) fn push_http_date_now(out: &mut Vec<u8>) {
    use std::cell::RefCell;
    thread_local! {
        static LAST: RefCell<(u64, String)> = const { RefCell::new((u64::MAX, String::new())) };
    }
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    LAST.with_borrow_mut(|(last_seconds, text)| {
        if *last_seconds != seconds {
            *last_seconds = seconds;
            *text = DateTime::from_unix(seconds).http_date();
        }
        out.extend_from_slice(text.as_bytes());
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_epoch_was_a_thursday() {
        assert_eq!(
            DateTime::from_unix(0).http_date(),
            "Thu, 01 Jan 1970 00:00:00 GMT"
        );
    }

    #[test]
    fn formats_a_known_moment_both_ways() {
        // 2026-11-20 21:45:00 UTC
        let moment = DateTime::from_unix(1_795_211_100);
        assert_eq!(moment.http_date(), "Fri, 20 Nov 2026 21:45:00 GMT");
        assert_eq!(moment.log_date(), "20/Nov/2026 21:45:00");
    }

    #[test]
    fn handles_leap_days_and_century_rules() {
        assert_eq!(
            DateTime::from_unix(951_782_400).http_date(),
            "Tue, 29 Feb 2000 00:00:00 GMT"
        );
        assert_eq!(
            DateTime::from_unix(1_709_164_800).http_date(),
            "Thu, 29 Feb 2024 00:00:00 GMT"
        );
        assert_eq!(
            DateTime::from_unix(4_107_542_400).http_date(),
            "Mon, 01 Mar 2100 00:00:00 GMT"
        );
    }
}
