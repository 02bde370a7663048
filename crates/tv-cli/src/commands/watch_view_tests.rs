use chrono::TimeZone;

use super::*;

fn app(name: &str, volume: u64, average_us: Option<f64>, error_rate: Option<f64>) -> WatchRow {
    WatchRow {
        name: name.into(),
        kind: RowKind::App,
        volume,
        average_us,
        error_rate,
        share: None,
        trend_us: (0..120).map(|i| Some(1000.0 + f64::from(i))).collect(),
    }
}

fn frame(rows: Vec<WatchRow>) -> WatchFrame {
    WatchFrame {
        end: Utc.with_ymd_and_hms(2024, 1, 3, 12, 0, 0).unwrap(),
        app: None,
        rows,
        failed: vec!["broken-app: server error 503".into()],
    }
}

const PLAIN: ViewOptions = ViewOptions {
    width: 80,
    color: false,
};

#[test]
fn every_line_fits_80_columns_and_missing_traffic_is_said() {
    let long = "a-very-long-application-name-that-goes-on-and-on";
    let now = frame(vec![
        app("web-shop", 12_345, Some(182_000.0), Some(0.012)),
        app(long, 0, None, None),
    ]);
    let lines = draw(&now, None, "next refresh at 12:00:32", PLAIN);
    for line in &lines {
        assert!(
            line.chars().count() <= 80,
            "{} columns: {line}",
            line.chars().count()
        );
    }
    let text = lines.join("\n");
    assert!(text.contains("web-shop"), "{text}");
    assert!(text.contains("12.3k"), "{text}");
    assert!(text.contains("no traffic"), "{text}");
    assert!(text.contains("not fetched: broken-app"), "{text}");
    assert!(
        text.contains('▁') && text.contains('█'),
        "the sparkline: {text}"
    );
    assert!(!text.contains('↑') && !text.contains('\x1b'), "{text}");
}

#[test]
fn what_changed_since_the_refresh_before_is_marked() {
    let before = frame(vec![
        app("web-shop", 100, Some(100_000.0), Some(0.01)),
        app("billing", 50, Some(50_000.0), Some(0.02)),
    ]);
    let now = frame(vec![
        app("web-shop", 120, Some(150_000.0), Some(0.01)),
        app("billing", 50, Some(50_000.0), Some(0.01)),
    ]);
    let plain = draw(&now, Some(&before), "", PLAIN);
    let shop = plain.iter().find(|l| l.starts_with("web-shop")).unwrap();
    assert!(shop.contains('↑'), "{shop}");
    let billing = plain.iter().find(|l| l.starts_with("billing")).unwrap();
    assert!(billing.contains('↓') && !billing.contains('↑'), "{billing}");

    let colored = draw(
        &now,
        Some(&before),
        "",
        ViewOptions {
            width: 80,
            color: true,
        },
    );
    let shop = colored.iter().find(|l| l.starts_with("web-shop")).unwrap();
    assert!(shop.contains("\x1b[1m"), "{shop:?}");
    let unchanged = draw(
        &now,
        Some(&now),
        "",
        ViewOptions {
            width: 80,
            color: true,
        },
    );
    assert!(!unchanged.join("").contains("\x1b[1m"));
}

#[test]
fn server_names_cannot_drive_the_terminal_and_narrow_terminals_drop_the_trend() {
    let hostile = frame(vec![app("evil\x1b]0;pwned\x07app", 1, Some(1.0), None)]);
    let lines = draw(&hostile, None, "error: \x1b[2Jboom", PLAIN);
    assert!(!lines.join("\n").contains('\x1b'), "{lines:?}");
    let narrow = draw(
        &hostile,
        None,
        "",
        ViewOptions {
            width: 40,
            color: false,
        },
    );
    assert!(!narrow.join("").contains('█'), "{narrow:?}");
    for line in narrow {
        assert!(line.chars().count() <= 40, "{line}");
    }
}
