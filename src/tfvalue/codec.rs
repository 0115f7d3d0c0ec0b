//! Msgpack and JSON encodings of [`Value`] (to be implemented).
