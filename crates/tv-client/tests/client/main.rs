//! tv-client's integration tests, one test binary (linking dominates a test run on two
//! cores): each module drives the client against a loopback mock or an in-process
//! sandbox. `batch_memory` stays a binary of its own: it installs a counting
//! `#[global_allocator]`.

mod decode_props;
mod fan_out_backoff;
mod gate_measurement;
mod http_faults;
mod workflow;
mod write_outcomes;
