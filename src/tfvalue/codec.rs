//! Msgpack and JSON encodings of [`Value`] (placeholder until the codec lands).
use super::{DecodeError, Type, Value};

#[derive(Debug)]
pub struct EncodeError {
    pub path: String,
    pub message: String,
}
impl std::fmt::Display for EncodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}
impl std::error::Error for EncodeError {}

pub fn decode_msgpack(_bytes: &[u8], _ty: &Type) -> Result<Value, DecodeError> {
    todo!()
}
pub fn encode_msgpack(_value: &Value, _ty: &Type) -> Result<Vec<u8>, EncodeError> {
    todo!()
}
pub fn decode_json(_bytes: &[u8], _ty: &Type) -> Result<Value, DecodeError> {
    todo!()
}
pub fn encode_json(_value: &Value, _ty: &Type) -> Result<serde_json::Value, EncodeError> {
    todo!()
}
impl Type {
    pub fn to_json(&self) -> serde_json::Value {
        todo!()
    }
    pub fn to_json_bytes(&self) -> Vec<u8> {
        todo!()
    }
}
