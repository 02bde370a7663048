//! The workspace's end-to-end tests, one test binary: the typed client against the
//! sandbox over loopback HTTP, tv-client's public items against their snapshot, and the
//! generated code against the spec.

mod client_against_sandbox;
mod client_surface;
mod codegen_fresh;
