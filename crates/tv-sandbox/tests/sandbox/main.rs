//! tv-sandbox's integration tests, one test binary (one link): the server through real
//! HTTP (`http`) and the world and its state (`world`).

mod http;
mod world;
