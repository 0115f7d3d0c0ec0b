//! Semantic equality: two spellings of one value. An attribute may declare
//! when a configured value means the same as the value in state (two UUIDs
//! that differ only in case, say); the default planning then keeps the prior
//! value, so such a change is no diff and never a replacement.
//!
//! Terraform allows this: a plan may keep a prior value that differs from
//! the configuration (`AssertPlanValid` accepts a planned value equal to a
//! non-null prior value when the configuration is non-null too).

use std::fmt;
use std::sync::Arc;

use super::ids::same_uuid;
use crate::tfvalue::Value;

/// Decides whether two known, non-null values of one attribute mean the same.
pub type EquivalenceFn = dyn Fn(&Value, &Value) -> bool + Send + Sync;

#[derive(Clone)]
pub struct SemanticEquality {
    pub description: String,
    pub equal: Arc<EquivalenceFn>,
}

impl SemanticEquality {
    pub fn new(
        description: impl Into<String>,
        equal: impl Fn(&Value, &Value) -> bool + Send + Sync + 'static,
    ) -> Self {
        SemanticEquality {
            description: description.into(),
            equal: Arc::new(equal),
        }
    }

    /// Whether `prior` and `planned` are two spellings of one value: both
    /// known and non-null, and equal under this rule.
    pub fn holds(&self, prior: &Value, planned: &Value) -> bool {
        let present = |v: &Value| !v.is_null() && v.is_wholly_known();
        present(prior) && present(planned) && (prior == planned || (self.equal)(prior, planned))
    }
}

impl fmt::Debug for SemanticEquality {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SemanticEquality({})", self.description)
    }
}

/// UUIDs that differ only in case are the same id.
pub fn uuid_ignoring_case() -> SemanticEquality {
    SemanticEquality::new(
        "UUIDs compare without regard to case",
        |a, b| matches!((a.as_str(), b.as_str()), (Some(a), Some(b)) if same_uuid(a, b)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_differing_in_case_are_equal() {
        let eq = uuid_ignoring_case();
        let lower = Value::string("0f8b9e2a-1c3d-4e5f-8a7b-6c5d4e3f2a1b");
        let upper = Value::string("0F8B9E2A-1C3D-4E5F-8A7B-6C5D4E3F2A1B");
        assert!(eq.holds(&lower, &upper));
        assert!(eq.holds(&lower, &lower));
        assert!(!eq.holds(
            &lower,
            &Value::string("0f8b9e2a-1c3d-4e5f-8a7b-6c5d4e3f2a1c")
        ));
        assert!(!eq.holds(&Value::Null, &upper));
        assert!(!eq.holds(&lower, &Value::Unknown));
    }
}
