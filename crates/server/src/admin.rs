//! Admin work done outside HTTP: creating a community (its first log
//! segment holds the `create_community` op of a new founder, the core's
//! bootstrap rule) with a coordinator join code, and seeding the demo
//! community for `serve --demo`.
use std::path::Path as FsPath;

use linli_core::ids::{CommunityId, MemberId, OpId};
use linli_core::model::Role;
use linli_core::protocol::{Demo, DemoCode, DemoStreet, Segment};
use linli_core::{Hlc, LogEntry, Op, OpKind, validate};
use serde::{Deserialize, Serialize};

use crate::api::ApiError;
use crate::hub::{Hub, now_ms, random_hex};
use crate::store::{self, CommunityMeta};

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("{0}")]
    Invalid(String),
    #[error("community {0} already exists")]
    Exists(CommunityId),
    #[error("storage: {0}")]
    Store(#[from] store::StoreError),
    #[error("{}: {}", .0.0.code, .0.0.message)]
    Api(ApiError),
}

impl From<ApiError> for AdminError {
    fn from(e: ApiError) -> Self {
        AdminError::Api(e)
    }
}

/// A created community and its first coordinator code.
#[derive(Debug, Clone)]
pub struct Created {
    pub community: CommunityId,
    pub founder: MemberId,
    pub code: String,
    pub expires_at_ms: u64,
    pub max_uses: u32,
}

/// Options of `community create`.
#[derive(Debug, Clone)]
pub struct NewCommunity {
    pub id: Option<String>,
    pub name: String,
    pub coordinator_name: String,
    pub code_hours: u32,
    pub code_uses: u32,
}

/// Write a community's meta and log segments 1.. (create-only; an existing
/// segment with the same content is fine, which makes seeding restartable).
async fn write_log(
    hub: &Hub,
    meta: &CommunityMeta,
    entries: &[LogEntry],
) -> Result<(), AdminError> {
    for (i, chunk) in entries.chunks(500).enumerate() {
        let seg = Segment {
            first_seq: chunk[0].seq,
            last_seq: chunk[chunk.len() - 1].seq,
            entries: chunk.to_vec(),
        };
        let key = store::chain_segment(&meta.id, &meta.epoch, i as u64 + 1);
        if !store::create_or_same(&hub.store, &key, store::to_json(&seg)).await? {
            return Err(AdminError::Invalid(format!(
                "log segment {} of community {} already exists with other content",
                i + 1,
                meta.id
            )));
        }
    }
    Ok(())
}

pub async fn create_community(hub: &Hub, req: NewCommunity) -> Result<Created, AdminError> {
    create_log(hub, req, false).await
}

/// `street create`: a street's log (街道, docs/street.md), made as a
/// community's is; its founder is a street coordinator, and the code it
/// prints is that coordinator's.
pub async fn create_street(hub: &Hub, req: NewCommunity) -> Result<Created, AdminError> {
    create_log(hub, req, true).await
}

async fn create_log(hub: &Hub, req: NewCommunity, street: bool) -> Result<Created, AdminError> {
    let id = CommunityId(req.id.unwrap_or_else(|| format!("c{}", random_hex(4))));
    let founder = MemberId(format!("m{}", random_hex(6)));
    let now = now_ms();
    let op = Op::new(
        OpId::new(format!("admin-{}", random_hex(6)), 1),
        founder.clone(),
        Hlc::at(now),
        OpKind::CreateCommunity {
            community: id.clone(),
            name: req.name.trim().to_owned(),
            founder: req.coordinator_name.trim().to_owned(),
            grids: Vec::new(),
            buildings: Vec::new(),
            settings: None,
        },
    );
    validate::op(&op).map_err(|e| AdminError::Invalid(e.to_string()))?;
    if id
        .as_str()
        .chars()
        .any(|c| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
    {
        return Err(AdminError::Invalid(
            "a community id may use letters, digits, - and _".into(),
        ));
    }
    let meta = CommunityMeta {
        id: id.clone(),
        name: req.name.trim().to_owned(),
        epoch: random_hex(8),
        created_ms: now,
        street,
    };
    if !store::create_json_or_same(&hub.store, &store::community_meta(&id), &meta).await? {
        return Err(AdminError::Exists(id));
    }
    write_log(hub, &meta, &[LogEntry { seq: 1, op }]).await?;
    let (code, rec) = hub
        .make_code(
            &id,
            &founder,
            crate::hub::CodeTerms {
                role: Role::Coordinator,
                member: Some(founder.clone()),
                place: None,
                hours: req.code_hours,
                max_uses: req.code_uses,
            },
        )
        .await?;
    Ok(Created {
        community: id,
        founder,
        code,
        expires_at_ms: rec.expires_at_ms,
        max_uses: rec.max_uses,
    })
}

/// `street add-community`: link community `c` to street `s`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Linked {
    pub street: CommunityId,
    pub street_name: String,
    pub community: CommunityId,
    pub name: String,
    /// False when the pair was linked already (the command is idempotent).
    pub new: bool,
}

/// Link community `c` to street `s`: both must exist, `s` must be a
/// street and `c` not; `c` joins at most one street, and for good. The
/// community's `street.json` is written first (create-only: it decides),
/// then the street's entry; a crash between them is mended by running the
/// command again.
pub async fn link_community(
    hub: &Hub,
    s: &CommunityId,
    c: &CommunityId,
) -> Result<Linked, AdminError> {
    let meta = |id: &CommunityId| {
        let id = id.clone();
        async move {
            store::get_json::<CommunityMeta>(&hub.store, &store::community_meta(&id))
                .await?
                .ok_or_else(|| AdminError::Invalid(format!("there is no community or street {id}")))
        }
    };
    let street = meta(s).await?;
    if !street.street {
        return Err(AdminError::Invalid(format!(
            "{s} is a community, not a street (make one with `street create`)"
        )));
    }
    let community = meta(c).await?;
    if community.street {
        return Err(AdminError::Invalid(format!(
            "{c} is a street; only communities join a street"
        )));
    }
    let link = store::StreetLink { street: s.clone() };
    let before: Option<store::StreetLink> =
        store::get_json(&hub.store, &store::street_of(c)).await?;
    let new = before.is_none()
        && store::create_json_or_same(&hub.store, &store::street_of(c), &link).await?;
    if !new {
        // Linked before, or by someone else just now: the stored link decides.
        let there: Option<store::StreetLink> =
            store::get_json(&hub.store, &store::street_of(c)).await?;
        match there {
            Some(l) if l.street == *s => {}
            Some(l) => {
                return Err(AdminError::Invalid(format!(
                    "community {c} already belongs to street {}; a community belongs to one street only",
                    l.street
                )));
            }
            None => {
                return Err(AdminError::Invalid(format!(
                    "could not link {c}; try again"
                )));
            }
        }
    }
    let entry = store::StreetEntry {
        community: c.clone(),
        name: community.name.clone(),
    };
    // Same bytes when run again; an entry already there is the same fact.
    store::create_json_or_same(&hub.store, &store::street_community(s, c), &entry).await?;
    Ok(Linked {
        street: s.clone(),
        street_name: street.name,
        community: c.clone(),
        name: community.name,
        new,
    })
}

/// The demo's seed and start, fixed at first seeding so a restart after
/// a crash half-way writes the same log.
#[derive(Serialize, Deserialize)]
struct DemoPlan {
    seed: u64,
    start_ms: u64,
    epoch: String,
}

/// Demo members given join codes (a coordinator, a grid worker, two
/// volunteers, a resident, the kiosk, a partner unit's contact).
pub const DEMO_MEMBERS: [&str; 7] = ["c1", "g1", "v1", "v2", "r1", "k1", "p1"];
const DEMO_SEED: u64 = 2024;
/// Demo codes: many uses, ten years.
const DEMO_USES: u32 = 1000;
const DEMO_HOURS: u32 = 24 * 3650;

/// Make sure the store holds the demo community; returns its codes. The
/// log ends about two days ago (so leases behave), and codes are written
/// to `<data>/demo-codes.txt` too when a data dir is given.
pub async fn ensure_demo(hub: &Hub, data: Option<&FsPath>) -> Result<Demo, AdminError> {
    let mut demo = ensure_demo_community(hub).await?;
    demo.street = Some(ensure_demo_street(hub, &demo.community).await?);
    write_codes_file(data, &demo);
    Ok(demo)
}

/// The demo community and its codes (`demo.json`, without the street).
async fn ensure_demo_community(hub: &Hub) -> Result<Demo, AdminError> {
    if let Some(d) = store::get_json::<Demo>(&hub.store, &store::demo()).await? {
        return Ok(d);
    }
    let plan_key = store::path(&["demo-plan.json"]);
    let plan = match store::get_json::<DemoPlan>(&hub.store, &plan_key).await? {
        Some(p) => p,
        None => {
            let probe = linli_core::demo::community_log(DEMO_SEED, 0);
            let span = probe.iter().map(|e| e.op.hlc.ms).max().unwrap_or(0);
            let plan = DemoPlan {
                seed: DEMO_SEED,
                start_ms: now_ms().saturating_sub(span + 2 * 24 * 3_600_000),
                epoch: random_hex(8),
            };
            store::create_json_or_same(&hub.store, &plan_key, &plan).await?;
            store::get_json(&hub.store, &plan_key)
                .await?
                .unwrap_or(plan)
        }
    };
    let b = linli_core::demo::demo_builder(plan.seed, plan.start_ms);
    let Some(community) = b.state.community.as_ref().map(|c| c.id.clone()) else {
        return Err(AdminError::Invalid("the demo log has no community".into()));
    };
    let meta = CommunityMeta {
        id: community.clone(),
        name: b
            .state
            .community
            .as_ref()
            .map(|c| c.name.clone())
            .unwrap_or_default(),
        epoch: plan.epoch.clone(),
        created_ms: plan.start_ms,
        street: false,
    };
    store::create_json_or_same(&hub.store, &store::community_meta(&community), &meta).await?;
    let meta: CommunityMeta = store::get_json(&hub.store, &store::community_meta(&community))
        .await?
        .unwrap_or(meta);
    write_log(hub, &meta, &b.log).await?;
    let mut codes = Vec::new();
    for id in DEMO_MEMBERS {
        let member = MemberId::from(id);
        let Some(m) = b.state.members.get(&member) else {
            continue;
        };
        let (code, _) = hub
            .make_code(
                &community,
                &MemberId::from("c1"),
                crate::hub::CodeTerms {
                    role: m.role,
                    member: Some(member.clone()),
                    place: None,
                    hours: DEMO_HOURS,
                    max_uses: DEMO_USES,
                },
            )
            .await?;
        codes.push(DemoCode {
            code,
            member,
            name: m.name.clone(),
            role: m.role,
        });
    }
    let demo = Demo {
        community,
        codes,
        street: None,
    };
    if !store::create_json_or_same(&hub.store, &store::demo(), &demo).await? {
        // Another instance seeded at the same time: use its codes.
        if let Some(d) = store::get_json::<Demo>(&hub.store, &store::demo()).await? {
            return Ok(d);
        }
    }
    Ok(demo)
}

/// The demo street: its id and name.
pub const DEMO_STREET: (&str, &str) = ("demo-street", "西关街道");
/// The demo street's two smaller communities: id, name, wishes, seed.
pub const DEMO_STREET_COMMUNITIES: [(&str, &str, usize, u64); 2] = [
    ("ximen-li", "西门里社区", 20, 7),
    ("liuyin-jie", "柳荫街社区", 14, 11),
];

/// The street demo's start and log epochs (street first, then the two
/// communities), fixed at first seeding like `DemoPlan`.
#[derive(Serialize, Deserialize)]
struct StreetPlan {
    start_ms: u64,
    epochs: Vec<String>,
}

/// Write a demo log once: its meta (create-only; a meta already there
/// wins, with its epoch) and its segments.
async fn seed_log(hub: &Hub, meta: CommunityMeta, log: &[LogEntry]) -> Result<(), AdminError> {
    let at = store::community_meta(&meta.id);
    store::create_json_or_same(&hub.store, &at, &meta).await?;
    let meta: CommunityMeta = store::get_json(&hub.store, &at).await?.unwrap_or(meta);
    write_log(hub, &meta, log).await
}

/// Make sure the store holds the demo street (西关街道) with the demo
/// community and two smaller ones (`demo::small_community`), linked; returns
/// its codes (a street coordinator's and a street viewer's). Stored apart
/// from `demo.json` (`demo-street.json`), so a store seeded before streets
/// gets its street on the next start; restartable like the community.
async fn ensure_demo_street(hub: &Hub, community: &CommunityId) -> Result<DemoStreet, AdminError> {
    if let Some(d) = store::get_json::<DemoStreet>(&hub.store, &store::demo_street()).await? {
        return Ok(d);
    }
    let plan_key = store::path(&["demo-street-plan.json"]);
    let plan = match store::get_json::<StreetPlan>(&hub.store, &plan_key).await? {
        Some(p) => p,
        None => {
            let span = DEMO_STREET_COMMUNITIES
                .iter()
                .map(|(id, name, wishes, seed)| {
                    let b = linli_core::demo::small_community(*seed, 0, id, name, *wishes);
                    b.log.iter().map(|e| e.op.hlc.ms).max().unwrap_or(0)
                })
                .max()
                .unwrap_or(0);
            let plan = StreetPlan {
                start_ms: now_ms().saturating_sub(span + 2 * 24 * 3_600_000),
                epochs: (0..=DEMO_STREET_COMMUNITIES.len())
                    .map(|_| random_hex(8))
                    .collect(),
            };
            store::create_json_or_same(&hub.store, &plan_key, &plan).await?;
            store::get_json(&hub.store, &plan_key)
                .await?
                .unwrap_or(plan)
        }
    };
    let epoch = |i: usize| plan.epochs.get(i).cloned().unwrap_or_else(|| random_hex(8));
    let street = CommunityId::from(DEMO_STREET.0);
    let s = linli_core::demo::street_log(plan.start_ms, DEMO_STREET.0, DEMO_STREET.1);
    let meta = |id: &CommunityId, name: &str, i: usize, street: bool| CommunityMeta {
        id: id.clone(),
        name: name.to_owned(),
        epoch: epoch(i),
        created_ms: plan.start_ms,
        street,
    };
    seed_log(hub, meta(&street, DEMO_STREET.1, 0, true), &s.log).await?;
    for (i, (id, name, wishes, seed)) in DEMO_STREET_COMMUNITIES.iter().enumerate() {
        let c = CommunityId::from(*id);
        let b = linli_core::demo::small_community(*seed, plan.start_ms, id, name, *wishes);
        seed_log(hub, meta(&c, name, i + 1, false), &b.log).await?;
    }
    link_community(hub, &street, community).await?;
    for (id, ..) in DEMO_STREET_COMMUNITIES {
        link_community(hub, &street, &CommunityId::from(id)).await?;
    }
    let mut codes = Vec::new();
    for (id, name, role) in linli_core::demo::STREET_MEMBERS {
        // One coordinator's code and the viewer's.
        if id == "jd-c2" {
            continue;
        }
        let member = MemberId::from(id);
        let (code, _) = hub
            .make_code(
                &street,
                &MemberId::from(linli_core::demo::STREET_MEMBERS[0].0),
                crate::hub::CodeTerms {
                    role,
                    member: Some(member.clone()),
                    place: None,
                    hours: DEMO_HOURS,
                    max_uses: DEMO_USES,
                },
            )
            .await?;
        codes.push(DemoCode {
            code,
            member,
            name: name.to_owned(),
            role,
        });
    }
    let demo = DemoStreet { street, codes };
    if !store::create_json_or_same(&hub.store, &store::demo_street(), &demo).await? {
        // Another instance seeded at the same time: use its codes.
        if let Some(d) = store::get_json::<DemoStreet>(&hub.store, &store::demo_street()).await? {
            return Ok(d);
        }
    }
    Ok(demo)
}

/// The demo codes as text, one per line.
pub fn demo_text(d: &Demo) -> String {
    let mut s = format!("demo community: {}\n", d.community);
    for c in &d.codes {
        s.push_str(&format!(
            "  {:<16} {:<12} {}  ({})\n",
            c.code,
            c.role.code(),
            c.name,
            c.member
        ));
    }
    if let Some(st) = &d.street {
        s.push_str(&format!("demo street: {}\n", st.street));
        for c in &st.codes {
            s.push_str(&format!(
                "  {:<16} {:<12} {}  ({})\n",
                c.code,
                c.role.code(),
                c.name,
                c.member
            ));
        }
    }
    s
}

fn write_codes_file(data: Option<&FsPath>, d: &Demo) {
    if let Some(dir) = data {
        let _ = std::fs::write(dir.join("demo-codes.txt"), demo_text(d));
    }
}

/// A QR code of `text` drawn with unicode half blocks (light on dark
/// terminals and dark on light ones both scan: it has its own quiet zone).
pub fn qr(text: &str) -> String {
    use qrcode::render::unicode::Dense1x2;
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(q) => q
            .render::<Dense1x2>()
            .dark_color(Dense1x2::Light)
            .light_color(Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

/// A synthetic community seeded for the pull benchmark.
#[derive(Debug, Clone, Serialize)]
pub struct Seeded {
    pub community: CommunityId,
    pub epoch: String,
    /// The log's last seq (= its number of ops).
    pub ops: u64,
    /// Merged segments after compaction, and chain segments left after it.
    pub merged_segments: usize,
    pub chain_segments: usize,
    /// A coordinator code bound to the founder `c1` (binding adds no op,
    /// so every join leaves the log as it is).
    pub code: String,
}

/// Seed `linli_core::demo::synthetic_log` cut to exactly `ops` entries
/// (≈ 6.2 ops per wish; the newest op two days old) as a new community,
/// then compact it the way the endpoint does, and make a join code with
/// `code_uses` uses. For the pull benchmark (`tests/bench/pull.mjs`);
/// the store should be empty (the community is `bench`).
pub async fn seed_synthetic(
    hub: &Hub,
    ops: u64,
    seed: u64,
    code_uses: u32,
) -> Result<Seeded, AdminError> {
    if ops < 2 {
        return Err(AdminError::Invalid("seed at least 2 ops".into()));
    }
    let n = usize::try_from(ops).map_err(|_| AdminError::Invalid("too many ops".into()))?;
    // Enough wishes for `ops` entries; at most a few rounds.
    let mut wishes = n / 6 + 16;
    let mut probe = linli_core::demo::synthetic_log(wishes, seed, 0);
    for _ in 0..8 {
        if probe.len() >= n {
            break;
        }
        wishes *= 2;
        probe = linli_core::demo::synthetic_log(wishes, seed, 0);
    }
    if probe.len() < n {
        return Err(AdminError::Invalid(format!("could not make {ops} ops")));
    }
    let span = probe[..n].iter().map(|e| e.op.hlc.ms).max().unwrap_or(0);
    drop(probe);
    let start_ms = now_ms().saturating_sub(span + 2 * 24 * 3_600_000);
    let mut entries = linli_core::demo::synthetic_log(wishes, seed, start_ms);
    entries.truncate(n);
    let Some(OpKind::CreateCommunity {
        community, name, ..
    }) = entries.first().map(|e| e.op.kind.clone())
    else {
        return Err(AdminError::Invalid("the log has no community".into()));
    };
    let meta = CommunityMeta {
        id: community.clone(),
        name,
        epoch: random_hex(8),
        created_ms: start_ms,
        street: false,
    };
    if !store::create_json_or_same(&hub.store, &store::community_meta(&community), &meta).await? {
        return Err(AdminError::Exists(community));
    }
    write_log(hub, &meta, &entries).await?;
    drop(entries);
    let log = hub.log(&community).await?;
    log.compact().await?;
    let head = log.head(0).await?;
    let merged = head
        .segments
        .iter()
        .filter(|s| s.name.contains("-m"))
        .count();
    let (code, _) = hub
        .make_code(
            &community,
            &MemberId::from("c1"),
            crate::hub::CodeTerms {
                role: Role::Coordinator,
                member: Some(MemberId::from("c1")),
                place: None,
                hours: 24 * 365,
                max_uses: code_uses,
            },
        )
        .await?;
    Ok(Seeded {
        community,
        epoch: meta.epoch,
        ops: head.seq,
        merged_segments: merged,
        chain_segments: head.segments.len() - merged,
        code,
    })
}
