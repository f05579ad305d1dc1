//! Randomized simulation through the real endpoint (two instances on one
//! store): devices go on and offline, mint ops offline, push (with partial
//! batches and retries on the other instance) and pull page by page. At the
//! end every device has the same state hash, and every acknowledged op is
//! in the log exactly once. A second scenario changes roles and removes
//! members on one instance while the affected members keep calling the
//! other one: their power must end with the acknowledgement.
//!
//! `LINLI_SIM_SEEDS` sets the number of seeds (default 16); the ignored
//! `soak` test runs both scenarios over 1000 (`./dev soak`).
mod common;

use std::time::Instant;

use common::*;
use linli_core::demo::Rng;
use linli_core::ids::{MemberId, OpId, WishId};
use linli_core::model::{Assignee, Rating, Role};
use linli_core::{LogEntry, Op, OpKind, State, VoidReason};
use reqwest::{Method, StatusCode};
use serde_json::json;

struct Sim {
    dev: Device,
    outbox: Vec<Op>,
    log: Vec<LogEntry>,
    state: State,
    online: bool,
    /// Highest seq the endpoint acknowledged (`accepted_through`).
    acked: u64,
    /// Removed from the community: no more activity, not in the final sync.
    removed: bool,
}

impl Sim {
    fn known_wishes(&self) -> Vec<WishId> {
        let mut w: Vec<WishId> = self.state.wishes.keys().cloned().collect();
        w.extend(self.outbox.iter().filter_map(|o| match &o.kind {
            OpKind::CreateWish { wish, .. } => Some(wish.clone()),
            _ => None,
        }));
        w
    }

    fn mint(&mut self, rng: &mut Rng, volunteers: &[MemberId]) {
        let wishes = self.known_wishes();
        let pick = |rng: &mut Rng| -> Option<WishId> {
            (!wishes.is_empty()).then(|| rng.pick(&wishes).clone())
        };
        let roll = rng.range(0, 9);
        let kind = match (self.dev.role, pick(rng)) {
            (Role::Resident | Role::GridWorker, _) if roll < 5 || wishes.is_empty() => {
                let op = self.dev.wish_op(&format!("心愿 {}", rng.range(1, 999)));
                self.outbox.push(op);
                return;
            }
            (_, None) => return,
            (Role::Resident, Some(wish)) => match roll {
                5..=7 => OpKind::Evaluate {
                    wish,
                    rating: *rng.pick(&[Rating::Satisfied, Rating::NotSatisfied]),
                    comment: String::new(),
                },
                _ => OpKind::Cancel {
                    wish,
                    reason: String::new(),
                },
            },
            (Role::GridWorker, Some(wish)) => OpKind::Note {
                wish,
                text: "上门看过".into(),
            },
            (Role::Coordinator, Some(wish)) => match roll {
                0..=4 => OpKind::Publish { wish },
                5..=7 => OpKind::Assign {
                    wish,
                    to: Assignee::Member(rng.pick(volunteers).clone()),
                },
                _ => OpKind::Reject {
                    wish,
                    reason: "重复".into(),
                },
            },
            (_, Some(wish)) => match roll {
                0..=3 => OpKind::Claim { wish },
                4..=5 => OpKind::Start { wish },
                6..=8 => OpKind::Complete {
                    wish,
                    report: "完成".into(),
                    minutes: rng.range(10, 120) as u32,
                },
                _ => OpKind::Release { wish },
            },
        };
        let op = self.dev.mint(kind);
        self.outbox.push(op);
    }

    async fn push(&mut self, http: &reqwest::Client, base: &str, rng: &mut Rng) {
        let n = rng.range(0, self.outbox.len() as u64) as usize;
        let mut d = self.dev.clone();
        d.base = base.to_owned();
        let res = d.push(http, &self.outbox[..n]).await;
        self.ack(res.accepted_through);
    }

    fn ack(&mut self, through: u64) {
        self.acked = self.acked.max(through);
        self.outbox.retain(|o| o.id.seq > through);
    }

    async fn pull(&mut self, http: &reqwest::Client, base: &str) {
        let mut d = self.dev.clone();
        d.base = base.to_owned();
        let cursor = self.log.len() as u64;
        for e in d.pull_after(http, cursor).await {
            self.state.apply(&e);
            self.log.push(e);
        }
    }
}

/// What a run found; every count must be zero.
#[derive(Default)]
struct Tally {
    seeds: u64,
    /// Acknowledged ops missing from the log.
    lost: u64,
    /// Ops in the log more than once.
    duplicated: u64,
    /// Devices whose state hash differs from the log's after a full sync.
    diverged: u64,
    /// Answers to removed or demoted members other than the refusal they
    /// must get (401, or 403 `member_inactive`; `forbidden` when demoted).
    stale_privileged: u64,
    /// What the stale answers were (the first few).
    notes: Vec<String>,
    /// Ops a removed member pushed and an instance acknowledged (within
    /// `AUTH_TTL` a push may be taken): each must fold as void.
    after_removal: Vec<(OpId, String)>,
}

impl Tally {
    fn add(&mut self, o: Tally) {
        self.seeds += o.seeds;
        self.lost += o.lost;
        self.duplicated += o.duplicated;
        self.diverged += o.diverged;
        self.stale_privileged += o.stale_privileged;
        self.after_removal.extend(o.after_removal);
        for n in o.notes {
            if self.notes.len() < 20 {
                self.notes.push(n);
            }
        }
    }

    fn line(&self) -> String {
        format!(
            "seeds: {}, lost: {}, duplicated: {}, diverged: {}, stale_privileged: {}",
            self.seeds, self.lost, self.duplicated, self.diverged, self.stale_privileged
        )
    }

    fn assert_clean(&self) {
        let clean = self.lost + self.duplicated + self.diverged + self.stale_privileged == 0;
        assert!(clean, "{}\n{}", self.line(), self.notes.join("\n"));
    }
}

fn seeds(default: u64) -> u64 {
    std::env::var("LINLI_SIM_SEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Two instances on one store.
struct Env {
    a: Server,
    b: Server,
    http: reqwest::Client,
}

impl Env {
    async fn new() -> Env {
        let store = mem_store();
        Env::on(store.clone(), store).await
    }

    /// Two instances on two handles of one store.
    async fn on(a: linli_server::store::Store, b: linli_server::store::Store) -> Env {
        Env {
            a: Server::start(a).await,
            b: Server::start(b).await,
            http: http(),
        }
    }

    fn urls(&self) -> [String; 2] {
        [self.a.url.clone(), self.b.url.clone()]
    }

    /// A community of `roles` (after its founding coordinator), as sims.
    async fn sims(&self, id: &str, roles: &[(Role, &str)]) -> Vec<Sim> {
        let coord = community(&self.http, &self.a, id).await;
        let mut devs = vec![coord.clone()];
        for (role, name) in roles {
            devs.push(member(&self.http, &coord, *role, name).await);
        }
        devs.into_iter()
            .map(|dev| Sim {
                dev,
                outbox: Vec::new(),
                log: Vec::new(),
                state: State::new(),
                online: true,
                acked: 0,
                removed: false,
            })
            .collect()
    }
}

fn volunteers(sims: &[Sim]) -> Vec<MemberId> {
    sims.iter()
        .filter(|s| s.dev.role == Role::Volunteer)
        .map(|s| s.dev.member.clone())
        .collect()
}

/// One random step of device `i`: toggle online, mint, push (maybe again
/// on the other instance), or pull.
async fn step(
    sims: &mut [Sim],
    i: usize,
    urls: &[String; 2],
    http: &reqwest::Client,
    rng: &mut Rng,
    vols: &[MemberId],
) {
    let base = &urls[rng.range(0, 1) as usize];
    let s = &mut sims[i];
    match rng.range(0, 9) {
        0 | 1 => s.online = !s.online,
        2..=5 => s.mint(rng, vols),
        6 | 7 if s.online => {
            s.push(http, base, rng).await;
            if rng.range(0, 3) == 0 {
                // The same batch again, on the other instance.
                let other = &urls[rng.range(0, 1) as usize];
                s.push(http, other, rng).await;
            }
        }
        _ if s.online => s.pull(http, base).await,
        _ => {}
    }
}

/// Everyone still in the community comes online and syncs; then count lost,
/// duplicated and diverged against the log the first device pulled.
async fn finish(sims: &mut [Sim], urls: &[String; 2], http: &reqwest::Client, seed: u64) -> Tally {
    for s in sims.iter_mut().filter(|s| !s.removed) {
        s.online = true;
        let mut d = s.dev.clone();
        d.base = urls[0].clone();
        let res = d.push(http, &s.outbox).await;
        assert_eq!(res.accepted_through, s.dev.seq, "seed {seed}");
        s.ack(res.accepted_through);
    }
    for s in sims.iter_mut().filter(|s| !s.removed) {
        s.pull(http, &urls[1]).await;
    }
    let log = &sims[0].log;
    let mut t = Tally {
        seeds: 1,
        ..Tally::default()
    };
    (t.lost, t.duplicated) =
        lost_and_duplicated(log, sims.iter().map(|s| (&s.dev.device, s.acked)));
    let want = linli_core::fold(log).hash();
    t.diverged = sims
        .iter()
        .filter(|s| !s.removed && s.state.hash() != want)
        .count() as u64;
    t
}

async fn converge_seed(env: &Env, seed: u64) -> Tally {
    let mut rng = Rng::new(seed);
    let urls = env.urls();
    let http = &env.http;
    let mut sims = env
        .sims(
            &format!("sim-{seed}"),
            &[
                (Role::Volunteer, "志愿者甲"),
                (Role::Volunteer, "志愿者乙"),
                (Role::Resident, "居民甲"),
                (Role::Resident, "居民乙"),
                (Role::GridWorker, "网格员"),
            ],
        )
        .await;
    let vols = volunteers(&sims);
    for _ in 0..120 {
        let i = rng.range(0, sims.len() as u64 - 1) as usize;
        step(&mut sims, i, &urls, http, &mut rng, &vols).await;
    }
    finish(&mut sims, &urls, http, seed).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_devices_converge_through_the_endpoint() {
    let env = Env::new().await;
    let mut total = Tally::default();
    for seed in 0..seeds(16) {
        total.add(converge_seed(&env, seed).await);
    }
    println!("converge: {}", total.line());
    total.assert_clean();
}

/// The same on a real S3-compatible node (SeaweedFS under ./dev test), two
/// instances with a client each; `LINLI_SIM_S3_SEEDS` seeds (default 4).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_devices_converge_on_s3() {
    let Some(s) = TestStore::new(Backend::S3, "sim_converge_on_s3") else {
        return;
    };
    let env = Env::on(s.store.clone(), s.handle()).await;
    let n = std::env::var("LINLI_SIM_S3_SEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    let mut total = Tally::default();
    for seed in 0..n {
        total.add(converge_seed(&env, seed).await);
    }
    println!("converge on S3: {}", total.line());
    total.assert_clean();
}

/// A request by a member whose power just ended must be refused.
fn refused(status: StatusCode, code: &str, demoted: bool) -> bool {
    status == StatusCode::UNAUTHORIZED
        || status == StatusCode::FORBIDDEN
            && (code == "member_inactive" || demoted && code == "forbidden")
}

/// Coordinator `sims[0]` demotes or removes `sims[v]` on instance `x`; right
/// after the acknowledgement the victim calls the other instance, whose
/// cached view of the victim predates the change.
async fn admin_event(
    env: &Env,
    sims: &mut [Sim],
    v: usize,
    demote: bool,
    x: usize,
    rng: &mut Rng,
    seed: u64,
) -> Tally {
    let urls = env.urls();
    let http = &env.http;
    let mut t = Tally::default();
    let y = 1 - x;
    // The victim calls the other instance first, so its member view holds
    // the victim as it was (a member it never saw it would look up afresh).
    sims[v].pull(http, &urls[y]).await;
    let was = sims[v].dev.role;
    let target = sims[v].dev.member.clone();
    let kind = if demote {
        OpKind::SetRole {
            member: target.clone(),
            role: Role::Volunteer,
        }
    } else {
        OpKind::RemoveMember {
            member: target.clone(),
        }
    };
    let op = sims[0].dev.mint(kind);
    let seq = op.id.seq;
    sims[0].outbox.push(op);
    let mut d = sims[0].dev.clone();
    d.base = urls[x].clone();
    let res = d.push(http, &sims[0].outbox).await;
    assert!(
        res.accepted_through >= seq,
        "seed {seed}: admin op not acknowledged"
    );
    sims[0].ack(res.accepted_through);

    let mut probes: Vec<&str> = if demote {
        vec!["POST codes", "GET codes", "GET devices"]
    } else {
        let mut p = vec!["POST ops", "GET head", "GET private", "PUT private"];
        if was == Role::Coordinator {
            p.extend(["POST codes", "GET devices"]);
        }
        p
    };
    // Only the first call finds the stale view (some calls refresh it), so
    // which one comes first varies by seed.
    let first = rng.range(0, probes.len() as u64 - 1) as usize;
    probes.swap(0, first);
    let mut victim = sims[v].dev.clone();
    victim.base = urls[y].clone();
    let wish = sims[v]
        .state
        .wishes
        .values()
        .find(|w| w.created_by == target)
        .or_else(|| sims[v].state.wishes.values().next())
        .map(|w| w.id.to_string())
        .unwrap_or_else(|| "w-none".into());
    for probe in probes {
        let (method, path) = probe.split_once(' ').unwrap();
        let (path, body) = match probe {
            "POST ops" => {
                let mut ops = sims[v].outbox.clone();
                ops.push(victim.wish_op("移除之后"));
                ("ops".to_string(), Some(json!({ "ops": ops })))
            }
            "PUT private" => (
                format!("private/{wish}"),
                Some(json!({"wish": wish, "phone": "138 0000 0000"})),
            ),
            "POST codes" => (
                "codes".to_string(),
                Some(json!({"role": "resident", "expires_in_hours": 1, "max_uses": 1})),
            ),
            _ => (path.to_string(), None),
        };
        let (s, j) = victim
            .send(http, method.parse().unwrap(), &path, body)
            .await;
        if probe == "POST ops" {
            if s == StatusCode::OK {
                sims[v].dev.seq = victim.seq;
                sims[v].ack(j["accepted_through"].as_u64().unwrap_or(0));
                // Pushes may lag by AUTH_TTL (docs/sync-protocol.md, "Auth"): taken,
                // but the reducer must void it.
                let id = OpId::new(victim.device.clone(), victim.seq);
                let note =
                    format!("seed {seed}: removed {was:?} {target}'s push on instance {y} applied");
                t.after_removal.push((id, note));
                continue;
            } else {
                victim.seq -= 1;
            }
        }
        if !refused(s, error_code(&j), demote) {
            t.stale_privileged += 1;
            let what = if demote { "demoted" } else { "removed" };
            t.notes.push(format!(
                "seed {seed}: {what} {was:?} {target}, acknowledged on instance {x}, got {s} {} for {probe} on instance {y}",
                error_code(&j)
            ));
        }
    }
    if demote {
        sims[v].dev.role = Role::Volunteer;
    } else {
        sims[v].removed = true;
    }

    // The coordinator keeps its power on the other instance.
    let mut c = sims[0].dev.clone();
    c.base = urls[y].clone();
    for (method, path, body) in [
        (
            Method::POST,
            "codes",
            Some(json!({"role": "volunteer", "expires_in_hours": 1, "max_uses": 1})),
        ),
        (Method::GET, "devices", None),
        (Method::GET, "private", None),
    ] {
        let (s, j) = c.send(http, method, path, body).await;
        assert_eq!(
            s,
            StatusCode::OK,
            "seed {seed}: coordinator {path} on instance {y}: {j}"
        );
    }
    if wish != "w-none" {
        let rec = json!({"wish": wish, "phone": "139 0000 0000"});
        let (s, j) = c
            .send(http, Method::PUT, &format!("private/{wish}"), Some(rec))
            .await;
        assert!(
            s == StatusCode::OK || error_code(&j) == "wish_closed",
            "seed {seed}: coordinator PUT private on instance {y}: {s} {j}"
        );
    }
    t
}

async fn roles_seed(env: &Env, seed: u64) -> Tally {
    // Another stream than the convergence scenario's for the same seed.
    let mut rng = Rng::new(seed ^ 0x5eed_f401);
    let urls = env.urls();
    let http = &env.http;
    let mut sims = env
        .sims(
            &format!("roles-{seed}"),
            &[
                (Role::Coordinator, "副主任"),
                (Role::Volunteer, "志愿者甲"),
                (Role::Volunteer, "志愿者乙"),
                (Role::Resident, "居民甲"),
                (Role::Resident, "居民乙"),
                (Role::GridWorker, "网格员"),
            ],
        )
        .await;
    let vols = volunteers(&sims);
    const STEPS: u64 = 90;
    // One demotion of the second coordinator, then two removals.
    let mut events: Vec<u64> = (0..3).map(|_| rng.range(5, STEPS - 1)).collect();
    events.sort();
    let mut t = Tally::default();
    let mut done = 0;
    for n in 0..STEPS {
        let i = rng.range(0, sims.len() as u64 - 1) as usize;
        if !sims[i].removed {
            step(&mut sims, i, &urls, http, &mut rng, &vols).await;
        }
        while done < events.len() && events[done] == n {
            let (v, demote) = if done == 0 {
                (1, true)
            } else {
                let active: Vec<usize> = (1..sims.len()).filter(|j| !sims[*j].removed).collect();
                (*rng.pick(&active), false)
            };
            done += 1;
            let x = rng.range(0, 1) as usize;
            t.add(admin_event(env, &mut sims, v, demote, x, &mut rng, seed).await);
        }
    }
    let mut f = finish(&mut sims, &urls, http, seed).await;
    for (id, note) in std::mem::take(&mut t.after_removal) {
        if sims[0].state.outcome(&id) != Some(linli_core::Outcome::Void(VoidReason::UnknownAuthor))
        {
            t.stale_privileged += 1;
            t.notes.push(note);
        }
    }
    f.add(t);
    f
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn role_changes_take_effect_on_every_instance() {
    let env = Env::new().await;
    let mut total = Tally::default();
    for seed in 0..seeds(16) {
        total.add(roles_seed(&env, seed).await);
    }
    println!("roles: {}", total.line());
    total.assert_clean();
}

/// Both scenarios over many seeds (`./dev soak`); one summary line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "soak: 1000 seeds, run by ./dev soak"]
async fn soak() {
    let env = Env::new().await;
    let start = Instant::now();
    let mut total = Tally::default();
    for seed in 0..seeds(1000) {
        let mut t = converge_seed(&env, seed).await;
        t.add(roles_seed(&env, seed).await);
        t.seeds = 1;
        total.add(t);
    }
    println!("{} ({:.0} s)", total.line(), start.elapsed().as_secs_f64());
    total.assert_clean();
}
