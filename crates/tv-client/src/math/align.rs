//! Joining two series slice by slice, by timestamp.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::points::Point;
use crate::series::Series;

/// How two series lined up when joined by timestamp. Which series is "first" and
/// which "second" is said by the function that returns it.
///
/// JSON: `{"matched": 118, "only_in_first": ["<RFC 3339>", …], "only_in_second": […]}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Alignment {
    /// Slices present in both series (the ones the result is computed from).
    pub matched: usize,
    /// Starts of the slices present only in the first series (left out).
    pub only_in_first: Vec<DateTime<Utc>>,
    /// Starts of the slices present only in the second series (left out).
    pub only_in_second: Vec<DateTime<Utc>>,
}

impl Alignment {
    /// Whether every slice found its partner.
    pub fn is_complete(&self) -> bool {
        self.only_in_first.is_empty() && self.only_in_second.is_empty()
    }
}

/// Merge-joins two sorted series on their timestamps.
pub(crate) fn join<'a, A: Point, B: Point>(
    first: &'a Series<A>,
    second: &'a Series<B>,
) -> (Vec<(&'a A, &'a B)>, Alignment) {
    let mut pairs = Vec::with_capacity(first.len().min(second.len()));
    let mut alignment = Alignment::default();
    let (mut a, mut b) = (first.iter().peekable(), second.iter().peekable());
    loop {
        match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => match x.at().cmp(&y.at()) {
                std::cmp::Ordering::Equal => {
                    pairs.push((*x, *y));
                    a.next();
                    b.next();
                }
                std::cmp::Ordering::Less => {
                    alignment.only_in_first.push(x.at());
                    a.next();
                }
                std::cmp::Ordering::Greater => {
                    alignment.only_in_second.push(y.at());
                    b.next();
                }
            },
            (Some(x), None) => {
                alignment.only_in_first.push(x.at());
                a.next();
            }
            (None, Some(y)) => {
                alignment.only_in_second.push(y.at());
                b.next();
            }
            (None, None) => break,
        }
    }
    alignment.matched = pairs.len();
    (pairs, alignment)
}
