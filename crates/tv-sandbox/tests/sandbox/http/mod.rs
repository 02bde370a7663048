//! The sandbox through real HTTP on 127.0.0.1:0: every endpoint, both parameter
//! transports, errors, writes, faults, hardening, snapshots and the binary as a process.
//! A module per concern.

mod clock;
mod common;
mod faults;
mod hardening;
mod incidents;
mod process;
mod ratelimit;
mod readme;
mod reads;
mod scale;
mod series;
mod snapshots;
mod sockets;
mod writes;
