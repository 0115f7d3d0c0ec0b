//! Diagnostics: errors and warnings with an optional attribute path.

pub use super::path::quoted;
use super::path::AttrPath;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub summary: String,
    pub detail: String,
    pub path: Option<AttrPath>,
}

/// An ordered collection of diagnostics for one RPC.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn error(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Severity::Error, summary, detail, None);
    }

    pub fn warning(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Severity::Warning, summary, detail, None);
    }

    pub fn attr_error(
        &mut self,
        path: AttrPath,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.push(Severity::Error, summary, detail, Some(path));
    }

    pub fn attr_warning(
        &mut self,
        path: AttrPath,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.push(Severity::Warning, summary, detail, Some(path));
    }

    fn push(
        &mut self,
        severity: Severity,
        summary: impl Into<String>,
        detail: impl Into<String>,
        path: Option<AttrPath>,
    ) {
        let d = Diagnostic {
            severity,
            summary: summary.into(),
            detail: detail.into(),
            path: path.filter(|p| !p.is_root()),
        };
        // Deduplicate: several hooks may notice the same problem.
        if !self.items.contains(&d) {
            self.items.push(d);
        }
    }

    pub fn extend(&mut self, other: Diagnostics) {
        for d in other.items {
            if !self.items.contains(&d) {
                self.items.push(d);
            }
        }
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::quoted;

    #[test]
    fn long_values_are_quoted_by_a_prefix_and_their_length() {
        assert_eq!(quoted("ab\"c"), "\"ab\\\"c\"");
        let long = "é".repeat(100_000);
        let q = quoted(&long);
        assert!(q.contains("the first 64 of 100000 characters"), "{q}");
        assert!(q.len() < 250, "{q}");
    }
}
