//! The date formats of a LinkedIn data export, turned into RFC 3339.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

/// A `messages.csv` date (`2023-06-11 15:33:58 UTC`, or already RFC 3339)
/// as RFC 3339, or `None` when it is neither.
pub(crate) fn message_time(date: &str) -> Option<String> {
    let date = date.trim();
    if let Ok(t) = OffsetDateTime::parse(date, &Rfc3339) {
        return t.format(&Rfc3339).ok();
    }
    let plain = date.strip_suffix("UTC").unwrap_or(date).trim();
    let layout = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    PrimitiveDateTime::parse(plain, layout)
        .ok()
        .and_then(|t| t.assume_utc().format(&Rfc3339).ok())
}

/// An `Invitations.csv` date (`1/5/24, 9:03 AM`: month, day, two-digit
/// year, 12-hour clock) as RFC 3339, or `None` when it is not one.
pub(crate) fn invitation_time(date: &str) -> Option<String> {
    if let Some(t) = message_time(date) {
        return Some(t);
    }
    // A two-digit year needs a century: exports are from this one.
    let date = date.trim();
    let (md, rest) = date.rsplit_once('/')?;
    let (yy, time) = rest.split_once(',')?;
    let full = format!("{md}/20{}, {}", yy.trim(), time.trim());
    let layout = format_description!(
        "[month padding:none]/[day padding:none]/[year], [hour repr:12 padding:none]:[minute] [period]"
    );
    PrimitiveDateTime::parse(&full, layout)
        .ok()
        .and_then(|t| t.assume_utc().format(&Rfc3339).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_export_formats() {
        assert_eq!(
            message_time("2023-06-11 15:33:58 UTC").as_deref(),
            Some("2023-06-11T15:33:58Z")
        );
        assert_eq!(
            message_time("2023-06-11T15:33:58Z").as_deref(),
            Some("2023-06-11T15:33:58Z")
        );
        assert_eq!(message_time("yesterday"), None);
        assert_eq!(
            invitation_time("1/5/24, 9:03 AM").as_deref(),
            Some("2024-01-05T09:03:00Z")
        );
        assert_eq!(
            invitation_time("12/25/23, 11:59 PM").as_deref(),
            Some("2023-12-25T23:59:00Z")
        );
        assert_eq!(invitation_time("13/5/24, 9:03 AM"), None);
        assert_eq!(invitation_time(""), None);
    }
}
