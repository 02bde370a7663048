use super::*;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn ok(seq: u64, latency: Duration) -> Sample {
    Sample {
        seq,
        latency,
        overloaded: false,
        failed: false,
    }
}

fn overload(seq: u64) -> Sample {
    Sample {
        seq,
        latency: ms(1000),
        overloaded: true,
        failed: false,
    }
}

/// One app started and completed in `latency`.
fn one(limiter: &mut Limiter, latency: Duration) {
    let seq = limiter.start();
    limiter.complete(ok(seq, latency));
}

fn adaptive(initial: usize, max: usize) -> Limiter {
    Limiter::new(Concurrency::Adaptive { initial, max })
}

#[test]
fn a_fixed_limit_never_moves() {
    let mut limiter = Limiter::new(Concurrency::Fixed(8));
    for _ in 0..50 {
        one(&mut limiter, ms(20));
    }
    let seq = limiter.start();
    limiter.complete(overload(seq));
    assert_eq!(limiter.limit(), 8);
    assert_eq!(Limiter::new(Concurrency::Fixed(0)).limit(), 1);
    assert_eq!(Limiter::new(7.into()).limit(), 7);
}

#[test]
fn the_default_starts_modest_and_is_capped() {
    let limiter = Limiter::new(Concurrency::default());
    assert_eq!(limiter.limit(), ADAPTIVE_INITIAL);
    assert_eq!(
        adaptive(40, 16).limit(),
        16,
        "the start is clamped to the cap"
    );
    assert_eq!(adaptive(0, 0).limit(), 1);
}

#[test]
fn latency_bound_fetches_grow_one_per_completion_up_to_the_cap() {
    let mut limiter = adaptive(4, 16);
    one(&mut limiter, ms(100));
    assert_eq!(limiter.limit(), 5);
    for _ in 0..3 {
        one(&mut limiter, ms(104));
    }
    assert_eq!(limiter.limit(), 8, "doubles over one round of 4");
    for _ in 0..100 {
        one(&mut limiter, ms(101));
    }
    assert_eq!(limiter.limit(), 16);
}

#[test]
fn queueing_stops_the_growth_and_walks_back_to_the_start() {
    let mut limiter = adaptive(4, 16);
    // Bound by the machine: an app takes as long as the apps in flight make it.
    for _ in 0..200 {
        let latency = ms(10 * limiter.limit() as u64);
        one(&mut limiter, latency);
    }
    let settled = limiter.limit();
    assert!((5..=12).contains(&settled), "settled at {settled}");
    // Now everything takes ten times as long: back down, but not below the start.
    for _ in 0..500 {
        one(&mut limiter, ms(400));
    }
    assert_eq!(limiter.limit(), 4);
}

#[test]
fn an_overload_halves_once_per_round_then_grows_by_one_per_round() {
    let mut limiter = adaptive(4, 16);
    for _ in 0..20 {
        one(&mut limiter, ms(50));
    }
    assert_eq!(limiter.limit(), 16);
    // 16 apps in flight all see the same 429: one decrease, not sixteen.
    let in_flight: Vec<u64> = (0..16).map(|_| limiter.start()).collect();
    for &seq in &in_flight {
        limiter.complete(overload(seq));
    }
    assert_eq!(limiter.limit(), 8);
    // An app started after the decrease that sees another overload halves again.
    let later = limiter.start();
    limiter.complete(overload(later));
    assert_eq!(limiter.limit(), 4);
    // Above the new threshold the growth is one app per round of completions.
    for _ in 0..4 {
        one(&mut limiter, ms(50));
    }
    assert_eq!(limiter.limit(), 4, "not yet a whole app more: {limiter:?}");
    for _ in 0..2 {
        one(&mut limiter, ms(50));
    }
    assert_eq!(limiter.limit(), 5);
}

#[test]
fn overloads_go_below_the_start_but_never_below_one() {
    let mut limiter = adaptive(4, 16);
    for _ in 0..10 {
        let seq = limiter.start();
        limiter.complete(overload(seq));
    }
    assert_eq!(limiter.limit(), 1);
    // Then back up by about one app per round (additive, not doubling again).
    one(&mut limiter, ms(5000));
    assert_eq!(limiter.limit(), 2);
    let mut last = 2;
    for _ in 0..10 {
        one(&mut limiter, ms(5000));
        assert!(limiter.limit() <= last + 1);
        last = limiter.limit();
    }
    assert!((3..=5).contains(&last), "{limiter:?}");
    // Queueing later takes it back to the start at most, never below.
    for _ in 0..100 {
        one(&mut limiter, ms(60_000));
    }
    assert_eq!(limiter.limit(), last.min(4));
}

#[test]
fn failures_say_nothing_about_load() {
    let mut limiter = adaptive(4, 16);
    for _ in 0..10 {
        let seq = limiter.start();
        limiter.complete(Sample {
            failed: true,
            ..ok(seq, ms(1))
        });
    }
    assert_eq!(limiter.limit(), 4);
}
