//! Open311 GeoReport v2 rules (`linli_core::open311`): who manages keys,
//! services, the status mapping, datetimes in community time, what a
//! request shows (nothing private), filters, POST fields, ids, XML.
use linli_core::demo::LogBuilder;
use linli_core::model::*;
use linli_core::op::OpKind;
use linli_core::open311::{self as o, RequestStatus, codes};
use linli_core::reduce::{Outcome, VoidReason};
use linli_core::{Hlc, MemberId, Op, OpId, WishId};

const T0: u64 = 1_700_000_000_000; // 2023-11-14T22:13:20Z

fn pairs(s: &[(&str, &str)]) -> Vec<(String, String)> {
    s.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A community with a coordinator c1, a volunteer v1, a resident r1 and an
/// Open311 key's identity `key` (a kiosk-role member), building 3号楼.
fn community() -> LogBuilder {
    let mut b = LogBuilder::community(
        T0,
        &["一网格"],
        &[
            ("v1", Role::Volunteer, &[]),
            ("r1", Role::Resident, &[]),
            ("c2", Role::Coordinator, &[]),
            ("c3", Role::Coordinator, &[]),
        ],
    );
    let (_, out) = b.push(
        "c1",
        OpKind::UpdateCommunity {
            name: None,
            grids: None,
            buildings: Some(vec!["3号楼".into()]),
        },
    );
    assert_eq!(out, Outcome::Applied);
    let (_, out) = b.push("c1", o::identity_op("key".into(), "12345 热线"));
    assert_eq!(out, Outcome::Applied);
    b
}

/// File through the key as the endpoint does (its own device, a seq from
/// `filing_id`).
fn post(
    b: &mut LogBuilder,
    fields: &[(&str, &str)],
    idem: Option<&str>,
    rnd: u64,
) -> (WishId, Outcome) {
    let f = o::filing(&pairs(fields), b.state.community.as_ref()).expect("valid filing");
    let (wish, seq) = o::filing_id("k1", idem, rnd);
    let op = Op::new(
        OpId::new(o::filing_device("k1"), seq),
        "key",
        Hlc::at(b.now()),
        f.op(wish.clone()),
    );
    (wish, b.append(op))
}

#[test]
fn only_active_coordinators_manage_keys() {
    let mut b = community();
    let s = &b.state;
    assert!(o::may_manage_keys(s, &"c1".into()));
    for m in ["v1", "r1", "key", "nobody"] {
        assert!(!o::may_manage_keys(s, &m.into()), "{m}");
    }
    // Demoted or removed: no longer.
    b.push(
        "c1",
        OpKind::SetRole {
            member: "c2".into(),
            role: Role::Volunteer,
        },
    );
    assert!(!o::may_manage_keys(&b.state, &"c2".into()));
    let (_, out) = b.push(
        "c1",
        OpKind::RemoveMember {
            member: "c3".into(),
        },
    );
    assert_eq!(out, Outcome::Applied);
    assert!(!o::may_manage_keys(&b.state, &"c3".into()));
    assert!(o::may_manage_keys(&b.state, &"c1".into()));
}

#[test]
fn key_names() {
    assert_eq!(o::key_name("  12345 热线 ").unwrap(), "12345 热线");
    assert_eq!(o::key_name("   "), Err("key_name_empty"));
    assert_eq!(o::key_name(&"热".repeat(41)), Err("key_name_too_long"));
    assert!(o::key_name(&"热".repeat(40)).is_ok());
    assert_eq!(o::key_name("a\u{7}b"), Err("key_name_control"));
}

#[test]
fn services_are_the_categories() {
    let s = o::services();
    assert_eq!(s.len(), Category::ALL.len());
    for (svc, c) in s.iter().zip(Category::ALL) {
        assert_eq!(o::category(&svc.service_code), Some(c));
        assert!(!svc.metadata);
        assert_eq!(svc.kind, "realtime");
        assert!(!svc.service_name.is_empty());
    }
    assert_eq!(o::category("repair"), Some(Category::Repair));
    assert_eq!(o::category("nope"), None);
}

#[test]
fn lifecycle_maps_to_open_and_closed() {
    use Status::*;
    for s in [
        Submitted, Published, Assigned, Claimed, InProgress, Completed, Reopened, Escalated,
    ] {
        assert_eq!(o::request_status(s), RequestStatus::Open, "{s:?}");
    }
    for s in [Closed, Rejected, Merged, Cancelled] {
        assert_eq!(o::request_status(s), RequestStatus::Closed, "{s:?}");
    }
}

#[test]
fn datetimes_in_community_time() {
    assert_eq!(o::datetime(T0, 480), "2023-11-15T06:13:20+08:00");
    assert_eq!(o::datetime(T0, 0), "2023-11-14T22:13:20+00:00");
    assert_eq!(o::datetime(T0, -330), "2023-11-14T16:43:20-05:30");
    // Round trips, in every form the spec's clients send.
    for off in [480, 0, -330, 345] {
        assert_eq!(o::parse_datetime(&o::datetime(T0, off), off), Some(T0));
        assert_eq!(o::parse_datetime(&o::datetime(T0, off), 0), Some(T0));
    }
    assert_eq!(o::parse_datetime("2023-11-14T22:13:20Z", 480), Some(T0));
    assert_eq!(o::parse_datetime("2023-11-14T22:13:20.999Z", 480), Some(T0));
    assert_eq!(o::parse_datetime("2023-11-15T06:13:20+0800", 0), Some(T0));
    // No zone: community time.
    assert_eq!(o::parse_datetime("2023-11-15T06:13:20", 480), Some(T0));
    assert_eq!(
        o::parse_datetime("2023-11-15T06:13", 480),
        Some(T0 - 20_000)
    );
    // A date alone: midnight in community time.
    assert_eq!(
        o::parse_datetime("2010-01-01", 480),
        Some(1_262_304_000_000 - 8 * 3_600_000)
    );
    for bad in [
        "",
        "yesterday",
        "2023-02-29",
        "2023-13-01T00:00:00Z",
        "2023-11-15T24:00:00Z",
        "2023-11-15T06:13:20+08",
        "2023-11-15T06:13:20Zjunk",
        "2023-11-15T06:13:20.Z",
        "1969-12-31T00:00:00Z",
        "２０２３-11-15",
    ] {
        assert_eq!(o::parse_datetime(bad, 480), None, "{bad:?}");
    }
}

#[test]
fn a_post_files_a_city_wish_and_keeps_contacts_out_of_the_log() {
    let mut b = community();
    let (wish, out) = post(
        &mut b,
        &[
            ("service_code", "repair"),
            ("description", "楼道灯不亮\n3号楼2单元，晚上很黑"),
            ("address_id", "3号楼"),
            ("address_string", "长寿路 100 弄 3 号 201 室"),
            ("lat", "31.24"),
            ("long", "121.43"),
            ("first_name", "小明"),
            ("last_name", "王"),
            ("phone", "13800000000"),
            ("email", "wang@example.com"),
            ("attribute[x]", "ignored"),
        ],
        None,
        7,
    );
    assert_eq!(out, Outcome::Applied);
    let w = &b.state.wishes[&wish];
    assert_eq!(w.channel, Channel::City);
    assert_eq!(w.created_by, MemberId::from("key"));
    assert_eq!(o::filer(w, &b.state).as_deref(), Some("12345 热线"));
    assert_eq!(w.title, "楼道灯不亮");
    assert_eq!(w.place.building.as_deref(), Some("3号楼"));
    assert_eq!(w.requester, None);
    let log = serde_json::to_string(&b.log).unwrap();
    for private in ["13800000000", "wang@example.com", "201 室", "小明", "31.24"] {
        assert!(!log.contains(private), "{private} in the log");
    }
    let f = o::filing(
        &pairs(&[
            ("service_code", "repair"),
            ("address_string", "长寿路 100 弄 3 号 201 室"),
            ("lat", "31.24"),
            ("long", "121.43"),
            ("first_name", "小明"),
            ("last_name", "王"),
            ("phone", "13800000000"),
            ("email", "wang@example.com"),
        ]),
        b.state.community.as_ref(),
    )
    .unwrap();
    assert_eq!(f.contact.name, "王小明");
    assert_eq!(
        f.contact.address,
        "长寿路 100 弄 3 号 201 室 (31.24, 121.43)"
    );
    assert_eq!(f.title, "维修", "no description: the service's name");
    assert!(f.has_contact());
    // The response shows nothing private.
    let r = o::request(w, b.state.community.as_ref());
    let shown = serde_json::to_string(&r).unwrap();
    for private in ["13800000000", "wang@example.com", "201 室", "小明", "31.24"] {
        assert!(!shown.contains(private), "{private} shown");
    }
    assert_eq!(r.status, "open");
    assert_eq!(r.address, "3号楼");
    assert_eq!(r.address_id.as_deref(), Some("3号楼"));
    assert_eq!(r.agency_responsible, "长寿路社区");
    assert_eq!(r.lat, None);
}

#[test]
fn only_the_endpoint_identity_files_on_the_city_channel_and_names_no_requester() {
    let mut b = community();
    let create = |channel, requester: Option<&str>| OpKind::CreateWish {
        wish: "w9".into(),
        category: Category::Repair,
        title: "灯".into(),
        description: String::new(),
        place: Place::default(),
        urgency: Urgency::Normal,
        window: None,
        channel,
        requester: requester.map(MemberId::from),
    };
    for who in ["v1", "r1"] {
        let (_, out) = b.push(who, create(Channel::City, None));
        assert_eq!(out, Outcome::Void(VoidReason::Forbidden), "{who}");
    }
    let (_, out) = b.push("key", create(Channel::City, Some("r1")));
    assert_eq!(out, Outcome::Void(VoidReason::Forbidden));
    let (_, out) = b.push("key", create(Channel::City, None));
    assert_eq!(out, Outcome::Applied);
}

#[test]
fn bad_posts_have_stable_codes() {
    let b = community();
    let c = b.state.community.as_ref();
    let code = |f: &[(&str, &str)]| o::filing(&pairs(f), c).unwrap_err();
    let e = code(&[("address_id", "3号楼")]);
    assert_eq!((e.status, e.code), (400, codes::MISSING_FIELD));
    let e = code(&[("service_code", "repair")]);
    assert_eq!(e.code, codes::MISSING_FIELD, "no location");
    let e = code(&[("service_code", "repair"), ("lat", "31")]);
    assert_eq!(e.code, codes::MISSING_FIELD, "lat without long");
    let e = code(&[("service_code", "nope"), ("address_id", "3号楼")]);
    assert_eq!((e.status, e.code), (400, codes::UNKNOWN_SERVICE_CODE));
    let e = code(&[("service_code", "repair"), ("address_id", "9号楼")]);
    assert_eq!(e.code, codes::UNKNOWN_ADDRESS_ID);
    let e = code(&[("service_code", "repair"), ("lat", "91"), ("long", "1")]);
    assert_eq!(e.code, codes::BAD_LOCATION);
    let e = code(&[("service_code", "repair"), ("lat", "NaN"), ("long", "1")]);
    assert_eq!(e.code, codes::BAD_LOCATION);
    let e = code(&[
        ("service_code", "repair"),
        ("address_id", "3号楼"),
        ("phone", "call me"),
    ]);
    assert_eq!(e.code, codes::INVALID);
    assert!(e.description.starts_with("bad_phone"));
    let e = code(&[
        ("service_code", "repair"),
        ("address_id", "3号楼"),
        ("email", "a@b@c"),
    ]);
    assert!(e.description.starts_with("bad_email"));
    let long = "修".repeat(2001);
    let e = code(&[
        ("service_code", "repair"),
        ("address_id", "3号楼"),
        ("description", &long),
    ]);
    assert!(e.description.starts_with("description_too_long"), "{e:?}");
    // A long first line is cut to a title; the rest is kept.
    let f = o::filing(
        &pairs(&[
            ("service_code", "repair"),
            ("address_id", "一网格"),
            ("description", &"灯".repeat(100)),
        ]),
        c,
    )
    .unwrap();
    assert_eq!(f.title.chars().count(), 80);
    assert_eq!(f.place.grid.as_deref(), Some("一网格"));
    for code in codes::ALL {
        assert!((400..600).contains(&codes::status(code)), "{code}");
    }
}

#[test]
fn ids_dedupe_with_an_idempotency_key_only() {
    let (a, sa) = o::filing_id("k1", Some("abc"), 1);
    let (b, sb) = o::filing_id("k1", Some("abc"), 2);
    assert_eq!((a.clone(), sa), (b, sb));
    let (c, _) = o::filing_id("k2", Some("abc"), 1);
    assert_ne!(a, c, "another key, another request");
    let (d, sd) = o::filing_id("k1", None, 1);
    let (e, se) = o::filing_id("k1", None, 2);
    assert_ne!((d, sd), (e, se));
    for s in [sa, sd, se, o::filing_id("k", None, u64::MAX).1] {
        assert!(((1 << 52)..(1 << 53)).contains(&s), "{s}");
    }
    assert!(a.as_str().len() <= 64);
    // Replayed with the same key: the log holds it once.
    let mut b = community();
    let f = [("service_code", "repair"), ("address_id", "3号楼")];
    let (w1, out1) = post(&mut b, &f, Some("hotline-42"), 1);
    let (w2, out2) = post(&mut b, &f, Some("hotline-42"), 2);
    assert_eq!(w1, w2);
    assert_eq!(out1, Outcome::Applied);
    assert_eq!(out2, Outcome::Duplicate);
    let (w3, _) = post(&mut b, &f, None, 3);
    let (w4, _) = post(&mut b, &f, None, 4);
    assert_ne!(w3, w4, "two bodies without a key are two requests");
    assert_eq!(b.state.wishes.len(), 3);
    assert!(o::idempotency_key_ok("hotline-42"));
    assert!(!o::idempotency_key_ok(""));
    assert!(!o::idempotency_key_ok("a b"));
    assert!(!o::idempotency_key_ok(&"a".repeat(201)));
}

#[test]
fn a_key_reads_its_own_requests_filtered() {
    let mut b = community();
    let f = |code| [("service_code", code), ("address_id", "3号楼")];
    let (w1, _) = post(&mut b, &f("repair"), None, 1);
    b.advance_hours(24);
    let (w2, _) = post(&mut b, &f("cleaning"), None, 2);
    b.push(
        "c1",
        OpKind::Reject {
            wish: w2.clone(),
            reason: "不属于社区事务".into(),
        },
    );
    // A resident's own wish is not the key's to read.
    b.push(
        "r1",
        OpKind::CreateWish {
            wish: "wr".into(),
            category: Category::Repair,
            title: "我的".into(),
            description: String::new(),
            place: Place::default(),
            urgency: Urgency::Normal,
            window: None,
            channel: Channel::SelfService,
            requester: None,
        },
    );
    let key = MemberId::from("key");
    let now = b.now();
    let all = o::requests(&b.state, &key, &o::Query::default(), now);
    let ids: Vec<&str> = all.iter().map(|r| r.service_request_id.as_str()).collect();
    assert_eq!(
        ids,
        [w2.as_str(), w1.as_str()],
        "newest first, the key's only"
    );
    assert_eq!(all[0].status, "closed");
    assert!(all[0].status_notes.contains("不属于社区事务"));
    let q = |p: &[(&str, &str)]| o::parse_query(&pairs(p), 480).unwrap();
    let ids_of = |q: &o::Query| -> Vec<String> {
        o::requests(&b.state, &key, q, now)
            .into_iter()
            .map(|r| r.service_request_id)
            .collect()
    };
    assert_eq!(ids_of(&q(&[("status", "open")])), [w1.to_string()]);
    assert_eq!(ids_of(&q(&[("status", "open,closed")])).len(), 2);
    assert_eq!(
        ids_of(&q(&[("service_code", "cleaning")])),
        [w2.to_string()]
    );
    let start = o::datetime(T0 + 3_600_000, 0);
    assert_eq!(ids_of(&q(&[("start_date", &start)])), [w2.to_string()]);
    let end = o::datetime(T0 + 3_600_000, 480);
    assert_eq!(ids_of(&q(&[("end_date", &end)])), [w1.to_string()]);
    let list = format!("{w1},wr,nope");
    assert_eq!(
        ids_of(&q(&[("service_request_id", &list), ("status", "closed")])),
        [w1.to_string()],
        "ids override the other filters; others' wishes stay unknown"
    );
    // Outside the last 90 days by default.
    assert!(o::requests(&b.state, &key, &o::Query::default(), now + 91 * 86_400_000).is_empty());
    let bad = |p: &[(&str, &str)]| o::parse_query(&pairs(p), 480).unwrap_err().code;
    assert_eq!(bad(&[("start_date", "monday")]), codes::BAD_DATE);
    assert_eq!(
        bad(&[("start_date", "2024-01-02"), ("end_date", "2024-01-01")]),
        codes::BAD_DATE
    );
    assert_eq!(bad(&[("status", "pending")]), codes::BAD_STATUS);
    assert_eq!(bad(&[("service_code", "x")]), codes::UNKNOWN_SERVICE_CODE);
}

#[test]
fn xml_and_json_shapes() {
    let s = o::xml_services(&o::services()[..1]);
    assert!(s.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<services><service><service_code>repair</service_code>"));
    assert!(s.contains("<metadata>false</metadata><type>realtime</type>"));
    let e = o::Error::new(codes::INVALID_API_KEY, "a <b> & c");
    assert_eq!(e.status, 403);
    assert_eq!(
        o::xml_error(&e),
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<errors><error><code>403</code><description>a &lt;b&gt; &amp; c</description><error_code>invalid_api_key</error_code></error></errors>\n"
    );
    let j: serde_json::Value = serde_json::from_str(&o::json_error(&e)).unwrap();
    assert_eq!(j[0]["code"], 403);
    assert_eq!(j[0]["error_code"], "invalid_api_key");
    let p = o::posted(&"w1".into(), None);
    assert!(
        o::xml_posted(&p)
            .contains("<service_requests><request><service_request_id>w1</service_request_id>")
    );
    assert!(o::xml_posted(&p).contains("<account_id/>"));
    assert_eq!(o::xml_escape("a\u{1}b\n"), "ab\n");
}

#[test]
fn form_decoding() {
    assert_eq!(
        o::form_pairs("a=1&b=x+y&c=%E7%81%AF&d&&e=").unwrap(),
        pairs(&[("a", "1"), ("b", "x y"), ("c", "灯"), ("d", ""), ("e", "")])
    );
    assert_eq!(o::form_pairs("a=%zz"), None);
    assert_eq!(o::form_pairs("a=%ff"), None);
    assert_eq!(o::form_pairs("a=%4"), None);
}

// ---- a street's key (docs/open311.md, "A street's endpoint") ------------

/// File through a street's key as the endpoint does: a `StreetFile` signed
/// with the street's and the key's names, authored by the key's id.
fn street_post(
    b: &mut LogBuilder,
    key: &MemberId,
    fields: &[(&str, &str)],
    rnd: u64,
) -> (WishId, Op, Outcome) {
    let f = o::filing(&pairs(fields), b.state.community.as_ref()).expect("valid filing");
    let (wish, seq) = o::filing_id("s1k", None, rnd);
    let from = linli_core::street::filing_signature("西关街道", "12345 热线");
    let op = Op::new(
        OpId::new(o::filing_device("s1k"), seq),
        key.clone(),
        Hlc::at(b.now()),
        f.street_op(wish.clone(), &from),
    );
    let out = b.append(op.clone());
    (wish, op, out)
}

fn street_key() -> MemberId {
    linli_core::street::key_author("0123456789abcdef")
}

#[test]
fn a_street_key_files_a_signed_city_wish_with_nothing_private() {
    let mut b = community();
    let key = street_key();
    assert!(!b.state.members.contains_key(&key));
    let fields = [
        ("service_code", "repair"),
        ("description", "路灯不亮\n三天了"),
        ("address_id", "3号楼"),
        ("phone", "13912345678"),
        ("address_string", "长寿路100弄3号201室"),
        ("first_name", "小明"),
        ("last_name", "王"),
    ];
    let (wish, op, out) = street_post(&mut b, &key, &fields, 7);
    assert_eq!(out, Outcome::Applied);
    let w = b.state.wishes[&wish].clone();
    assert_eq!(w.status, Status::Submitted);
    assert_eq!(w.channel, Channel::City);
    assert_eq!(w.requester, None);
    assert_eq!(w.created_by, key);
    assert_eq!(w.signature.as_deref(), Some("西关街道 · 12345 热线"));
    assert_eq!(
        (w.title.as_str(), w.category),
        ("路灯不亮", Category::Repair)
    );
    assert_eq!(w.place.building.as_deref(), Some("3号楼"));
    assert_eq!(w.timeline.len(), 1);
    assert_eq!(
        o::filer(&w, &b.state).as_deref(),
        Some("西关街道 · 12345 热线"),
        "the signature names the filer"
    );
    let json = serde_json::to_string(&op).unwrap();
    assert!(json.contains(r#""type":"street_file""#) && json.contains(r#""v":6"#));
    for private in ["13912345678", "201室", "小明"] {
        assert!(!json.contains(private), "{private} in {json}");
    }
    // The same op again folds once; another op for the same wish is void.
    assert_eq!(b.append(op.clone()), Outcome::Duplicate);
    let again = Op {
        id: OpId::new("o311-s1k", op.id.seq + 1),
        ..op.clone()
    };
    assert_eq!(b.append(again), Outcome::Void(VoidReason::AlreadyExists));
    // The community's dispatch goes on as for any wish.
    let (_, out) = b.push("c1", OpKind::Publish { wish: wish.clone() });
    assert_eq!(out, Outcome::Applied);
    // A snapshot keeps the signature; one without it (an older build's)
    // still decodes, as a wish without a signature.
    let json = serde_json::to_value(&w).unwrap();
    assert_eq!(serde_json::from_value::<Wish>(json.clone()).unwrap(), w);
    let mut older = json;
    older.as_object_mut().unwrap().remove("signature");
    let back: Wish = serde_json::from_value(older).unwrap();
    assert_eq!(back.signature, None);
}

#[test]
fn nobody_in_the_community_files_for_the_street() {
    // Every role, active or removed, and a bad payload: void with a reason.
    let roles = [
        ("c1", Role::Coordinator),
        ("v1", Role::Volunteer),
        ("r1", Role::Resident),
        ("key", Role::Kiosk),
    ];
    for (who, role) in roles {
        let mut b = community();
        let (_, _, out) = street_post(
            &mut b,
            &who.into(),
            &[("service_code", "repair"), ("address_id", "3号楼")],
            1,
        );
        assert_eq!(
            out,
            Outcome::Void(VoidReason::Forbidden),
            "{who} ({role:?})"
        );
        assert!(b.state.wishes.is_empty());
    }
    let mut b = community();
    b.push(
        "c1",
        OpKind::RemoveMember {
            member: "v1".into(),
        },
    );
    let (_, _, out) = street_post(
        &mut b,
        &"v1".into(),
        &[("service_code", "repair"), ("lat", "31"), ("long", "121")],
        2,
    );
    assert_eq!(
        out,
        Outcome::Void(VoidReason::Forbidden),
        "a removed member"
    );
    let kind = |from: &str, title: &str| OpKind::StreetFile {
        wish: "w-s".into(),
        category: Category::Repair,
        title: title.into(),
        description: String::new(),
        place: Place::default(),
        from: from.into(),
    };
    let key = street_key();
    for (seq, (k, why)) in [
        (kind("", "路灯"), "no signature"),
        (kind(&"街".repeat(61), "路灯"), "a signature over 60"),
        (kind("西关街道 · 12345", ""), "no title"),
    ]
    .into_iter()
    .enumerate()
    {
        let op = Op::new(
            OpId::new("o311-s1k", (1 << 52) + 100 + seq as u64),
            key.clone(),
            Hlc::at(b.now()),
            k,
        );
        assert_eq!(b.append(op), Outcome::Void(VoidReason::Invalid), "{why}");
    }
}

#[test]
fn an_older_build_keeps_a_street_filing_as_unknown() {
    let mut b = community();
    let (wish, op, _) = street_post(
        &mut b,
        &street_key(),
        &[("service_code", "repair"), ("address_id", "3号楼")],
        3,
    );
    let json = serde_json::to_value(&op).unwrap();
    assert_eq!(json["v"], 6);
    assert_eq!(linli_core::op::Action::StreetFile.since(), 6);
    let old = OpKind::from_value_as(json["kind"].clone(), 6, 5).unwrap();
    assert!(matches!(old, OpKind::Unknown(_)));
    let mut s = linli_core::State::new();
    for e in &b.log {
        let kind =
            OpKind::from_value_as(serde_json::to_value(&e.op.kind).unwrap(), e.op.v, 5).unwrap();
        s.apply(&linli_core::LogEntry {
            seq: e.seq,
            op: Op {
                kind,
                ..e.op.clone()
            },
        });
    }
    assert!(!s.wishes.contains_key(&wish));
    assert_eq!(
        s.outcome(&op.id),
        Some(Outcome::Void(VoidReason::UnknownKind))
    );
    // Re-encoded verbatim for the device's next read.
    assert_eq!(serde_json::to_value(&old).unwrap(), json["kind"]);
    let new = OpKind::from_value_as(json["kind"].clone(), 6, 6).unwrap();
    assert_eq!(new, op.kind);
}

#[test]
fn a_street_key_reads_what_it_filed_across_communities() {
    let key = street_key();
    let mut a = community();
    let mut c = community();
    let (wa, _, _) = street_post(
        &mut a,
        &key,
        &[("service_code", "repair"), ("address_id", "3号楼")],
        1,
    );
    c.advance_hours(2);
    let (wc, _, _) = street_post(
        &mut c,
        &key,
        &[("service_code", "cleaning"), ("address_id", "一网格")],
        2,
    );
    // A community key's filing and a resident's wish are not the street's.
    post(
        &mut a,
        &[("service_code", "repair"), ("address_id", "3号楼")],
        None,
        9,
    );
    let now = c.now();
    let read = |q: &o::Query| -> Vec<String> {
        o::merge([&a, &c].map(|b| o::find(&b.state, q, now, |w| o::street_readable(w, &key))))
            .into_iter()
            .map(|r| r.service_request_id)
            .collect()
    };
    assert_eq!(
        read(&o::Query::default()),
        [wc.to_string(), wa.to_string()],
        "newest first"
    );
    let q = |p: &[(&str, &str)]| o::parse_query(&pairs(p), 480).unwrap();
    assert_eq!(read(&q(&[("service_code", "repair")])), [wa.to_string()]);
    let list = format!("{wa},nope,{wc}");
    assert_eq!(
        read(&q(&[("service_request_id", &list)])),
        [wa.to_string(), wc.to_string()],
        "the order asked"
    );
    // The community's key reads its own filing only; the street's key not it.
    let own = o::requests(&a.state, &"key".into(), &o::Query::default(), now);
    assert_eq!(own.len(), 1);
    assert_ne!(own[0].service_request_id, wa.to_string());
    assert!(!read(&o::Query::default()).contains(&own[0].service_request_id));
    // The agency is the community that does the work.
    let one = o::merge([o::find(&a.state, &o::Query::default(), now, |w| {
        o::street_readable(w, &key)
    })]);
    assert_eq!(one[0].agency_responsible, "长寿路社区");
}

#[test]
fn street_keys_are_managed_by_active_street_coordinators_and_need_a_jurisdiction() {
    let mut s = LogBuilder::community(
        T0,
        &[],
        &[("c2", Role::Coordinator, &[]), ("sv", Role::Viewer, &[])],
    );
    let may = |s: &LogBuilder, m: &str| o::may_manage_street_keys(&s.state, &m.into());
    assert!(may(&s, "c1") && may(&s, "c2"));
    assert!(!may(&s, "sv") && !may(&s, "nobody"));
    s.push(
        "c1",
        OpKind::SetRole {
            member: "c2".into(),
            role: Role::Viewer,
        },
    );
    assert!(!may(&s, "c2"), "demoted");
    s.push(
        "c1",
        OpKind::RemoveMember {
            member: "c2".into(),
        },
    );
    assert!(!may(&s, "c2"), "removed");
    assert_eq!(
        o::street_jurisdiction(&pairs(&[])).unwrap_err().code,
        codes::MISSING_FIELD
    );
    assert_eq!(
        o::street_jurisdiction(&pairs(&[("jurisdiction_id", " ")]))
            .unwrap_err()
            .code,
        codes::MISSING_FIELD
    );
    assert_eq!(
        o::street_jurisdiction(&pairs(&[("jurisdiction_id", "ca")]))
            .unwrap()
            .as_str(),
        "ca"
    );
    assert_eq!(codes::status(codes::STREET_NOT_FOUND), 404);
    assert_ne!(
        o::street_idempotency(&"ca".into(), "k"),
        o::street_idempotency(&"cb".into(), "k")
    );
    assert!(street_key().as_str().starts_with("m-s311-"));
}

proptest::proptest! {
    /// Any street filing folds as the rules say: void `forbidden` from a
    /// member, else `invalid` exactly when `validate::kind` refuses it, else
    /// a city wish with its signature; the op survives the wire as written.
    #[test]
    fn a_street_filing_folds_as_its_checks_say(
        title in 0usize..100,
        description in 0usize..2100,
        from in 0usize..70,
        by_member in proptest::bool::weighted(0.2),
    ) {
        let mut b = community();
        let kind = OpKind::StreetFile {
            wish: "w-prop".into(),
            category: Category::Other,
            title: "题".repeat(title),
            description: "述".repeat(description),
            place: Place::default(),
            from: "街".repeat(from),
        };
        let author = if by_member { MemberId::from("c1") } else { street_key() };
        let op = Op::new(OpId::new("o311-s1k", 1 << 52), author, Hlc::at(b.now()), kind.clone());
        let json = serde_json::to_string(&op).unwrap();
        proptest::prop_assert_eq!(&serde_json::from_str::<Op>(&json).unwrap(), &op);
        let valid = linli_core::validate::kind(&kind).is_ok();
        let out = b.append(op);
        let want = match (valid, by_member) {
            (false, _) => Outcome::Void(VoidReason::Invalid),
            (true, true) => Outcome::Void(VoidReason::Forbidden),
            (true, false) => Outcome::Applied,
        };
        proptest::prop_assert_eq!(out, want);
        let made = b.state.wishes.get(&WishId::from("w-prop"));
        proptest::prop_assert_eq!(made.is_some(), out == Outcome::Applied);
        if let Some(w) = made {
            proptest::prop_assert_eq!(w.signature.clone(), Some("街".repeat(from)));
            proptest::prop_assert_eq!(w.channel, Channel::City);
        }
    }
}
