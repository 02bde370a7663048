//! What Linux's `/proc` tells about a running process: its CPU time per thread and its
//! peak resident set.

use std::collections::HashMap;

use anyhow::{Context, Result, anyhow, ensure};

/// The CPU time of each thread of a process at one moment, nanoseconds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CpuSnapshot {
    /// Thread id → time on a CPU (`/proc/PID/task/TID/schedstat`, first field); or, where
    /// schedstat is missing, the whole process under [`WHOLE`] (`utime + stime`).
    threads: HashMap<u64, u64>,
}

/// The key of the whole process's `utime + stime` when schedstat is missing.
const WHOLE: u64 = u64::MAX;

impl CpuSnapshot {
    /// The threads of `pid` now.
    pub fn of(pid: u32) -> Result<CpuSnapshot> {
        let tasks = format!("/proc/{pid}/task");
        let mut threads = HashMap::new();
        let entries = std::fs::read_dir(&tasks).with_context(|| format!("cannot list {tasks}"))?;
        for entry in entries.flatten() {
            let Some(tid) = entry.file_name().to_str().and_then(|t| t.parse().ok()) else {
                continue;
            };
            // A thread may end between listing and reading: then it is not counted.
            if let Ok(text) = std::fs::read_to_string(entry.path().join("schedstat"))
                && let Some(ns) = text.split_whitespace().next().and_then(|n| n.parse().ok())
            {
                threads.insert(tid, ns);
            }
        }
        if threads.is_empty() {
            threads.insert(WHOLE, whole_process_ns(pid)?);
        }
        Ok(CpuSnapshot { threads })
    }

    /// CPU seconds spent from `self` to `later`: per thread, its growth (a thread that
    /// began meanwhile counts whole; one that ended meanwhile is lost, which only
    /// happens to the idle threads of a blocking pool).
    pub fn seconds_until(&self, later: &CpuSnapshot) -> f64 {
        let ns: u64 = later
            .threads
            .iter()
            .map(|(tid, &after)| after.saturating_sub(self.threads.get(tid).copied().unwrap_or(0)))
            .sum();
        ns as f64 / 1e9
    }
}

/// `utime + stime` of `/proc/PID/stat` in nanoseconds (clock ticks, usually 10 ms).
fn whole_process_ns(pid: u32) -> Result<u64> {
    let path = format!("/proc/{pid}/stat");
    let stat = std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
    let ticks = stat_cpu_ticks(&stat).ok_or_else(|| anyhow!("{path} has no utime/stime"))?;
    // SAFETY: sysconf only reads a configuration value.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    ensure!(per_second > 0, "sysconf(_SC_CLK_TCK) failed");
    Ok(ticks * 1_000_000_000 / per_second.unsigned_abs())
}

/// The peak resident set of `pid` so far, in KiB (`VmHWM` of `/proc/PID/status`).
pub fn peak_rss_kib(pid: u32) -> Result<u64> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
    status_kib(&status, "VmHWM:").ok_or_else(|| anyhow!("{path} has no VmHWM"))
}

/// `utime + stime` (fields 14 and 15) of a `/proc/PID/stat` line; the command name in
/// parentheses may hold spaces and parentheses, so fields are counted after the last `)`.
fn stat_cpu_ticks(stat: &str) -> Option<u64> {
    let (_, rest) = stat.rsplit_once(')')?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3 (the state).
    let utime: u64 = fields.get(14 - 3)?.parse().ok()?;
    let stime: u64 = fields.get(15 - 3)?.parse().ok()?;
    Some(utime + stime)
}

/// The `kB` value of `key` in a `/proc/PID/status` text.
fn status_kib(status: &str, key: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))?
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_files_are_parsed() {
        let stat = "4242 (tv (sand) box) S 1 4242 4242 0 -1 4194560 900 0 0 0 345 80 0 0 20 0 9";
        assert_eq!(stat_cpu_ticks(stat), Some(425));
        assert_eq!(stat_cpu_ticks("4242 (x) S 1"), None);
        let status = "Name:\ttv-sandbox\nVmPeak:\t  900 kB\nVmHWM:\t   56880 kB\n";
        assert_eq!(status_kib(status, "VmHWM:"), Some(56_880));
        assert_eq!(status_kib(status, "VmRSS:"), None);
    }

    #[test]
    fn cpu_is_counted_per_thread() {
        let before = CpuSnapshot {
            threads: HashMap::from([(1, 1_000_000_000), (2, 500_000_000), (3, 7)]),
        };
        // Thread 1 grew by 0.5 s, 2 by nothing, 3 ended, 4 began with 0.25 s.
        let after = CpuSnapshot {
            threads: HashMap::from([(1, 1_500_000_000), (2, 500_000_000), (4, 250_000_000)]),
        };
        assert!((before.seconds_until(&after) - 0.75).abs() < 1e-12);
    }

    #[test]
    fn this_process_is_read() {
        let pid = std::process::id();
        let before = CpuSnapshot::of(pid).unwrap();
        // Busy for 50 ms of wall time: some CPU time shows, even in 10 ms ticks.
        let started = std::time::Instant::now();
        let mut x = 0u64;
        while started.elapsed() < std::time::Duration::from_millis(50) {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(1));
        }
        let after = CpuSnapshot::of(pid).unwrap();
        assert!(before.seconds_until(&after) > 0.0);
        assert!(peak_rss_kib(pid).unwrap() > 0);
        let own = std::fs::read_to_string("/proc/self/stat").unwrap();
        assert!(stat_cpu_ticks(&own).is_some(), "{own}");
    }
}
