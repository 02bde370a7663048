//! The ground truth of the seeded incidents: the library function, the non-API route
//! and `tv-sandbox --incidents` give the same list.

use std::process::Command;

use chrono::{DateTime, Utc};
use tv_sandbox::incidents::{IncidentKind, IncidentTruth, ground_truth};

use crate::http::common::{NOW, api, expect_error};

fn at(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).expect("a valid time")
}

/// Equal, factors to 1e-12 (serde_json's float parsing is not always the closest value).
fn assert_same(got: &[IncidentTruth], want: &[IncidentTruth]) {
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        let key = |i: &IncidentTruth| (i.app.clone(), i.kind, i.start, i.end, i.layer.clone());
        assert_eq!(key(g), key(w));
        assert!(
            (g.latency_factor - w.latency_factor).abs() < 1e-12,
            "{g:?} {w:?}"
        );
        assert!(
            (g.error_factor - w.error_factor).abs() < 1e-12,
            "{g:?} {w:?}"
        );
    }
}

#[tokio::test]
async fn route_and_command_agree_with_the_library() {
    let (from, to) = (NOW - 7 * 86_400, NOW);
    let truth = ground_truth(42, "web-shop", at(from), at(to));
    assert!(truth.iter().any(|i| i.kind == IncidentKind::Major));
    assert!(truth.iter().any(|i| i.kind == IncidentKind::Minor));

    let api = api().await;
    let url = format!(
        "{}/sandbox/incidents?app=web-shop&from={from}&to={to}&key=sandbox",
        api.sandbox.base_url().trim_end_matches("/api-v2")
    );
    let resp = api.http.get(&url).send().await.expect("an answer");
    assert_eq!(resp.status(), 200);
    let served: Vec<IncidentTruth> = resp.json().await.expect("JSON");
    assert_same(&served, &truth);

    // The default range is the day before the sandbox's now.
    let day = api
        .http
        .get(format!(
            "{}/sandbox/incidents?app=web-shop&key=sandbox",
            api.sandbox.base_url().trim_end_matches("/api-v2")
        ))
        .send()
        .await
        .expect("an answer");
    let day: Vec<IncidentTruth> = day.json().await.expect("JSON");
    assert_same(
        &day,
        &ground_truth(42, "web-shop", at(NOW - 86_400), at(NOW)),
    );

    let unknown = api
        .http
        .get(format!(
            "{}/sandbox/incidents?app=nope&key=sandbox",
            api.sandbox.base_url().trim_end_matches("/api-v2")
        ))
        .send()
        .await
        .expect("an answer");
    expect_error(unknown, 404).await;
    let reversed = api
        .http
        .get(format!(
            "{}/sandbox/incidents?app=web-shop&from={to}&to={from}&key=sandbox",
            api.sandbox.base_url().trim_end_matches("/api-v2")
        ))
        .send()
        .await
        .expect("an answer");
    assert!(expect_error(reversed, 400).await.contains("from"));
    // The whole epoch (once a 1.69 GB answer) is refused; 9999-12-31 is read as seconds.
    for (from, to) in [("0", "99999999999"), ("253402300000", "253402300799")] {
        let answer = api
            .http
            .get(format!(
                "{}/sandbox/incidents?app=web-shop&from={from}&to={to}&key=sandbox",
                api.sandbox.base_url().trim_end_matches("/api-v2")
            ))
            .send()
            .await
            .expect("an answer");
        if from == "0" {
            assert!(expect_error(answer, 400).await.contains("366 days"));
        } else {
            assert_eq!(answer.status(), 200, "from {from} to {to}");
        }
    }

    let out = Command::new(env!("CARGO_BIN_EXE_tv-sandbox"))
        .args(["--incidents", "web-shop", "--from", &from.to_string()])
        .args(["--to", "2024-01-03T12:00:00Z"])
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(0));
    let printed: Vec<IncidentTruth> = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_same(&printed, &truth);

    let out = Command::new(env!("CARGO_BIN_EXE_tv-sandbox"))
        .args(["--incidents", "no-such-app"])
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-app"));
}
