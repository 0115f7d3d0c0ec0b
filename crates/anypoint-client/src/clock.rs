//! The platform's clock, as its answers tell it: the `Date` header of the
//! latest answer, and the creation dates of applications. The create-once
//! rule for applications uses both to tell an application a create made
//! from one that somebody else made under the same name before it
//! (`applications.rs`, [`PriorHolders`]).

use std::sync::atomic::{AtomicI64, Ordering};

use reqwest::header::{HeaderMap, DATE};

/// No `Date` seen yet.
const NO_DATE: i64 = i64::MIN;

/// An HTTP date (IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`, or the
/// obsolete RFC 850 and asctime forms) in epoch seconds.
pub(crate) fn http_date_secs(value: &str) -> Option<i64> {
    let at = httpdate::parse_http_date(value).ok()?;
    let secs = at.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    i64::try_from(secs).ok()
}

/// An application's creation date (`audit.created.date`) in epoch seconds,
/// rounded down. The platform writes RFC 3339 (`2017-12-23T21:31:48.706Z`)
/// and, in some answers, a space for the `T`
/// (`2017-08-23 14:18:25.504000+00:00`); both are read.
pub fn created_secs(date: &str) -> Option<i64> {
    let date = date.trim();
    let normal = match date.as_bytes().get(10) {
        Some(b' ') => format!("{}T{}", &date[..10], &date[11..]),
        _ => date.to_owned(),
    };
    time::OffsetDateTime::parse(&normal, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}

/// The platform's `Date` of the latest answer, epoch seconds: every answer
/// the client receives is noted (the latest wins; the clock only moves
/// forward).
#[derive(Debug)]
pub(crate) struct PlatformClock {
    latest: AtomicI64,
}

impl Default for PlatformClock {
    fn default() -> Self {
        PlatformClock {
            latest: AtomicI64::new(NO_DATE),
        }
    }
}

impl PlatformClock {
    /// Keep the `Date` of an answer.
    pub(crate) fn note(&self, headers: &HeaderMap) {
        if let Some(secs) = headers
            .get(DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(http_date_secs)
        {
            self.latest.fetch_max(secs, Ordering::Relaxed);
        }
    }

    /// The platform's time (epoch seconds, rounded down) of the latest
    /// answer, if the platform dates its answers: a moment no later than
    /// now on the platform's clock.
    pub(crate) fn now(&self) -> Option<i64> {
        match self.latest.load(Ordering::Relaxed) {
            NO_DATE => None,
            secs => Some(secs),
        }
    }
}

/// The applications that held a name before a create, and when that was
/// known: what the create-once rule needs to never take somebody else's
/// application for the one a create made.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PriorHolders {
    /// The ids of the applications with the name.
    pub ids: Vec<i64>,
    /// The platform's time (epoch seconds) at which `ids` was known to be
    /// complete, or later but before the create was sent; `None` when the
    /// platform does not date its answers.
    pub as_of: Option<i64>,
}

/// Where an application found under a name after a create stands against
/// the [`PriorHolders`] listed before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Since {
    /// One of the prior holders: never the one the create made.
    Before,
    /// Not a prior holder, and made no earlier than they were listed (by
    /// the platform's clock, or the holders are undated): it may be the one
    /// the create made.
    After,
    /// Not a prior holder, but not shown to be made after they were listed
    /// (its creation date is earlier, or unreadable): somebody else may
    /// have made it in between, so it is neither taken nor ruled out.
    Unsure,
}

impl PriorHolders {
    /// Classify an application found under the name after the create.
    pub fn since(&self, id: i64, created_at: Option<&str>) -> Since {
        if self.ids.contains(&id) {
            return Since::Before;
        }
        match self.as_of {
            None => Since::After,
            Some(as_of) => match created_at.and_then(created_secs) {
                Some(created) if created >= as_of => Since::After,
                _ => Since::Unsure,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_and_creation_dates() {
        assert_eq!(
            http_date_secs("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(
            http_date_secs("Sunday, 06-Nov-94 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(
            http_date_secs("Sun Nov  6 08:49:37 1994"),
            Some(784_111_777)
        );
        assert_eq!(http_date_secs("yesterday"), None);
        assert_eq!(created_secs("1994-11-06T08:49:37.706Z"), Some(784_111_777));
        assert_eq!(
            created_secs("1994-11-06 08:49:37.504000+00:00"),
            Some(784_111_777)
        );
        assert_eq!(created_secs("1994-11-06T10:49:37+02:00"), Some(784_111_777));
        assert_eq!(created_secs("06/11/1994"), None);
        assert_eq!(created_secs(""), None);
    }

    #[test]
    fn a_prior_holder_is_never_ours_and_an_older_application_is_unsure() {
        let dated = PriorHolders {
            ids: vec![7],
            as_of: Some(784_111_777),
        };
        assert_eq!(dated.since(7, Some("1994-11-06T08:49:40Z")), Since::Before);
        assert_eq!(
            dated.since(8, Some("1994-11-06T08:49:37.001Z")),
            Since::After
        );
        // Made after the holders were listed but before the create.
        assert_eq!(
            dated.since(8, Some("1994-11-06T08:49:36.999Z")),
            Since::Unsure
        );
        assert_eq!(dated.since(8, None), Since::Unsure);
        assert_eq!(dated.since(8, Some("garbled")), Since::Unsure);
        let undated = PriorHolders {
            ids: vec![7],
            as_of: None,
        };
        assert_eq!(undated.since(8, None), Since::After);
        assert_eq!(undated.since(7, None), Since::Before);
    }
}
