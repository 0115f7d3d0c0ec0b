//! Attribute paths, as diagnostics and `requires_replace` carry them.

use std::fmt;

/// A value the user wrote, as a message quotes it: whole (escaped) when
/// short, else its first characters and its length, so that a huge value
/// never makes a huge message.
pub fn quoted(s: &str) -> String {
    const SHOWN: usize = 64;
    let n = s.chars().count();
    if n <= SHOWN {
        return format!("{s:?}");
    }
    let head: String = s.chars().take(SHOWN).collect();
    format!("{head:?}… (the first {SHOWN} of {n} characters)")
}

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
                Step::Key(k) => write!(f, "[{}]", quoted(k))?,
                Step::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}
