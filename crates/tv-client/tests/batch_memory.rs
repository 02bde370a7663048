//! `tv annotate --from-file` reads within bounded memory, whatever the input: its own
//! test binary, because it counts every allocation with a global allocator.
//!
//! Before the file was streamed, 20 MB of bad lines took 3.55 GB and `/dev/zero` was
//! killed by the OOM killer; here each input must stay under a few MiB of peak heap.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{self, BufReader, Read};
use std::sync::atomic::{AtomicUsize, Ordering};

use tv_client::batch::{self, FileFormat, KEPT_ERRORS, Limits};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; only counts are
// added around it.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
            PEAK.fetch_max(live, Ordering::SeqCst);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(pointer, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// `pattern` repeated until `total` bytes (forever when `None`), produced on the fly.
struct Repeat {
    pattern: &'static [u8],
    at: usize,
    left: Option<u64>,
}

impl Read for Repeat {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut n = 0;
        while n < buf.len() && self.left != Some(0) {
            let rest = &self.pattern[self.at..];
            let mut take = rest.len().min(buf.len() - n);
            if let Some(left) = self.left {
                take = take.min(usize::try_from(left).unwrap_or(usize::MAX));
                self.left = Some(left - take as u64);
            }
            buf[n..n + take].copy_from_slice(&rest[..take]);
            self.at = (self.at + take) % self.pattern.len();
            n += take;
        }
        Ok(n)
    }
}

/// The peak heap growth, in bytes, while reading `input`, and the result.
fn peak_while_reading(
    input: Repeat,
    format: FileFormat,
    limits: &Limits,
) -> (usize, Result<Vec<batch::BatchLine>, batch::InvalidFile>) {
    let before = LIVE.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    let result = batch::read(BufReader::new(input), format, limits);
    (PEAK.load(Ordering::SeqCst) - before, result)
}

const MIB: usize = 1024 * 1024;

#[test]
fn every_input_is_read_in_bounded_memory() {
    let roomy = Limits {
        max_file_bytes: 64 * MIB as u64,
        ..Limits::default()
    };
    // 20 MB of bad NDJSON lines: the first 100 are kept, the rest counted.
    let bad_lines = Repeat {
        pattern: b"{\"mesage\": \"a typo in the field name\"}\nnot json at all\n",
        at: 0,
        left: Some(20_000_000),
    };
    let (peak, result) = peak_while_reading(bad_lines, FileFormat::Ndjson, &roomy);
    let invalid = result.unwrap_err();
    assert_eq!(invalid.errors.len(), KEPT_ERRORS);
    assert!(
        invalid.omitted > 500_000,
        "{} bad lines counted",
        invalid.omitted
    );
    assert!(
        invalid.to_string().starts_with("line 1, field `mesage`"),
        "{invalid}"
    );
    assert!(peak < 4 * MIB, "20 MB of bad lines peaked at {peak} bytes");

    // 20 MB of bad CSV rows (a field too many).
    let bad_rows = Repeat {
        pattern: b"deploy,web-shop,extra\n",
        at: 0,
        left: Some(20_000_000),
    };
    let csv = Repeat {
        pattern: b"message,app\n",
        at: 0,
        left: Some(12),
    }
    .chain(bad_rows);
    let before = LIVE.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    let invalid = batch::read(BufReader::new(csv), FileFormat::Csv, &roomy).unwrap_err();
    let peak = PEAK.load(Ordering::SeqCst) - before;
    assert_eq!(invalid.errors.len(), KEPT_ERRORS);
    assert!(
        peak < 4 * MIB,
        "20 MB of bad CSV rows peaked at {peak} bytes"
    );

    // /dev/zero: one endless line, stopped at the line cap.
    let zeros = Repeat {
        pattern: b"\0",
        at: 0,
        left: None,
    };
    let (peak, result) = peak_while_reading(zeros, FileFormat::Ndjson, &Limits::default());
    let invalid = result.unwrap_err();
    assert_eq!(invalid.errors.len(), 1);
    assert!(
        invalid.to_string().contains("longer than 65536 bytes"),
        "{invalid}"
    );
    assert!(peak < MIB, "/dev/zero peaked at {peak} bytes");

    // An endless stream of blank lines, stopped at the file cap.
    let blank = Repeat {
        pattern: b"  \n",
        at: 0,
        left: None,
    };
    let (peak, result) = peak_while_reading(blank, FileFormat::Ndjson, &Limits::default());
    let invalid = result.unwrap_err();
    assert!(
        invalid.to_string().contains("larger than 16777216 bytes"),
        "{invalid}"
    );
    assert!(peak < MIB, "endless blank lines peaked at {peak} bytes");

    // An endless stream of annotations, stopped at the count cap.
    let endless = Repeat {
        pattern: b"{\"message\": \"x\"}\n",
        at: 0,
        left: None,
    };
    let (peak, result) = peak_while_reading(endless, FileFormat::Ndjson, &Limits::default());
    let invalid = result.unwrap_err();
    assert!(
        invalid.to_string().contains("more than 100000 annotations"),
        "{invalid}"
    );
    assert!(peak < 64 * MIB, "an endless stream peaked at {peak} bytes");

    // One 100 MB line is never an annotation.
    let huge = Repeat {
        pattern: b"{\"message\": \"",
        at: 0,
        left: Some(13),
    }
    .chain(Repeat {
        pattern: b"a",
        at: 0,
        left: Some(100_000_000),
    });
    let before = LIVE.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    let invalid = batch::read(BufReader::new(huge), FileFormat::Ndjson, &roomy).unwrap_err();
    assert!(
        invalid.to_string().starts_with("line 1: longer than"),
        "{invalid}"
    );
    assert!(PEAK.load(Ordering::SeqCst) - before < MIB);
}
