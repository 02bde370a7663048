//! Layer stacks: which layers an app has, in which role, and what a call into each costs.
//!
//! A stack is `[entry, framework, leaves...]` for generated apps and `[entry]` for apps
//! created through `assign_app`. Every request passes through the entry (web server) and
//! framework layers exactly once; leaves (databases, caches, outbound HTTP, queues) are
//! called by a share of the requests, possibly several times per request.
//!
//! All costs are *self* (exclusive) times: the time spent in the layer itself, not in the
//! layers it calls. A request's latency is the sum of its layers' self times, as in
//! TraceView's stacked by-layer chart.

use super::hash::{Stream, hash_str};

/// What a layer does in the request path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayerRole {
    /// The web server / entry layer: one call per request, a few ms of self time (the
    /// whole request for single-layer apps).
    Entry,
    /// The application framework: one call per request, the bulk of the app's CPU time
    /// (its self time excludes the leaves it calls).
    Framework,
    /// A database, cache, outbound HTTP client or queue: called by some requests,
    /// possibly several times.
    Leaf,
}

/// The language of an app's framework (decides layer and component names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// Ruby on Rails.
    Ruby,
    /// Python / Django.
    Python,
    /// PHP.
    Php,
    /// Java servlets.
    Java,
}

impl Language {
    /// The framework layer's name.
    pub fn framework_layer(self) -> &'static str {
        match self {
            Language::Ruby => "rails",
            Language::Python => "django",
            Language::Php => "PHP",
            Language::Java => "java_servlet",
        }
    }

    /// The name of the language instrumentation component (host versions).
    pub fn component(self) -> &'static str {
        match self {
            Language::Ruby => "ruby",
            Language::Python => "python",
            Language::Php => "php",
            Language::Java => "java",
        }
    }
}

/// The traffic constants of one layer of one app, fixed at catalog build time.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerProfile {
    /// The layer's name as the API shows it (`nginx`, `PHP`, `mysql`, `cURL`, ...).
    pub name: String,
    /// Its role in the request path.
    pub role: LayerRole,
    /// Hash salt for this layer's noise (derived from the name).
    pub(crate) salt: u64,
    /// Leaves: share of requests that call the layer; per-request layers: 1.
    pub(crate) coverage: f64,
    /// Leaves: mean calls per request that calls the layer (>= 1); per-request layers: 1.
    pub(crate) calls_per_touch: f64,
    /// Self (exclusive) microseconds per call; for per-request layers also per request.
    pub(crate) cost_us: f64,
}

impl LayerProfile {
    fn new(name: &str, role: LayerRole, coverage: f64, calls: f64, cost_us: f64) -> Self {
        Self {
            name: name.to_owned(),
            role,
            salt: hash_str(name),
            coverage,
            calls_per_touch: calls,
            cost_us,
        }
    }

    /// Whether every request passes through the layer exactly once.
    pub fn is_per_request(&self) -> bool {
        self.role != LayerRole::Leaf
    }
}

/// A kind of leaf layer and the ranges its constants are drawn from.
struct LeafKind {
    php_name: &'static str,
    name: &'static str,
    calls: (f64, f64),
    cost_us: (f64, f64),
    coverage: (f64, f64),
}

const LEAVES: &[LeafKind] = &[
    LeafKind {
        php_name: "php_mysqli",
        name: "mysql",
        calls: (2.0, 9.0),
        cost_us: (700.0, 5_000.0),
        coverage: (0.55, 0.95),
    },
    LeafKind {
        php_name: "php_pgsql",
        name: "postgresql",
        calls: (2.0, 7.0),
        cost_us: (900.0, 7_000.0),
        coverage: (0.5, 0.9),
    },
    LeafKind {
        php_name: "memcache",
        name: "memcache",
        calls: (3.0, 14.0),
        cost_us: (150.0, 900.0),
        coverage: (0.6, 0.98),
    },
    LeafKind {
        php_name: "redis",
        name: "redis",
        calls: (2.0, 10.0),
        cost_us: (100.0, 700.0),
        coverage: (0.5, 0.95),
    },
    LeafKind {
        php_name: "cURL",
        name: "http_client",
        calls: (1.0, 2.0),
        cost_us: (20_000.0, 150_000.0),
        coverage: (0.05, 0.3),
    },
    LeafKind {
        php_name: "php_mongo",
        name: "mongodb",
        calls: (1.0, 5.0),
        cost_us: (1_500.0, 9_000.0),
        coverage: (0.3, 0.8),
    },
    LeafKind {
        php_name: "elasticsearch",
        name: "elasticsearch",
        calls: (1.0, 2.0),
        cost_us: (5_000.0, 40_000.0),
        coverage: (0.1, 0.4),
    },
    LeafKind {
        php_name: "Cassandra:client",
        name: "Cassandra:client",
        calls: (1.0, 4.0),
        cost_us: (2_000.0, 12_000.0),
        coverage: (0.2, 0.6),
    },
    LeafKind {
        php_name: "file_get_contents",
        name: "rabbitmq",
        calls: (1.0, 1.5),
        cost_us: (500.0, 20_000.0),
        coverage: (0.05, 0.2),
    },
];

/// The most leaves a generated stack can have (so at most `2 + MAX_LEAVES` layers).
pub(crate) const MAX_LEAVES: usize = 8;

/// The most layers any app can have; slice buffers are sized by it.
pub(crate) const MAX_LAYERS: usize = 2 + MAX_LEAVES;

/// Entry (web server) layer names.
const ENTRY_LAYERS: &[&str] = &["nginx", "apache", "nginx", "lighttpd", "apache", "nginx"];

/// Draws a language for a generated app.
pub(crate) fn draw_language(rng: &mut Stream) -> Language {
    match rng.pick(4) {
        0 => Language::Ruby,
        1 => Language::Python,
        2 => Language::Php,
        _ => Language::Java,
    }
}

/// Builds a generated stack: entry, framework and `leaves` leaf layers (clamped to
/// `1..=MAX_LEAVES`). The first leaf is a database, the second a cache.
pub(crate) fn generate_stack(
    rng: &mut Stream,
    language: Language,
    leaves: usize,
) -> Vec<LayerProfile> {
    let leaves = leaves.clamp(1, MAX_LEAVES);
    let mut stack = Vec::with_capacity(2 + leaves);
    let entry = ENTRY_LAYERS[rng.pick(ENTRY_LAYERS.len())];
    stack.push(LayerProfile::new(
        entry,
        LayerRole::Entry,
        1.0,
        1.0,
        rng.between(1_000.0, 3_500.0),
    ));
    stack.push(LayerProfile::new(
        language.framework_layer(),
        LayerRole::Framework,
        1.0,
        1.0,
        rng.between(15_000.0, 120_000.0),
    ));
    // Order of preference: a primary database, a cache, then the rest shuffled.
    let mut order: Vec<usize> = Vec::with_capacity(LEAVES.len());
    order.push(if rng.chance(0.6) { 0 } else { 1 });
    order.push(if rng.chance(0.55) { 2 } else { 3 });
    let mut rest: Vec<usize> = (0..LEAVES.len()).filter(|i| !order.contains(i)).collect();
    while !rest.is_empty() {
        let k = rng.pick(rest.len());
        order.push(rest.swap_remove(k));
    }
    for &k in order.iter().take(leaves) {
        let kind = &LEAVES[k];
        let name = if language == Language::Php {
            kind.php_name
        } else {
            kind.name
        };
        stack.push(LayerProfile::new(
            name,
            LayerRole::Leaf,
            rng.between(kind.coverage.0, kind.coverage.1),
            rng.between(kind.calls.0, kind.calls.1),
            rng.between(kind.cost_us.0, kind.cost_us.1),
        ));
    }
    stack
}

/// The stack of an app created through `assign_app`: only the configured layer, which
/// then carries the whole request time.
pub(crate) fn single_layer_stack(rng: &mut Stream, layer: &str) -> Vec<LayerProfile> {
    vec![LayerProfile::new(
        layer,
        LayerRole::Entry,
        1.0,
        1.0,
        rng.between(30_000.0, 250_000.0),
    )]
}

/// The instrumentation component a host runs for a given entry layer, if any.
pub(crate) fn entry_component(layer: &str) -> Option<&'static str> {
    match layer {
        "nginx" => Some("nginx"),
        "apache" => Some("apache"),
        "lighttpd" => Some("lighttpd"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stacks_have_roles_in_order_and_unique_names() {
        for seed in 0..200u64 {
            let mut rng = Stream::new(seed, "stack");
            let language = draw_language(&mut rng);
            let leaves = 1 + (seed as usize % MAX_LEAVES);
            let stack = generate_stack(&mut rng, language, leaves);
            assert_eq!(stack.len(), 2 + leaves);
            assert_eq!(stack[0].role, LayerRole::Entry);
            assert_eq!(stack[1].role, LayerRole::Framework);
            assert!(stack[2..].iter().all(|l| l.role == LayerRole::Leaf));
            // Self times: a few ms in the web server, much more in the framework.
            assert!((1_000.0..=3_500.0).contains(&stack[0].cost_us));
            assert!(stack[1].cost_us > 4.0 * stack[0].cost_us);
            let mut names: Vec<&str> = stack.iter().map(|l| l.name.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), stack.len(), "duplicate layer in {stack:?}");
            for l in &stack[2..] {
                assert!(l.coverage > 0.0 && l.coverage <= 1.0);
                assert!(l.calls_per_touch >= 1.0);
                assert!(l.cost_us > 0.0);
            }
        }
    }

    #[test]
    fn ten_layer_stacks_exist() {
        let mut rng = Stream::new(1, "stack");
        let stack = generate_stack(&mut rng, Language::Php, MAX_LEAVES);
        assert_eq!(stack.len(), 10);
    }
}
