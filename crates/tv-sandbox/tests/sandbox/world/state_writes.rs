//! The write rules: `assign_app`, `log_message`, host and app deletion, and that every
//! write is visible in every later read.

use tv_sandbox::{
    AnnotationRange, AssignApp, Clock, HostId, LogMessage, SeriesQuery, Side, World, WorldError,
};

const NOW: i64 = tv_sandbox::server::FROZEN_NOW;

fn world() -> World {
    World::in_memory(42, 6, Clock::Frozen(NOW))
}

fn assign(app: &str, host: &str) -> AssignApp {
    AssignApp {
        appname: Some(app.to_owned()),
        hostname: Some(host.to_owned()),
        ..AssignApp::default()
    }
}

fn message(text: &str) -> LogMessage {
    LogMessage {
        message: Some(text.to_owned()),
        ..LogMessage::default()
    }
}

fn bad_request_naming(result: Result<impl std::fmt::Debug, WorldError>, param: &str) {
    match result {
        Err(WorldError::BadRequest(m)) => assert!(m.contains(param), "{m:?} does not name {param}"),
        other => panic!("expected a 400 naming {param}, got {other:?}"),
    }
}

#[test]
fn assign_app_rules() {
    let w = world();
    bad_request_naming(w.assign_app(&AssignApp::default()), "appname");
    bad_request_naming(
        w.assign_app(&AssignApp {
            appname: Some("web-shop".into()),
            ..AssignApp::default()
        }),
        "hostname",
    );
    bad_request_naming(w.assign_app(&assign("Default", "h1")), "appname");
    bad_request_naming(w.assign_app(&assign(&"x".repeat(41), "h1")), "appname");
    // A name no URL path can carry (the parser resolves `.` and `..`) is never created.
    for unaddressable in [".", ".."] {
        bad_request_naming(
            w.assign_app(&AssignApp {
                create: true,
                layer: Some("nginx".into()),
                ..assign(unaddressable, "h1")
            }),
            "appname",
        );
    }
    bad_request_naming(
        w.assign_app(&AssignApp {
            tags: Some("development, staging".into()),
            ..assign("web-shop", "h1")
        }),
        "tags",
    );
    // Unknown app without create: not found; with create but no layer: 400 naming layer.
    assert!(matches!(
        w.assign_app(&assign("new-app", "h1")),
        Err(WorldError::NotFound(_))
    ));
    bad_request_naming(
        w.assign_app(&AssignApp {
            create: true,
            ..assign("new-app", "h1")
        }),
        "layer",
    );
    // Nothing of the above changed anything.
    let v = w.view();
    assert_eq!(v.apps().len(), 6);
    assert_eq!(v.hosts().len(), w.catalog().hosts().len());
}

#[test]
fn assign_app_creates_apps_and_hosts_and_moves_hosts() {
    let w = world();
    w.assign_app(&AssignApp {
        layer: Some("nginx".into()),
        tags: Some("development,staging".into()),
        create: true,
        ..assign("TEST_APP_ABC123", "test.example.com")
    })
    .unwrap();
    let v = w.view();
    assert_eq!(v.apps().last(), Some(&"TEST_APP_ABC123"));
    let app = v.app("TEST_APP_ABC123").unwrap();
    assert_eq!(app.id.0, 7);
    // Created now: no history, so no layer has been seen yet.
    assert!(v.layers("TEST_APP_ABC123", None).unwrap().is_empty());
    assert_eq!(app.layers()[0].name, "nginx");
    assert_eq!(
        v.app_tags("TEST_APP_ABC123").unwrap(),
        vec!["development", "staging"]
    );
    let hosts = v.app_hosts("TEST_APP_ABC123").unwrap();
    assert_eq!(hosts.len(), 1);
    let new_host = hosts[0];
    assert_eq!(new_host.name, "test.example.com");
    assert_eq!(new_host.last_trace, None);
    assert!(!v.host_versions(new_host.id).unwrap().is_empty());
    // Never-traced hosts come last in the global list.
    assert_eq!(v.hosts().last().map(|h| h.last_trace), Some(None));
    let q = SeriesQuery::default();
    let series = v
        .latency_series("TEST_APP_ABC123", Side::Server, &q)
        .unwrap();
    assert_eq!(series.points.len(), 120);

    // An existing app with a layer needs only appname + hostname; an existing host moves.
    let moving = v.app_hosts("web-shop").unwrap()[0];
    w.assign_app(&assign("TEST_APP_ABC123", moving.name))
        .unwrap();
    let v = w.view();
    assert!(
        v.app_hosts("web-shop")
            .unwrap()
            .iter()
            .all(|h| h.id != moving.id)
    );
    assert!(
        v.app_hosts("TEST_APP_ABC123")
            .unwrap()
            .iter()
            .any(|h| h.id == moving.id)
    );
    assert_eq!(v.hosts().len(), w.catalog().hosts().len() + 1);
    // `create` on an existing app just assigns.
    w.assign_app(&AssignApp {
        create: true,
        ..assign("billing-api", "brand-new-host")
    })
    .unwrap();
    assert_eq!(
        w.view()
            .app_hosts("billing-api")
            .unwrap()
            .iter()
            .filter(|h| h.name == "brand-new-host")
            .count(),
        1
    );
}

#[test]
fn log_message_rules_and_listing() {
    let w = world();
    bad_request_naming(w.log_message(&LogMessage::default()), "message");
    bad_request_naming(w.log_message(&message("")), "message");
    assert!(matches!(
        w.log_message(&LogMessage {
            appname: Some("nope".into()),
            ..message("x")
        }),
        Err(WorldError::NotFound(_))
    ));
    let before = w.view().annotations(AnnotationRange::default()).len();
    let id = w
        .log_message(&LogMessage {
            appname: Some("web-shop".into()),
            hostname: Some("deploy-host".into()),
            username: Some("dan".into()),
            layer: Some("nginx".into()),
            ..message("Code deployed")
        })
        .unwrap();
    let old = w
        .log_message(&LogMessage {
            time: Some(NOW - 10 * 86_400),
            ..message("ancient")
        })
        .unwrap();
    let plain = w.log_message(&message("test annotation")).unwrap();
    assert!(plain > old && old > id);
    let v = w.view();
    let list = v.annotations(AnnotationRange::default());
    assert_eq!(
        list.len(),
        before + 2,
        "the 10-day-old one is outside the default week"
    );
    assert!(
        list.windows(2)
            .all(|p| (p[0].time, p[0].id) >= (p[1].time, p[1].id))
    );
    let newest = list[0];
    assert!(newest.id == id || newest.id == plain);
    let ours = list.iter().find(|a| a.id == id).unwrap();
    assert_eq!(ours.app, Some(v.app("web-shop").unwrap().id));
    assert_eq!(ours.host.as_deref(), Some("deploy-host"));
    assert_eq!(ours.username.as_deref(), Some("dan"));
    assert_eq!(ours.time, NOW);
    let none = list.iter().find(|a| a.id == plain).unwrap();
    assert_eq!(
        (none.app, none.host.as_deref(), none.username.as_deref()),
        (None, None, None)
    );
    let range = AnnotationRange {
        start: Some(NOW - 11 * 86_400),
        end: Some(NOW - 9 * 86_400),
    };
    assert!(v.annotations(range).iter().any(|a| a.id == old));
    let app_list = v
        .app_annotations("web-shop", AnnotationRange::default())
        .unwrap();
    assert!(app_list.iter().any(|a| a.id == id));
    assert!(
        app_list
            .iter()
            .all(|a| a.app == Some(v.app("web-shop").unwrap().id))
    );
    assert!(matches!(
        v.app_annotations("nope", range),
        Err(WorldError::NotFound(_))
    ));
}

#[test]
fn deleted_hosts_disappear_everywhere() {
    let w = world();
    let v = w.view();
    let traced = v
        .hosts()
        .into_iter()
        .find(|h| h.last_trace.is_some_and(|t| t > NOW - 3_600))
        .unwrap();
    let used = v.licenses().hosts_used;
    let app = v.app_by_id(traced.app).unwrap().name.clone();
    w.delete_host(traced.id).unwrap();
    let v = w.view();
    assert!(v.hosts().iter().all(|h| h.id != traced.id));
    assert!(v.app_hosts(&app).unwrap().iter().all(|h| h.id != traced.id));
    assert_eq!(v.licenses().hosts_used, used - 1);
    let err = v.host_versions(traced.id).unwrap_err();
    assert_eq!(
        err,
        WorldError::NotFound(format!("No host found with ID {}", traced.id))
    );
    assert_eq!(
        w.delete_host(HostId(123_456_789)),
        Err(WorldError::NotFound(
            "No host found with ID 123456789".into()
        ))
    );
    assert!(matches!(
        w.delete_host(traced.id),
        Err(WorldError::NotFound(_))
    ));
    // A created host can be deleted too, and its name reused afterwards.
    w.assign_app(&assign("web-shop", "temp-host")).unwrap();
    let temp = w
        .view()
        .hosts()
        .into_iter()
        .find(|h| h.name == "temp-host")
        .unwrap()
        .id;
    w.delete_host(temp).unwrap();
    assert!(w.view().hosts().iter().all(|h| h.name != "temp-host"));
    w.assign_app(&assign("web-shop", "temp-host")).unwrap();
    let again = w
        .view()
        .hosts()
        .into_iter()
        .find(|h| h.name == "temp-host")
        .unwrap()
        .id;
    assert_ne!(again, temp);
}

#[test]
fn deleted_apps_disappear_everywhere() {
    let w = world();
    bad_request_naming(w.delete_app("Default"), "Default");
    assert!(matches!(w.delete_app("nope"), Err(WorldError::NotFound(_))));
    let v = w.view();
    let id = v.app("billing-api").unwrap().id;
    let hosts: Vec<HostId> = v
        .app_hosts("billing-api")
        .unwrap()
        .iter()
        .map(|h| h.id)
        .collect();
    assert!(!hosts.is_empty());
    w.log_message(&LogMessage {
        appname: Some("billing-api".into()),
        ..message("about billing")
    })
    .unwrap();
    w.delete_app("billing-api").unwrap();
    let v = w.view();
    assert!(!v.apps().contains(&"billing-api"));
    let q = SeriesQuery::default();
    assert!(matches!(v.app("billing-api"), Err(WorldError::NotFound(_))));
    assert!(matches!(
        v.layers("billing-api", None),
        Err(WorldError::NotFound(_))
    ));
    assert!(matches!(
        v.app_hosts("billing-api"),
        Err(WorldError::NotFound(_))
    ));
    assert!(matches!(
        v.latency_series("billing-api", Side::Server, &q),
        Err(WorldError::NotFound(_))
    ));
    assert!(matches!(
        v.by_layer("billing-api", &q),
        Err(WorldError::NotFound(_))
    ));
    assert!(matches!(
        v.total_requests_summary("billing-api", &q),
        Err(WorldError::NotFound(_))
    ));
    assert!(matches!(
        v.error_rate_series("billing-api", &q),
        Err(WorldError::NotFound(_))
    ));
    let default_hosts = v.app_hosts("Default").unwrap();
    assert!(
        hosts
            .iter()
            .all(|h| default_hosts.iter().any(|d| d.id == *h)),
        "hosts move to Default"
    );
    assert!(
        v.annotations(AnnotationRange::default())
            .iter()
            .all(|a| a.app != Some(id))
    );
    assert!(matches!(
        w.delete_app("billing-api"),
        Err(WorldError::NotFound(_))
    ));
    assert!(matches!(
        w.assign_app(&assign("billing-api", "x")),
        Err(WorldError::NotFound(_))
    ));
    // Re-creating the name gives a new app with a new id.
    w.assign_app(&AssignApp {
        create: true,
        layer: Some("apache".into()),
        ..assign("billing-api", "x")
    })
    .unwrap();
    let v = w.view();
    assert_ne!(v.app("billing-api").unwrap().id, id);
    assert_eq!(v.app("billing-api").unwrap().layers()[0].name, "apache");
    // Deleting a created app works the same way.
    w.delete_app("billing-api").unwrap();
    assert!(!w.view().apps().contains(&"billing-api"));
}

/// The per-app lists and the license count read indexes; after any writes they list
/// exactly what filtering every host and annotation would.
#[test]
fn per_app_lists_agree_with_the_whole_lists_after_writes() {
    let w = World::in_memory(42, 60, Clock::Frozen(NOW));
    let before = w.view();
    let hosts = before.hosts();
    let apps: Vec<String> = w.view().apps().iter().map(|a| (*a).to_owned()).collect();
    // Move seeded hosts around (one back to where it came from), delete some, create
    // hosts and an app, delete an app, log annotations.
    w.assign_app(&assign(&apps[3], hosts[0].name)).unwrap();
    w.assign_app(&assign(&apps[4], hosts[1].name)).unwrap();
    w.assign_app(&assign(&apps[5], hosts[1].name)).unwrap();
    let home = w.view().app_by_id(hosts[2].app).unwrap().name.clone();
    w.assign_app(&assign(&apps[3], hosts[2].name)).unwrap();
    w.assign_app(&assign(&home, hosts[2].name)).unwrap();
    w.delete_host(hosts[3].id).unwrap();
    w.delete_host(hosts[4].id).unwrap();
    w.assign_app(&assign(&apps[3], "brand-new-host")).unwrap();
    w.assign_app(&AssignApp {
        layer: Some("rack".into()),
        create: true,
        ..assign("created-app", "another-new-host")
    })
    .unwrap();
    w.delete_app(&apps[7]).unwrap();
    for (i, app) in ["created-app", &apps[3], &apps[9]].into_iter().enumerate() {
        w.log_message(&LogMessage {
            appname: Some(app.to_owned()),
            time: Some(NOW - 3_600 * i as i64),
            ..message("deploy")
        })
        .unwrap();
    }
    w.log_message(&message("org-wide")).unwrap();

    let view = w.view();
    let all_hosts = view.hosts();
    let range = AnnotationRange::default(); // the last 7 days
    let all_annotations = view.annotations(range);
    for app in view.apps() {
        let id = view.app(app).unwrap().id;
        let expected: Vec<_> = all_hosts.iter().filter(|h| h.app == id).copied().collect();
        assert_eq!(view.app_hosts(app).unwrap(), expected, "{app}");
        let expected: Vec<_> = all_annotations
            .iter()
            .filter(|a| a.app == Some(id))
            .copied()
            .collect();
        assert_eq!(view.app_annotations(app, range).unwrap(), expected, "{app}");
    }
    assert!(view.app_hosts(&apps[3]).unwrap().len() >= 2);
    let since = NOW - 86_400;
    let traced = all_hosts
        .iter()
        .filter(|h| h.last_trace.is_some_and(|t| t >= since))
        .count();
    assert_eq!(view.licenses().hosts_used, traced as u64);
    // A range reaching past both ends, and one that is empty.
    let everything = AnnotationRange {
        start: Some(0),
        end: Some(NOW + 86_400),
    };
    assert!(view.annotations(everything).len() > all_annotations.len());
    let nothing = AnnotationRange {
        start: Some(NOW + 10),
        end: Some(NOW + 5),
    };
    assert!(view.annotations(nothing).is_empty());
}
