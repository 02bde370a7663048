//! Terminal colors: the handful of ANSI styles the renderer uses, applied only when
//! color is on.

use anstyle::{AnsiColor, Style};

use super::Tone;

/// Table headers and titles.
pub(crate) const BOLD: Style = Style::new().bold();
/// Notes, empty tables, chart guides.
pub(crate) const DIM: Style = Style::new().dimmed();
/// Annotation markers on charts.
pub(crate) const MARKER: Style = AnsiColor::Yellow.on_default();

/// Colors of chart series, in order (repeating after the last).
const SERIES: [AnsiColor; 5] = [
    AnsiColor::Cyan,
    AnsiColor::Magenta,
    AnsiColor::Green,
    AnsiColor::Blue,
    AnsiColor::Red,
];

/// `text` wrapped in `style`'s escape codes when `color` is on, else `text` unchanged.
pub(crate) fn paint(text: &str, style: Style, color: bool) -> String {
    if color && style != Style::new() && !text.is_empty() {
        format!("{}{text}{}", style.render(), style.render_reset())
    } else {
        text.to_owned()
    }
}

/// The style of a table cell of the given tone.
pub(crate) fn tone(tone: Tone) -> Style {
    match tone {
        Tone::Plain => Style::new(),
        Tone::Good => AnsiColor::Green.on_default(),
        Tone::Warn => AnsiColor::Yellow.on_default(),
        Tone::Bad => AnsiColor::Red.on_default(),
        Tone::Dim => DIM,
    }
}

/// The style of the `index`-th chart series.
pub(crate) fn series(index: usize) -> Style {
    SERIES[index % SERIES.len()].on_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paint_only_when_asked() {
        assert_eq!(paint("x", BOLD, false), "x");
        assert_eq!(paint("x", BOLD, true), "\u{1b}[1mx\u{1b}[0m");
        assert_eq!(paint("x", tone(Tone::Bad), true), "\u{1b}[31mx\u{1b}[0m");
        assert_eq!(paint("x", tone(Tone::Plain), true), "x");
        assert_eq!(paint("", BOLD, true), "");
    }
}
