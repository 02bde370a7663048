//! tv-api's integration tests, one binary (one link) with a module per concern.

mod constraints;
mod operations;
