//! Text measured in terminal columns: display width, truncation with `…`, padding, and
//! the removal of control characters (so data from the network cannot move the cursor
//! or change colors).

use std::borrow::Cow;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The mark that ends truncated text.
pub(crate) const ELLIPSIS: char = '…';

/// `s` with every control character (newlines, tabs, escape sequences…) replaced by a
/// space.
pub(crate) fn sanitize(s: &str) -> Cow<'_, str> {
    if s.chars().any(char::is_control) {
        Cow::Owned(
            s.chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect(),
        )
    } else {
        Cow::Borrowed(s)
    }
}

/// The number of terminal columns `s` takes.
pub(crate) fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` cut to at most `max` columns, ending in `…` when anything was cut.
pub(crate) fn truncate(s: &str, max: usize) -> Cow<'_, str> {
    if width(s) <= max {
        return Cow::Borrowed(s);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let budget = max - 1; // room for the ellipsis
    let mut used = 0;
    let mut kept = String::new();
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > budget {
            break;
        }
        used += w;
        kept.push(c);
    }
    kept.push(ELLIPSIS);
    Cow::Owned(kept)
}

/// Spaces to add after (or before) `s` so it takes `target` columns.
pub(crate) fn padding(s: &str, target: usize) -> String {
    " ".repeat(target.saturating_sub(width(s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_replaces_control_characters() {
        assert_eq!(sanitize("plain"), "plain");
        assert_eq!(sanitize("a\tb\nc\u{1b}[31m"), "a b c [31m");
    }

    #[test]
    fn truncate_counts_columns_not_bytes() {
        assert_eq!(truncate("checkout", 8), "checkout");
        assert_eq!(truncate("checkout", 5), "chec…");
        assert_eq!(truncate("checkout", 1), "…");
        assert_eq!(truncate("checkout", 0), "");
        assert_eq!(truncate("µs-ünï", 4), "µs-…");
        // A wide character that does not fit is dropped whole.
        assert_eq!(truncate("日本語", 4), "日…");
        assert_eq!(width(&truncate("日本語", 4)), 3);
    }

    #[test]
    fn padding_fills_to_the_target() {
        assert_eq!(padding("ab", 5), "   ");
        assert_eq!(padding("abcdef", 5), "");
        assert_eq!(padding("日本", 5), " ");
    }
}
