use std::collections::BTreeSet;

use chrono::TimeDelta;
use proptest::prelude::*;

use super::*;
use crate::math::strategies::slot;
use crate::points::RequestsPoint;

/// A part holding `slots`, each tagged with the part's number (requests = tag·1000 + slot).
fn part(tag: u64, slots: impl IntoIterator<Item = i64>) -> Series<RequestsPoint> {
    Series::new(
        slots
            .into_iter()
            .map(|i| RequestsPoint {
                at: slot(i),
                requests: tag * 1000 + i as u64,
            })
            .collect(),
    )
    .unwrap()
    .with_window(TimeWindow::Hour)
}

fn range(a: i64, b: i64) -> TimeRange {
    TimeRange::new(slot(a), slot(b)).unwrap()
}

#[test]
fn overlapping_windows_later_part_wins() {
    let out = stitch(&[part(1, 0..5), part(2, 3..8)], Some(range(0, 8))).unwrap();
    let got: Vec<u64> = out.series.iter().map(|p| p.requests).collect();
    assert_eq!(got, [1000, 1001, 1002, 2003, 2004, 2005, 2006, 2007]);
    assert!(out.coverage.is_complete());
    assert_eq!(out.coverage.overlapping_dropped, 2);
    assert_eq!(out.coverage.covered, Some(range(0, 8)));
    assert_eq!(out.series.step(), Some(std::time::Duration::from_secs(30)));
}

#[test]
fn gaps_and_range_edges_are_reported() {
    let out = stitch(&[part(1, 2..4), part(2, 6..7)], Some(range(0, 10))).unwrap();
    assert_eq!(
        out.coverage.missing,
        [range(0, 2), range(4, 6), range(7, 10)]
    );
    assert_eq!(out.coverage.covered, Some(range(2, 7)));
    // Without a range: only the gaps between the slices.
    let out = stitch(&[part(1, 2..4), part(2, 6..7)], None).unwrap();
    assert_eq!(out.coverage.missing, [range(4, 6)]);
    // Slices outside the range are cut off; a slice straddling the start is kept.
    let mid = TimeRange::new(slot(3) + TimeDelta::seconds(10), slot(5)).unwrap();
    let out = stitch(&[part(1, 0..10)], Some(mid)).unwrap();
    assert_eq!(
        out.series.iter().map(|p| p.at).collect::<Vec<_>>(),
        [slot(3), slot(4)]
    );
    assert!(out.coverage.is_complete());
}

#[test]
fn shifted_grids_do_not_overlap() {
    let shifted = Series::new(
        (0..4)
            .map(|i| RequestsPoint {
                at: slot(i) + TimeDelta::seconds(15),
                requests: 2,
            })
            .collect(),
    )
    .unwrap();
    let out = stitch(&[part(1, 0..6), shifted], None).unwrap();
    let ats: Vec<_> = out.series.iter().map(|p| p.at).collect();
    assert!(
        ats.windows(2)
            .all(|w| w[1] - w[0] >= TimeDelta::seconds(30)),
        "{ats:?}"
    );
    // The later (shifted) part kept all 4 slices; slots 0..=4 clashed with them.
    assert_eq!(out.series.iter().filter(|p| p.requests == 2).count(), 4);
    assert_eq!(out.coverage.overlapping_dropped, 5);
}

#[test]
fn steps_must_agree_and_be_known() {
    let day = Series::new(vec![
        RequestsPoint {
            at: slot(0),
            requests: 1,
        },
        RequestsPoint {
            at: slot(30),
            requests: 1,
        },
    ])
    .unwrap()
    .with_window(TimeWindow::Day);
    let err = stitch(&[part(1, 0..3), day], None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid argument: cannot stitch series with different steps (30 s and 900 s)"
    );
    let lone = Series::new(vec![RequestsPoint {
        at: slot(0),
        requests: 1,
    }])
    .unwrap();
    assert!(stitch(std::slice::from_ref(&lone), None).is_err());
    // A lone point takes the step of the other parts.
    let out = stitch(&[part(1, 0..2), lone], None).unwrap();
    assert_eq!(out.series.len(), 2);
    // Nothing at all: the whole range is missing.
    let empty: [Series<RequestsPoint>; 0] = [];
    let out = stitch(&empty, Some(range(0, 2))).unwrap();
    assert_eq!(out.coverage.missing, [range(0, 2)]);
    assert_eq!(out.coverage.covered, None);
}

#[test]
fn planned_windows_cover_the_range() {
    let r = range(0, 200);
    let ends = window_ends(r, TimeWindow::Hour);
    assert_eq!(ends.len(), 2); // 200 slots of 30 s = 100 min
    assert_eq!(ends.last(), Some(&r.end));
    assert!(window_ends(range(3, 3), TimeWindow::Hour).is_empty());
    let exact = window_ends(range(0, 240), TimeWindow::Hour);
    assert_eq!(exact.len(), 2);
    assert_eq!(exact[0] - TimeDelta::hours(1), slot(0));
}

/// Windows covering 0..n: (start, end) pairs, consecutive, with random overlaps.
fn covering_windows() -> impl Strategy<Value = (i64, Vec<(i64, i64)>)> {
    (2i64..80).prop_flat_map(|n| {
        (
            Just(n),
            proptest::collection::btree_set(1..n, 0..6),
            proptest::collection::vec(0i64..4, 7),
        )
            .prop_map(|(n, cuts, overlaps)| {
                let starts: Vec<i64> = std::iter::once(0).chain(cuts).collect();
                let windows = starts
                    .iter()
                    .enumerate()
                    .map(|(i, &s)| {
                        let next = starts.get(i + 1).copied().unwrap_or(n);
                        (s, (next + overlaps[i]).min(n))
                    })
                    .collect();
                (n, windows)
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Windows that cover the range stitch into exactly one slice per step: no gap,
    /// no overlap, the latest part winning every overlap.
    #[test]
    fn covering_windows_stitch_without_gaps((n, windows) in covering_windows()) {
        let parts: Vec<_> = windows.iter().enumerate().map(|(t, &(a, b))| part(t as u64, a..b)).collect();
        let out = stitch(&parts, Some(range(0, n))).unwrap();
        prop_assert!(out.coverage.is_complete());
        prop_assert_eq!(out.series.len() as i64, n);
        prop_assert!(out.series.windows(2).all(|w| w[1].at - w[0].at == TimeDelta::seconds(30)));
        prop_assert_eq!(out.coverage.covered, Some(range(0, n)));
        let total: usize = parts.iter().map(|p| p.len()).sum();
        prop_assert_eq!(out.coverage.overlapping_dropped, total - n as usize);
        for p in out.series.iter() {
            let i = (p.at - slot(0)).num_seconds() / 30;
            let winner = windows.iter().rposition(|&(a, b)| a <= i && i < b).unwrap() as u64;
            prop_assert_eq!(p.requests, winner * 1000 + i as u64);
        }
    }

    /// With some windows lost, the missing intervals are exactly the uncovered slots.
    #[test]
    fn lost_windows_are_reported((n, windows) in covering_windows(), keep in proptest::collection::vec(any::<bool>(), 7)) {
        let kept: Vec<_> = windows.iter().zip(&keep).filter(|(_, k)| **k).map(|(w, _)| *w).collect();
        let parts: Vec<_> = kept.iter().enumerate().map(|(t, &(a, b))| part(t as u64, a..b)).collect();
        let out = stitch(&parts, Some(range(0, n))).unwrap();
        let present: BTreeSet<i64> = kept.iter().flat_map(|&(a, b)| a..b).collect();
        let mut want = Vec::new();
        let mut i = 0;
        while i < n {
            if present.contains(&i) { i += 1; continue; }
            let start = i;
            while i < n && !present.contains(&i) { i += 1; }
            want.push(range(start, i));
        }
        prop_assert_eq!(&out.coverage.missing, &want);
        prop_assert_eq!(out.series.len(), present.len());
    }
}
