//! Convenience operations on values used by the framework (filled in by the framework work).
