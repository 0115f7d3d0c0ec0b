//! Answers as HTTP responses.

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::state::Reply;

pub(crate) fn status_code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

pub(crate) fn empty_response(status: u16) -> Response {
    let mut resp = Response::new(Body::empty());
    *resp.status_mut() = status_code(status);
    resp.headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
    resp
}

pub(crate) fn reply_response(reply: Reply) -> Response {
    match reply.body {
        None => empty_response(reply.status),
        Some(body) => (
            status_code(reply.status),
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response(),
    }
}
