//! The bounded request log and the per-route counters.
//!
//! The log keeps the most recent [`REQUEST_LOG_LIMIT`] requests; older ones
//! are dropped (and counted as dropped). The counters cover every request
//! since start or the last reset, however many the log still holds.

use std::collections::{BTreeMap, VecDeque};

/// One request as the emulator saw it. Never holds bodies or headers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestRecord {
    pub method: String,
    /// The path, without the query string.
    pub path: String,
    pub query: Option<String>,
    /// The status answered; 0 when the connection was deliberately dropped
    /// or the request is held by [`crate::FaultKind::Hang`].
    pub status: u16,
    /// When the answer was decided.
    pub time: std::time::SystemTime,
}

/// How many requests the log keeps before it drops the oldest.
pub const REQUEST_LOG_LIMIT: usize = 10_000;

/// Requests answered on one route, by status.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct RouteCount {
    pub requests: u64,
    /// Status code (0 for a dropped connection) to number of answers.
    pub statuses: BTreeMap<u16, u64>,
}

pub(crate) struct RequestLog {
    records: VecDeque<RequestRecord>,
    limit: usize,
    dropped: u64,
    total: u64,
    routes: BTreeMap<&'static str, RouteCount>,
    /// TCP connections accepted (admin ones included).
    connections: u64,
}

impl Default for RequestLog {
    fn default() -> Self {
        RequestLog::with_limit(REQUEST_LOG_LIMIT)
    }
}

impl RequestLog {
    pub fn with_limit(limit: usize) -> RequestLog {
        RequestLog {
            records: VecDeque::new(),
            limit: limit.max(1),
            dropped: 0,
            total: 0,
            routes: BTreeMap::new(),
            connections: 0,
        }
    }

    /// Record one answered request under its route label.
    pub fn push(&mut self, record: RequestRecord, route: &'static str) {
        let count = self.routes.entry(route).or_default();
        count.requests += 1;
        *count.statuses.entry(record.status).or_default() += 1;
        self.total += 1;
        if self.records.len() == self.limit {
            self.records.pop_front();
            self.dropped += 1;
        }
        self.records.push_back(record);
    }

    /// The records still held, oldest first.
    pub fn records(&self) -> impl DoubleEndedIterator<Item = &RequestRecord> + ExactSizeIterator {
        self.records.iter()
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Records dropped to stay within the limit.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Requests recorded since start or the last clear.
    pub fn total(&self) -> u64 {
        self.total
    }

    pub fn routes(&self) -> &BTreeMap<&'static str, RouteCount> {
        &self.routes
    }

    /// Count one accepted TCP connection.
    pub fn connection_accepted(&mut self) {
        self.connections += 1;
    }

    /// TCP connections accepted since start or the last clear, admin
    /// connections included (the one asking for the counters too).
    pub fn connections(&self) -> u64 {
        self.connections
    }

    /// Forget every record and counter.
    pub fn clear(&mut self) {
        self.records.clear();
        self.dropped = 0;
        self.total = 0;
        self.routes.clear();
        self.connections = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(path: &str, status: u16) -> RequestRecord {
        RequestRecord {
            method: "GET".into(),
            path: path.into(),
            query: None,
            status,
            time: std::time::SystemTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn keeps_the_newest_records_and_counts_all() {
        let mut log = RequestLog::with_limit(3);
        for i in 0..5u16 {
            log.push(rec(&format!("/p{i}"), 200 + i % 2), "GET /p");
        }
        let paths: Vec<&str> = log.records().map(|r| r.path.as_str()).collect();
        assert_eq!(paths, ["/p2", "/p3", "/p4"]);
        assert_eq!(log.dropped(), 2);
        assert_eq!(log.total(), 5);
        let c = &log.routes()["GET /p"];
        assert_eq!(c.requests, 5);
        assert_eq!(c.statuses[&200], 3);
        assert_eq!(c.statuses[&201], 2);
        log.connection_accepted();
        log.connection_accepted();
        assert_eq!(log.connections(), 2);
        log.clear();
        assert_eq!((log.records().len(), log.total(), log.dropped()), (0, 0, 0));
        assert_eq!(log.connections(), 0);
        assert!(log.routes().is_empty());
    }
}
