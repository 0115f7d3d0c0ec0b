//! Generated protobuf and gRPC types (see `build.rs` and `proto/`).
#![allow(clippy::all, clippy::pedantic, missing_docs)]

pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

pub mod goplugin {
    tonic::include_proto!("plugin");
}
