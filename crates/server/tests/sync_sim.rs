//! Randomized simulation through the real endpoint (two instances on one
//! store): devices go on and offline, mint ops offline, push (with partial
//! batches and retries on the other instance) and pull page by page. At the
//! end every device has the same state hash, and every minted op is in the
//! log exactly once.
mod common;

use std::collections::BTreeMap;

use common::*;
use linli_core::demo::Rng;
use linli_core::ids::{MemberId, WishId};
use linli_core::model::{Assignee, Rating, Role};
use linli_core::{LogEntry, Op, OpKind, State};

struct Sim {
    dev: Device,
    outbox: Vec<Op>,
    log: Vec<LogEntry>,
    state: State,
    online: bool,
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
        self.outbox.retain(|o| o.id.seq > res.accepted_through);
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_devices_converge_through_the_endpoint() {
    let store = mem_store();
    let a = Server::start(store.clone()).await;
    let b = Server::start(store).await;
    let urls = [a.url.clone(), b.url.clone()];
    let http = http();
    for seed in 0..16u64 {
        let mut rng = Rng::new(seed);
        let coord = community(&http, &a, &format!("sim-{seed}")).await;
        let mut sims = vec![coord.clone()];
        for (role, name) in [
            (Role::Volunteer, "志愿者甲"),
            (Role::Volunteer, "志愿者乙"),
            (Role::Resident, "居民甲"),
            (Role::Resident, "居民乙"),
            (Role::GridWorker, "网格员"),
        ] {
            sims.push(member(&http, &coord, role, name).await);
        }
        let volunteers: Vec<MemberId> = sims
            .iter()
            .filter(|d| d.role == Role::Volunteer)
            .map(|d| d.member.clone())
            .collect();
        let mut sims: Vec<Sim> = sims
            .into_iter()
            .map(|dev| Sim {
                dev,
                outbox: Vec::new(),
                log: Vec::new(),
                state: State::new(),
                online: true,
            })
            .collect();
        for _ in 0..120 {
            let i = rng.range(0, sims.len() as u64 - 1) as usize;
            let base = &urls[rng.range(0, 1) as usize];
            let s = &mut sims[i];
            match rng.range(0, 9) {
                0 | 1 => s.online = !s.online,
                2..=5 => s.mint(&mut rng, &volunteers),
                6 | 7 if s.online => {
                    s.push(&http, base, &mut rng).await;
                    if rng.range(0, 3) == 0 {
                        // The same batch again, on the other instance.
                        let other = &urls[rng.range(0, 1) as usize];
                        s.push(&http, other, &mut rng).await;
                    }
                }
                _ if s.online => s.pull(&http, base).await,
                _ => {}
            }
        }
        // Everyone comes back online and syncs.
        for s in &mut sims {
            s.online = true;
            let mut d = s.dev.clone();
            d.base = urls[0].clone();
            let res = d.push(&http, &s.outbox).await;
            assert_eq!(res.accepted_through, s.dev.seq, "seed {seed}");
            s.outbox.clear();
        }
        for s in &mut sims {
            s.pull(&http, &urls[1]).await;
        }
        let hashes: Vec<String> = sims.iter().map(|s| s.state.hash()).collect();
        assert!(
            hashes.iter().all(|h| h == &hashes[0]),
            "seed {seed}: {hashes:?}"
        );
        let log = &sims[0].log;
        check_log(log);
        assert_eq!(linli_core::fold(log).hash(), hashes[0]);
        let mut per: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
        for e in log {
            per.entry(e.op.id.device.as_str())
                .or_default()
                .push(e.op.id.seq);
        }
        for s in &sims {
            let want: Vec<u64> = (1..=s.dev.seq).collect();
            let got = per.get(s.dev.device.as_str()).cloned().unwrap_or_default();
            assert_eq!(got, want, "seed {seed}: device {}", s.dev.device);
        }
    }
}
