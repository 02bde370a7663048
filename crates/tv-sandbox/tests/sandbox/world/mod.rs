//! tv-sandbox's tests of the world and its state (the HTTP server's are in `http`), a
//! module per concern.

mod partitions;
mod state_persistence;
mod state_writes;
mod steps;
mod true_to_time;
mod world_consistency;
