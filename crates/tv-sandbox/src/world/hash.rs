//! Small, fast, deterministic hashing: the only source of "randomness" in the world.
//!
//! Everything the sandbox makes up is a pure function of the seed and of names, ids and
//! times, mixed with [`mix`] (the SplitMix64 finalizer). No `rand`, no global state, no
//! dependence on the platform: the same seed gives the same world everywhere.

/// The SplitMix64 increment ("golden gamma").
const GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// The SplitMix64 output function: a bijective, well-avalanching 64-bit mixer.
#[inline]
pub(crate) const fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Hashes two words into one (order matters).
#[inline]
pub(crate) const fn combine(a: u64, b: u64) -> u64 {
    mix(a.wrapping_add(GAMMA) ^ mix(b.wrapping_add(GAMMA.wrapping_mul(2))))
}

/// Hashes a string (FNV-1a over the bytes, then mixed).
pub(crate) fn hash_str(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    mix(h)
}

/// Maps a hash to a float uniformly distributed in `[0, 1)`.
#[inline]
pub(crate) fn unit(h: u64) -> f64 {
    // 53 high bits -> exact f64 in [0, 1).
    (h >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Maps a hash to a float uniformly distributed in `[lo, hi)`.
#[inline]
pub(crate) fn between(h: u64, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * unit(h)
}

/// Picks an index in `0..n` from a hash (`n` must be non-zero; 0 is returned otherwise).
#[inline]
pub(crate) fn pick(h: u64, n: usize) -> usize {
    if n == 0 {
        return 0;
    }
    // Lemire's multiply-shift reduction: unbiased enough for n << 2^64.
    ((u128::from(h) * n as u128) >> 64) as usize
}

/// A tiny deterministic stream of hashes, for generating catalog content in sequence.
#[derive(Debug, Clone)]
pub(crate) struct Stream {
    state: u64,
}

impl Stream {
    /// A stream derived from a seed and a purpose label (so streams do not collide).
    pub(crate) fn new(seed: u64, label: &str) -> Self {
        Self {
            state: combine(seed, hash_str(label)),
        }
    }

    /// The next 64-bit value (SplitMix64).
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GAMMA);
        mix(self.state)
    }

    /// The next float in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        unit(self.next_u64())
    }

    /// The next float in `[lo, hi)`.
    pub(crate) fn between(&mut self, lo: f64, hi: f64) -> f64 {
        between(self.next_u64(), lo, hi)
    }

    /// The next index in `0..n`.
    pub(crate) fn pick(&mut self, n: usize) -> usize {
        pick(self.next_u64(), n)
    }

    /// An integer in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        lo + pick(self.next_u64(), (hi - lo + 1) as usize) as u64
    }

    /// `true` with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_reference_vectors() {
        // SplitMix64 seeded with 0 (reference implementation by Vigna).
        let mut state = 0u64;
        let mut next = || {
            state = state.wrapping_add(GAMMA);
            mix(state)
        };
        assert_eq!(next(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(next(), 0x6e78_9e6a_a1b9_65f4);
        assert_eq!(next(), 0x06c4_5d18_8009_454f);
    }

    #[test]
    fn unit_stays_in_range() {
        assert_eq!(unit(0), 0.0);
        assert!(unit(u64::MAX) < 1.0);
        for i in 0..10_000u64 {
            let u = unit(mix(i));
            assert!((0.0..1.0).contains(&u));
        }
    }

    #[test]
    fn unit_is_roughly_uniform() {
        let n = 20_000u64;
        let mean: f64 = (0..n).map(|i| unit(mix(i))).sum::<f64>() / n as f64;
        assert!((mean - 0.5).abs() < 0.01, "mean {mean}");
    }

    #[test]
    fn pick_stays_in_range_and_covers() {
        let mut seen = [false; 7];
        for i in 0..1000u64 {
            let k = pick(mix(i), 7);
            seen[k] = true;
        }
        assert!(seen.iter().all(|s| *s));
        assert_eq!(pick(123, 0), 0);
    }

    #[test]
    fn combine_is_order_sensitive_and_strings_differ() {
        assert_ne!(combine(1, 2), combine(2, 1));
        assert_ne!(hash_str("web-shop"), hash_str("web-shoq"));
        assert_eq!(hash_str("nginx"), hash_str("nginx"));
    }

    #[test]
    fn streams_are_deterministic_and_labelled() {
        let a: Vec<u64> = {
            let mut s = Stream::new(7, "apps");
            (0..5).map(|_| s.next_u64()).collect()
        };
        let b: Vec<u64> = {
            let mut s = Stream::new(7, "apps");
            (0..5).map(|_| s.next_u64()).collect()
        };
        let c: Vec<u64> = {
            let mut s = Stream::new(7, "hosts");
            (0..5).map(|_| s.next_u64()).collect()
        };
        assert_eq!(a, b);
        assert_ne!(a, c);
        let mut s = Stream::new(1, "r");
        for _ in 0..1000 {
            let v = s.range(3, 5);
            assert!((3..=5).contains(&v));
        }
    }
}
