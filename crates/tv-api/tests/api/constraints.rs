//! The spec's string rules as the generated types apply them: every pattern compiles (the
//! generated code builds each regex on first use) and accepts and refuses what the
//! spec's descriptions say, the same way the sandbox does.

use std::str::FromStr;

use tv_api::types::{
    AssignableAppName, ErrorRateSeriesEnvelope, HostName, LatencySeriesEnvelope, LayerName,
    MessageText, Tags, TimeEndValue,
};

fn accepts<T: FromStr>(values: &[&str]) -> Vec<String> {
    values
        .iter()
        .filter(|v| v.parse::<T>().is_err())
        .map(|v| format!("{v:?}"))
        .collect()
}

fn refuses<T: FromStr>(values: &[&str]) -> Vec<String> {
    values
        .iter()
        .filter(|v| v.parse::<T>().is_ok())
        .map(|v| format!("{v:?}"))
        .collect()
}

#[test]
fn host_and_app_names() {
    let long_host = "h".repeat(255);
    let too_long_host = "h".repeat(256);
    assert_eq!(
        accepts::<HostName>(&["web-1", "ip-127-0-0-1", " web 1 ", "ü ñ 日本", &long_host]),
        Vec::<String>::new()
    );
    assert_eq!(
        refuses::<HostName>(&[
            "",
            "   ",
            "web\t1",
            "web\n",
            "a\u{7f}b",
            "a\u{85}b",
            &too_long_host
        ]),
        Vec::<String>::new()
    );
    let forty = "a".repeat(40);
    let forty_one = "a".repeat(41);
    assert_eq!(
        accepts::<AssignableAppName>(&["shop 2", &forty]),
        Vec::<String>::new()
    );
    assert_eq!(
        refuses::<AssignableAppName>(&["", " ", "a\u{1b}b", &forty_one]),
        Vec::<String>::new()
    );
}

#[test]
fn layers_tags_and_messages() {
    assert_eq!(
        accepts::<LayerName>(&["", "nginx", "Cassandra:client"]),
        Vec::<String>::new()
    );
    assert_eq!(
        refuses::<LayerName>(&["php\tfpm", &"l".repeat(101)]),
        Vec::<String>::new()
    );
    assert_eq!(
        accepts::<Tags>(&["", "development,staging", "a,,b", "  "]),
        Vec::<String>::new()
    );
    assert_eq!(
        refuses::<Tags>(&["dev, staging", "a\tb", "x "]),
        Vec::<String>::new()
    );
    assert_eq!(
        accepts::<MessageText>(&["Code deployed", " x "]),
        Vec::<String>::new()
    );
    assert_eq!(refuses::<MessageText>(&["", " \t\n"]), Vec::<String>::new());
}

#[test]
fn time_end_values() {
    assert_eq!(
        accepts::<TimeEndValue>(&[
            "0",
            "1353259590",
            "1704283200000",
            "1704283200.5",
            "99999999999999",
            "2024-01-03",
            "2024-01-03T12:00:00",
            "2024-01-03T12:00:00Z",
            "2024-01-03T12:00:00.123+01:00",
            "2024-01-03 12:00:00.5",
            "2024-01-31",
            "2024-04-30",
        ]),
        Vec::<String>::new()
    );
    assert_eq!(
        refuses::<TimeEndValue>(&[
            "",
            "tomorrow",
            "-1",
            "1e9",
            "999999999999999",
            "1970-01-01",
            "9999-12-31",
            "2024-02-30",
            "2024-04-31",
            "2024-13-01",
            "2024-01-03T24:00:00",
            "2024-01-03 12:00:00Z",
            "2024-01-03T12:00",
        ]),
        Vec::<String>::new()
    );
}

#[test]
fn series_headers_and_row_widths_are_per_operation() {
    let latency = r#"{"data": {"fields": "timestamp,volume,avg_latency", "items": [[1, 2, null]]}, "response": "ok"}"#;
    assert!(serde_json::from_str::<LatencySeriesEnvelope>(latency).is_ok());
    // Another operation's header, or a row of another width, is not this operation's answer.
    let rate_header =
        r#"{"data": {"fields": "timestamp,error_rate", "items": []}, "response": "ok"}"#;
    assert!(serde_json::from_str::<LatencySeriesEnvelope>(rate_header).is_err());
    assert!(serde_json::from_str::<ErrorRateSeriesEnvelope>(rate_header).is_ok());
    let wide =
        r#"{"data": {"fields": "timestamp,error_rate", "items": [[1, 0.5, 3]]}, "response": "ok"}"#;
    assert!(serde_json::from_str::<ErrorRateSeriesEnvelope>(wide).is_err());
}
