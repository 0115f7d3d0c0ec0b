//! Locking shared state.

use std::sync::{Mutex, MutexGuard};

/// Lock a mutex, ignoring poisoning (a panicking test thread must not wedge
/// the emulator for everybody else).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
