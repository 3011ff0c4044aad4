//! The date formats of approach JSON v1.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, Month, OffsetDateTime};

/// Parses `YYYY-MM-DD`.
pub fn parse_day(s: &str) -> Option<Date> {
    Date::parse(s.trim(), format_description!("[year]-[month]-[day]")).ok()
}

/// Parses `YYYY-MM` as the first day of that month.
pub fn parse_month(s: &str) -> Option<Date> {
    let (y, m) = s.trim().split_once('-')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    let year: i32 = y.parse().ok()?;
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(year, month, 1).ok()
}

/// Parses an RFC 3339 timestamp.
pub fn parse_timestamp(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s.trim(), &Rfc3339).ok()
}

/// The day of an RFC 3339 timestamp, in its own offset.
pub fn timestamp_day(s: &str) -> Option<Date> {
    parse_timestamp(s).map(|t| t.date())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_formats() {
        assert!(parse_day("2025-08-14").is_some());
        assert!(parse_day("2025-13-01").is_none());
        assert_eq!(parse_month("2024-02"), parse_day("2024-02-01"));
        assert!(parse_month("2024-2").is_none());
        assert_eq!(
            timestamp_day("2025-03-14T09:21:00Z"),
            parse_day("2025-03-14")
        );
        assert!(parse_timestamp("yesterday").is_none());
    }
}
