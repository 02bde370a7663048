//! Static vocabularies the catalog draws from: app, user and organization names,
//! controllers, actions, browsers, regions, host metrics, URL paths.

/// Named apps, in catalog order after `Default`; past the end they repeat with a number.
pub(crate) const APP_NAMES: &[&str] = &[
    "web-shop",
    "billing-api",
    "search-service",
    "auth-gateway",
    "admin-portal",
    "inventory",
    "mobile-backend",
    "reporting",
    "checkout",
    "notifications",
    "media-store",
    "blog",
    "partner-api",
    "analytics-collector",
    "user-profiles",
    "recommendations",
    "support-desk",
    "pricing-engine",
    "order-tracking",
    "cms",
];

/// Organizations: (name, fullname).
pub(crate) const ORGANIZATIONS: &[(&str, &str)] = &[
    ("example", "the example organization"),
    ("acme", "Acme Corporation"),
    ("globex", "Globex Inc."),
    ("initech", "Initech Software"),
    ("umbrella", "Umbrella Retail Group"),
    ("hooli", "Hooli XYZ"),
];

/// Given names for users.
pub(crate) const FIRST_NAMES: &[&str] = &[
    "Jane", "John", "Maria", "Wei", "Amara", "Lukas", "Priya", "Diego", "Sofia", "Kenji", "Fatima",
    "Oliver", "Ines", "Noah", "Aisha", "Mateo",
];

/// Family names for users.
pub(crate) const LAST_NAMES: &[&str] = &[
    "Doe", "Smith", "Garcia", "Chen", "Okafor", "Muller", "Patel", "Rossi", "Tanaka", "Haddad",
    "Novak", "Silva", "Kowalski", "Dubois", "Nguyen", "Larsen",
];

/// Code controllers (global discovery list; each app uses a subset).
pub(crate) const CONTROLLERS: &[&str] = &[
    "admin",
    "products",
    "blog",
    "settings",
    "logout",
    "users",
    "orders",
    "cart",
    "checkout",
    "search",
    "sessions",
    "reports",
    "invoices",
    "accounts",
    "dashboard",
    "payments",
];

/// Code actions (global discovery list; each app uses a subset).
pub(crate) const ACTIONS: &[&str] = &[
    "index", "show", "create", "update", "destroy", "new", "edit", "login", "search", "export",
    "list", "upload",
];

/// End-user browser families (RUM) with their world-wide base share of page views.
pub(crate) const BROWSERS: &[(&str, f64)] = &[
    ("Chrome", 0.44),
    ("Safari", 0.18),
    ("Mobile Safari", 0.12),
    ("Firefox", 0.09),
    ("Edge", 0.07),
    ("Android Browser", 0.04),
    ("Internet Explorer", 0.03),
    ("Opera", 0.02),
    ("Links", 0.0008),
    ("Wii", 0.0004),
];

/// ISO 3166-1 countries with their base share of page views.
pub(crate) const COUNTRIES: &[(&str, f64)] = &[
    ("US", 0.34),
    ("GB", 0.08),
    ("DE", 0.07),
    ("CA", 0.06),
    ("FR", 0.05),
    ("IN", 0.05),
    ("BR", 0.04),
    ("JP", 0.04),
    ("AU", 0.03),
    ("NL", 0.03),
    ("ES", 0.025),
    ("IT", 0.025),
    ("MX", 0.02),
    ("SE", 0.015),
    ("PL", 0.015),
    ("KR", 0.015),
    ("RU", 0.01),
    ("ZA", 0.01),
    ("SG", 0.01),
    ("AR", 0.008),
    ("NG", 0.006),
    ("NZ", 0.005),
];

/// ISO 3166-2 subdivisions (US and Canada only) with their share within the country.
pub(crate) const SUBDIVISIONS: &[(&str, f64)] = &[
    ("US-CA", 0.16),
    ("US-TX", 0.10),
    ("US-NY", 0.09),
    ("US-FL", 0.07),
    ("US-WA", 0.05),
    ("US-IL", 0.05),
    ("US-MA", 0.04),
    ("US-OR", 0.02),
    ("US-RI", 0.005),
    ("CA-ON", 0.40),
    ("CA-QC", 0.22),
    ("CA-BC", 0.16),
    ("CA-AB", 0.12),
    ("CA-NS", 0.03),
];

/// Host metric names.
pub(crate) const METRICS: &[&str] = &[
    "cpu_user_frac:all",
    "cpu_system_frac:all",
    "load",
    "mem_apps",
    "mem_cached",
    "mem_swap",
    "mem_totalused",
    "disk_read_bytes",
    "disk_write_bytes",
    "net_rx_bytes",
    "net_tx_bytes",
];

/// URL path templates: `{}` is replaced by a small number.
pub(crate) const URL_PATHS: &[&str] = &[
    "/",
    "/login",
    "/logout",
    "/search",
    "/products",
    "/products/{}",
    "/cart",
    "/checkout",
    "/orders/{}",
    "/account/settings",
    "/api/v1/orders",
    "/api/v1/items/{}",
    "/api/v2/status",
    "/admin/reports",
    "/blog/{}",
    "/static/app.js",
    "/health",
    "/invoices/{}.pdf",
];

/// Annotation messages for seeded deploys (`{app}` and `{v}` are filled in).
pub(crate) const DEPLOY_MESSAGES: &[&str] = &[
    "Code deployed",
    "Deployed {app} v{v}",
    "Deploy {app} {v} to production",
    "Rolled back {app} to v{v}",
    "Config change: raised worker pool for {app}",
    "Database migration for {app} v{v}",
    "Hotfix {v} for {app}",
];
