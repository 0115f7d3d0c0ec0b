//! Attribute paths, as diagnostics and `requires_replace` carry them.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct AttrPath {
    pub steps: Vec<Step>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    Attr(String),
    Key(String),
    Index(i64),
}

impl AttrPath {
    pub fn root() -> Self {
        AttrPath::default()
    }

    pub fn attr(name: &str) -> Self {
        AttrPath {
            steps: vec![Step::Attr(name.to_owned())],
        }
    }

    pub fn child(&self, name: &str) -> Self {
        let mut p = self.clone();
        p.steps.push(Step::Attr(name.to_owned()));
        p
    }

    pub fn key(&self, key: &str) -> Self {
        let mut p = self.clone();
        p.steps.push(Step::Key(key.to_owned()));
        p
    }

    pub fn index(&self, i: i64) -> Self {
        let mut p = self.clone();
        p.steps.push(Step::Index(i));
        p
    }

    pub fn is_root(&self) -> bool {
        self.steps.is_empty()
    }
}

/// `redirect_uris[0]`, `tags["env"]`, `a.b`.
impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.steps.iter().enumerate() {
            match s {
                Step::Attr(n) if i == 0 => write!(f, "{n}")?,
                Step::Attr(n) => write!(f, ".{n}")?,
                Step::Key(k) => write!(f, "[{}]", super::diagnostics::quoted(k))?,
                Step::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}
