//! Calendar dates: writing and reading the dates of HTTP headers (`Date`,
//! `Last-Modified`, `If-Modified-Since`) and of the log.
//!
//! The standard library tells the time only as seconds since 1970; turning
//! that into a day, month and year and back is a little arithmetic, done
//! here once. Times are in UTC (GMT): HTTP dates always are, and std knows
//! no time zones.

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

/// Writes `time` the way HTTP headers carry dates (RFC 9110, section
/// 5.6.7), e.g. `Sun, 06 Nov 1994 08:49:37 GMT`: for `Last-Modified`, say.
/// Fractions of a second are dropped; a time before 1970 counts as 1970.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
///
/// let time = UNIX_EPOCH + Duration::from_secs(784_111_777);
/// assert_eq!(http_server::format_http_date(time), "Sun, 06 Nov 1994 08:49:37 GMT");
/// ```
pub fn format_http_date(time: SystemTime) -> String {
    let seconds = time
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    DateTime::from_unix(seconds).http_date()
}

/// Reads a date from an HTTP header, such as `If-Modified-Since`. All three
/// forms that RFC 9110 (section 5.6.7) asks a server to accept work:
///
/// - `Sun, 06 Nov 1994 08:49:37 GMT` (the one to send),
/// - `Sunday, 06-Nov-94 08:49:37 GMT` (old, with a two-digit year), and
/// - `Sun Nov  6 08:49:37 1994` (C's `asctime`).
///
/// Anything else gives `None`, and a server then ignores the header.
///
/// ```
/// use http_server::parse_http_date;
/// use std::time::{Duration, UNIX_EPOCH};
///
/// let time = UNIX_EPOCH + Duration::from_secs(784_111_777);
/// assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(time));
/// assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), Some(time));
/// assert_eq!(parse_http_date("Sun Nov  6 08:49:37 1994"), Some(time));
/// assert_eq!(parse_http_date("yesterday"), None);
/// ```
pub fn parse_http_date(text: &str) -> Option<SystemTime> {
    let words: Vec<&str> = text.split_ascii_whitespace().collect();
    let (day, month, year, time) = match words[..] {
        // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
        [weekday, day, month, year, time, "GMT"] if weekday.ends_with(',') => {
            (day, month, year.parse().ok()?, time)
        }
        // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
        [weekday, date, time, "GMT"] if weekday.ends_with(',') => {
            let mut parts = date.split('-');
            let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
            if parts.next().is_some() || year.len() != 2 {
                return None;
            }
            (day, month, full_year(year.parse().ok()?), time)
        }
        // asctime: Sun Nov  6 08:49:37 1994
        [_weekday, month, day, time, year] => (day, month, year.parse().ok()?, time),
        _ => return None,
    };
    let month = MONTHS.iter().position(|name| *name == month)? as u32 + 1;
    let day: u32 = parse_digits(day, 1..=2)?;
    let mut clock = time.split(':');
    let hour: u64 = parse_digits(clock.next()?, 2..=2)?;
    let minute: u64 = parse_digits(clock.next()?, 2..=2)?;
    let second: u64 = parse_digits(clock.next()?, 2..=2)?;
    if clock.next().is_some() || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    if day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + (hour * 3600 + minute * 60 + second) as i64;
    match u64::try_from(seconds) {
        Ok(after) => UNIX_EPOCH.checked_add(std::time::Duration::from_secs(after)),
        Err(_) => UNIX_EPOCH.checked_sub(std::time::Duration::from_secs(seconds.unsigned_abs())),
    }
}

/// Digits only, and as many as `count` allows.
fn parse_digits<T: std::str::FromStr>(
    text: &str,
    count: std::ops::RangeInclusive<usize>,
) -> Option<T> {
    let plain = count.contains(&text.len()) && text.bytes().all(|byte| byte.is_ascii_digit());
    if plain { text.parse().ok() } else { None }
}

/// A two-digit year is the one, in this century or the last, that is not
/// more than 50 years ahead (RFC 9110, section 5.6.7).
fn full_year(two_digits: i64) -> i64 {
    let this_year = DateTime::now().year;
    let year = this_year - this_year % 100 + two_digits;
    if year > this_year + 50 {
        year - 100
    } else {
        year
    }
}

fn days_in_month(year: i64, month: u32) -> u32 {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1 January 1970 for a year, month (1 to 12) and day: the
/// reverse of `civil_from_days`, with the same trick.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
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
    fn dates_read_back_as_they_were_written() {
        for seconds in [0, 951_782_400, 1_709_164_800, 1_795_211_100, 4_107_542_400] {
            let time = UNIX_EPOCH + std::time::Duration::from_secs(seconds);
            assert_eq!(parse_http_date(&format_http_date(time)), Some(time));
        }
    }

    #[test]
    fn refuses_dates_that_do_not_exist_or_are_badly_written() {
        for text in [
            "Sun, 31 Nov 1994 08:49:37 GMT",
            "Sun, 29 Feb 2100 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Nov 1994 8:49:37 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, +6 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-1994 08:49:37 GMT",
            "",
        ] {
            assert_eq!(parse_http_date(text), None, "{text:?}");
        }
    }

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
