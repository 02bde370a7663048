//! A large world answers the same bytes with the memo on (computed, then memoized, with
//! windows shared between endpoints) and off (every answer computed on its own), and the
//! same bytes as before the windows were shared (a digest recorded then).

use tv_sandbox::server::{Limits, SandboxConfig};

use crate::http::common::{Api, NOW, api_with, config, seg};

const APPS: usize = 2_000;

/// Apps sampled from the 2,000 (by their index in `GET apps`).
const SAMPLE: [usize; 6] = [0, 1, 2, 500, 1_234, 1_999];

fn large(memo_bytes: usize) -> SandboxConfig {
    SandboxConfig {
        apps: APPS,
        limits: Limits {
            memo_bytes,
            ..Limits::default()
        },
        ..config()
    }
}

/// The requests of `tv report` for one app, plus other windows, sides and endpoints.
fn paths(app: &str) -> Vec<String> {
    let a = seg(app);
    let q = |window: &str, end: i64| format!("time_window={window}&time_end={end}");
    let hour = q("hour", NOW);
    vec![
        format!("latency/{a}/server/summary?{hour}"),
        format!("latency/{a}/server/summary?{}", q("hour", NOW - 3_600)),
        format!("latency/{a}/server/series?{hour}"),
        format!("errors/{a}/rate?{hour}"),
        format!("total_requests/{a}/summary?{hour}"),
        format!("latency/{a}/server/by-layer?{hour}"),
        format!("total_requests/{a}/series?{}", q("day", NOW)),
        format!("latency/{a}/client/series?{hour}"),
        format!("latency/{a}/client/summary?{}", q("week", NOW)),
        format!("latency/{a}/server/by-layer?{}", q("day", NOW - 86_400)),
    ]
}

/// FNV-1a over every answer, each followed by a 0 byte.
fn fnv1a(bodies: &[Vec<u8>]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bodies.iter().flat_map(|b| b.iter().chain([&0u8])) {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

async fn answers(api: &Api, paths: &[String]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for path in paths {
        let resp = api.get(path).await;
        assert_eq!(resp.status(), 200, "{path}");
        out.push(resp.bytes().await.expect("a body").to_vec());
    }
    out
}

#[tokio::test]
async fn a_large_world_answers_the_same_bytes_with_and_without_the_memo() {
    let on = api_with(large(Limits::default().memo_bytes)).await;
    let off = api_with(large(0)).await;
    let apps: Vec<String> = on.get_ok::<serde_json::Value>("apps").await["data"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|v| v.as_str().expect("a name").to_owned())
        .collect();
    assert_eq!(apps.len(), APPS);
    let all: Vec<String> = SAMPLE.iter().flat_map(|i| paths(&apps[*i])).collect();
    let computed = answers(&on, &all).await;
    let memoized = answers(&on, &all).await;
    let fresh = answers(&off, &all).await;
    for ((path, c), (m, f)) in all.iter().zip(&computed).zip(memoized.iter().zip(&fresh)) {
        assert_eq!(c, m, "{path}: computed vs memoized");
        assert_eq!(c, f, "{path}: memo on vs off");
    }
    // Recorded from the sandbox before windows were shared between answers (again when
    // coarse slices became sums of 30-second slices).
    assert_eq!(
        fnv1a(&computed),
        0x3a3b_671c_674f_886b,
        "the answers changed"
    );
}
