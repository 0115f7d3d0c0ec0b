//! What resources and data sources stand on.

pub mod values;
