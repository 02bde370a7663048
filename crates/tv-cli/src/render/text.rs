//! Text measured in terminal columns: display width, truncation with `…`, padding, and
//! the removal of control characters (so data from the network cannot move the cursor
//! or change colors).

use std::borrow::Cow;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The mark that ends truncated text.
pub(crate) const ELLIPSIS: char = '…';

/// `s` with every terminal escape sequence removed and every other control character
/// replaced by a space: tv-client's one cleaner of untrusted text
/// ([`tv_client::redact::printable`], which also drops the 8-bit C1 sequences), under
/// the name the render layer uses.
pub(crate) use tv_client::redact::printable as sanitize;

/// Text from a server for one line of stderr: [`sanitize`]d and cut to at most `max`
/// characters (ending in `…` when cut).
pub(crate) fn clean_line(s: &str, max: usize) -> String {
    let clean = sanitize(s);
    if clean.chars().count() <= max {
        return clean.into_owned();
    }
    let mut cut: String = clean.chars().take(max.saturating_sub(1)).collect();
    cut.push(ELLIPSIS);
    cut
}

/// The number of terminal columns `s` takes.
pub(crate) fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// The last `max` columns of `s` (the newest slices of a sparkline).
pub(crate) fn keep_end(s: &str, max: usize) -> Cow<'_, str> {
    if width(s) <= max {
        return Cow::Borrowed(s);
    }
    let mut used = 0;
    let mut start = s.len();
    for (i, c) in s.char_indices().rev() {
        let w = UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > max {
            break;
        }
        used += w;
        start = i;
    }
    Cow::Owned(s[start..].to_string())
}

/// `s` broken into lines of at most `max` terminal columns, at spaces (a word longer
/// than a line is cut into pieces that fit). Lines keep no trailing spaces; an empty
/// `s` is one empty line.
pub(crate) fn wrap(s: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    if width(s) <= max {
        return vec![s.trim_end().to_string()];
    }
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in s.split(' ').filter(|w| !w.is_empty()) {
        let need = if line.is_empty() { 0 } else { 1 } + width(word);
        if !line.is_empty() && width(&line) + need > max {
            lines.push(std::mem::take(&mut line));
        }
        if width(word) > max {
            // A word wider than a line: as many pieces as it takes.
            let mut piece = String::new();
            for c in word.chars() {
                if width(&piece) + c.width().unwrap_or(0) > max && !piece.is_empty() {
                    lines.push(std::mem::take(&mut piece));
                }
                piece.push(c);
            }
            line = piece;
            continue;
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
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
        assert_eq!(sanitize("a\tb\nc\u{1b}[31mred"), "a b cred");
        assert_eq!(
            sanitize("x\u{1b}]0;title\u{7}y\u{1b}]52;c;Zm9v\u{1b}\\z"),
            "xyz"
        );
        // The 8-bit CSI starts a sequence (dropped with it), as in tv-client's cleaner.
        assert_eq!(sanitize("bell\u{7}\rcr\u{9b}"), "bell  cr");
        assert_eq!(clean_line(&"é".repeat(10), 4), "ééé…");
        assert_eq!(keep_end("▁▂▃▄▅", 2), "▄▅");
    }

    #[test]
    fn wrap_breaks_at_spaces_within_the_width() {
        assert_eq!(wrap("a bb ccc dddd", 6), ["a bb", "ccc", "dddd"]);
        assert_eq!(wrap("short", 80), ["short"]);
        assert_eq!(wrap("", 10), [""]);
        assert_eq!(wrap("abcdefgh ij", 3), ["abc", "def", "gh", "ij"]);
        assert!(
            wrap("Δ avg: against the window before", 10)
                .iter()
                .all(|l| width(l) <= 10)
        );
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
