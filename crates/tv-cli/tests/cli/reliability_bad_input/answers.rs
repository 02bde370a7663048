//! The table of odd answers: each ends in one clear line and the documented exit code.

use super::*;

#[test]
fn odd_answers_end_in_one_clear_line_and_the_documented_exit_code() {
    let huge_page = format!(
        "<html><body><h1>502 Bad Gateway</h1>{}</body></html>",
        "<p>upstream exploded</p>".repeat(1_400_000)
    );
    let huge_junk = format!(
        r#"{{"data": [{}0], "response": "ok"}}"#,
        "0,".repeat(8_000_000)
    );
    let cases = [
        Case {
            name: "an HTML error page from a proxy",
            route: SUMMARY,
            response: html_body(
                502,
                "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>",
            ),
            args: SUMMARY_ARGS,
            code: Exit::Runtime.code(),
            says: &["HTTP 502", "Bad Gateway"],
        },
        Case {
            name: "an HTML 403 page",
            route: SUMMARY,
            response: html_body(403, "<html><body>Forbidden</body></html>"),
            args: SUMMARY_ARGS,
            code: Exit::Config.code(),
            says: &["key"],
        },
        Case {
            name: "a 200 whose envelope says error",
            route: SUMMARY,
            response: json_body(
                200,
                r#"{"data": "internal failure: boom", "response": "error"}"#,
            ),
            args: SUMMARY_ARGS,
            code: Exit::Runtime.code(),
            says: &["boom"],
        },
        Case {
            name: "truncated JSON",
            route: SUMMARY,
            response: json_body(200, r#"{"data": {"count": 12, "average": 1"#),
            args: SUMMARY_ARGS,
            code: Exit::Runtime.code(),
            says: &["decode"],
        },
        Case {
            name: "an empty 200",
            route: SUMMARY,
            response: json_body(200, ""),
            args: SUMMARY_ARGS,
            code: Exit::Runtime.code(),
            says: &["decode"],
        },
        Case {
            name: "plain text instead of JSON",
            route: SUMMARY,
            response: ResponseTemplate::new(200).set_body_raw("OK", "text/plain"),
            args: SUMMARY_ARGS,
            code: Exit::Runtime.code(),
            says: &[],
        },
        Case {
            name: "a wrong field type",
            route: SUMMARY,
            response: json_body(
                200,
                r#"{"data": {"count": "many", "average": 1.0, "latest": 2.0}, "response": "ok"}"#,
            ),
            args: SUMMARY_ARGS,
            code: Exit::Runtime.code(),
            says: &["data.count"],
        },
        Case {
            name: "a series row of the wrong width",
            route: SERIES,
            response: json_body(
                200,
                r#"{"data": {"fields": "timestamp,volume,avg_latency", "items": [[1704283200, 3, 100.0], [1704283230, 4]]}, "response": "ok"}"#,
            ),
            args: SERIES_ARGS,
            code: Exit::Runtime.code(),
            says: &["data.items[1]", "length 3"],
        },
        Case {
            name: "a series without its latency column",
            route: SERIES,
            response: json_body(
                200,
                r#"{"data": {"fields": "timestamp,volume", "items": [[1704283200, 3]]}, "response": "ok"}"#,
            ),
            args: SERIES_ARGS,
            code: Exit::Runtime.code(),
            says: &["data.fields", "avg_latency"],
        },
        Case {
            name: "a negative count in a layer",
            route: BY_LAYER,
            response: json_body(
                200,
                r#"{"data": [{"layer": "nginx", "timeseries": {"fields": "timestamp,volume,avg_latency", "items": [[1704283200, -3, 100.0]]}}], "response": "ok"}"#,
            ),
            args: BY_LAYER_ARGS,
            code: Exit::Runtime.code(),
            says: &["data[0].timeseries.items[0][1]", "negative"],
        },
        Case {
            name: "a 32 MB error page",
            route: SUMMARY,
            response: html_body(502, &huge_page),
            args: SUMMARY_ARGS,
            code: Exit::Runtime.code(),
            says: &["HTTP 502"],
        },
        Case {
            name: "16 MB of the wrong JSON",
            route: SUMMARY,
            response: json_body(200, &huge_junk),
            args: SUMMARY_ARGS,
            code: Exit::Runtime.code(),
            says: &["decode", "data"],
        },
        Case {
            name: "an answer slower than --timeout",
            route: SUMMARY,
            response: json_body(200, r#"{"data": {"count": 1}, "response": "ok"}"#)
                .set_delay(Duration::from_secs(30)),
            args: &[
                "--timeout",
                "500ms",
                "--attempts",
                "1",
                "latency",
                "summary",
                "web-shop",
            ],
            code: Exit::Runtime.code(),
            says: &["timed out", "--timeout"],
        },
    ];
    for case in cases {
        let mock = Mocked::new(vec![get(case.route, case.response)]);
        let outcome = tv_at(&mock.base_url(), case.args);
        assert_fails(case.name, &outcome, case.code, case.says);
        assert!(
            outcome.elapsed < Duration::from_secs(10),
            "{}: took {:?}",
            case.name,
            outcome.elapsed
        );
        assert!(
            !mock.paths().iter().any(|p| p == "/"),
            "{}: unexpected request",
            case.name
        );
    }
}
