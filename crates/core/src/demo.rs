//! Sample data: a `LogBuilder` that mints ops the way devices do (per-device
//! sequence numbers, HLC stamps), and `community_log`, a realistic Chinese
//! demo community with wishes in every status, for the server's `serve`
//! command, the UI's first run and the tests. Deterministic for a given seed
//! and start time.

use crate::activity::{Organiser, PointsMode};
use crate::calendar;
use crate::checkin;
use crate::hlc::Clock;
use crate::ids::ActivityId;
use crate::ids::{DeviceId, MemberId, OpId, WishId};
use crate::model::*;
use crate::op::{LogEntry, Op, OpKind};
use crate::reduce::{Outcome, State, apply};
use std::collections::BTreeMap;

/// Mints and sequences ops for several members, each on its own device
/// (`dev-<member>`), with a shared simulated wall clock.
#[derive(Clone, Debug)]
pub struct LogBuilder {
    now: u64,
    devices: BTreeMap<MemberId, (DeviceId, u64, Clock)>,
    /// The sequenced log so far.
    pub log: Vec<LogEntry>,
    /// State after the log so far (kept in step, so outcomes are known at once).
    pub state: State,
}

impl LogBuilder {
    /// Start at `start_ms` (epoch ms).
    pub fn new(start_ms: u64) -> Self {
        Self {
            now: start_ms,
            devices: BTreeMap::new(),
            log: Vec::new(),
            state: State::new(),
        }
    }

    /// A community `cm` founded by coordinator `c1` at `start_ms`, with
    /// `grids` and a member per `(id, role, their grids)`, all applied (for
    /// tests that need a few members and nothing else).
    pub fn community(start_ms: u64, grids: &[&str], members: &[(&str, Role, &[&str])]) -> Self {
        let mut b = Self::new(start_ms);
        let names = |l: &[&str]| l.iter().map(|g| g.to_string()).collect::<Vec<_>>();
        let push = |b: &mut Self, kind| {
            let (id, out) = b.push("c1", kind);
            assert_eq!(out, Outcome::Applied, "{id}");
        };
        push(
            &mut b,
            OpKind::CreateCommunity {
                community: "cm".into(),
                name: "长寿路社区".into(),
                founder: "苏书记".into(),
                grids: names(grids),
                buildings: Vec::new(),
                settings: None,
            },
        );
        for (id, role, theirs) in members {
            push(
                &mut b,
                OpKind::AddMember {
                    member: (*id).into(),
                    name: (*id).into(),
                    role: *role,
                    skills: Vec::new(),
                    grids: names(theirs),
                    partner: None,
                },
            );
        }
        b
    }

    /// The simulated wall clock.
    pub fn now(&self) -> u64 {
        self.now
    }

    /// Move the wall clock forward.
    pub fn advance_ms(&mut self, ms: u64) {
        self.now += ms;
    }

    /// Move the wall clock forward by hours.
    pub fn advance_hours(&mut self, h: u64) {
        self.advance_ms(h * 3_600_000);
    }

    /// Mint an op on `author`'s device without sequencing it (a pending op).
    pub fn mint(&mut self, author: &str, kind: OpKind) -> Op {
        let member = MemberId::from(author);
        let now = self.now;
        let (dev, seq, clock) = self
            .devices
            .entry(member.clone())
            .or_insert_with(|| (DeviceId(format!("dev-{author}")), 0, Clock::new()));
        *seq += 1;
        let hlc = clock.tick(now);
        Op::new(OpId::new(dev.clone(), *seq), member, hlc, kind)
    }

    /// Sequence an op (append to the log and fold it).
    pub fn append(&mut self, op: Op) -> Outcome {
        let entry = LogEntry {
            seq: self.log.len() as u64 + 1,
            op,
        };
        let out = apply(&mut self.state, &entry);
        self.log.push(entry);
        out
    }

    /// Mint and sequence in one go; returns the op id and its outcome.
    pub fn push(&mut self, author: &str, kind: OpKind) -> (OpId, Outcome) {
        let op = self.mint(author, kind);
        let id = op.id.clone();
        let out = self.append(op);
        (id, out)
    }
}

/// SplitMix64: a tiny deterministic generator (no `rand` in the shipped crate).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// Seeded generator.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.next_u64() as usize % items.len()]
    }
}

const HOUR: u64 = 3_600_000;
const GRIDS: [&str; 3] = ["一网格", "二网格", "三网格"];

/// (category, title, description) of typical micro-wishes.
const TEMPLATES: &[(Category, &str, &str)] = &[
    (
        Category::Repair,
        "楼道灯不亮",
        "晚上楼道一片黑，老人上下楼不方便",
    ),
    (
        Category::Repair,
        "门牌号脱落",
        "单元门牌掉了，快递和外卖找不到",
    ),
    (
        Category::Repair,
        "台阶破损",
        "单元门口台阶裂了一块，容易绊倒",
    ),
    (Category::Repair, "雨天窗户漏水", "下雨时窗框渗水，墙皮发霉"),
    (
        Category::Cleaning,
        "楼道杂物清理",
        "楼道堆放旧家具，存在消防隐患",
    ),
    (
        Category::Cleaning,
        "自行车棚垃圾清运",
        "车棚角落积了很多垃圾",
    ),
    (
        Category::ElderlyCare,
        "独居老人助浴",
        "老人行动不便，希望每月上门助浴一次",
    ),
    (
        Category::ElderlyCare,
        "帮忙代购药品",
        "腿脚不便，需要有人帮忙去药店买药",
    ),
    (Category::ElderlyCare, "助餐送餐", "希望社区食堂能送餐到家"),
    (
        Category::Parking,
        "电动车飞线充电",
        "楼上有人拉线充电，担心起火",
    ),
    (Category::Parking, "停车位划线", "小区停车乱，希望重新划线"),
    (
        Category::Greening,
        "树枝遮挡窗户需修剪",
        "雨天树枝上的水滴进屋里",
    ),
    (
        Category::Greening,
        "绿地杂草清理",
        "中心花园长满杂草，黄土裸露",
    ),
    (
        Category::LegalAid,
        "物业纠纷法律咨询",
        "物业费和维修责任说不清，想咨询律师",
    ),
    (
        Category::LegalAid,
        "劳动合同问题咨询",
        "工资被拖欠，想了解怎么维权",
    ),
    (
        Category::Medical,
        "上门测量血压",
        "老人高血压，希望定期上门测量",
    ),
    (
        Category::Medical,
        "康复指导",
        "术后康复，希望有医生上门指导",
    ),
    (
        Category::Paperwork,
        "代办低保申请",
        "家庭困难，不清楚低保申请材料",
    ),
    (
        Category::Paperwork,
        "高龄补贴申请",
        "帮忙准备高龄补贴的申请材料",
    ),
    (
        Category::Paperwork,
        "孩子入园咨询",
        "随迁子女入园需要哪些手续",
    ),
    (Category::Other, "垃圾分类指导", "不会分类，希望有人讲解"),
];

/// What happens to a demo wish.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fate {
    LapsedThenClosed,
    Rejected,
    DuplicateMerged,
    Escalated,
    Cancelled,
    Satisfied,
    BasicallySatisfied,
    NotSatisfied,
    ReworkThenClosed,
    AwaitingEvaluation,
    PartnerClosed,
    Submitted,
    Published,
    TeamInProgress,
    Claimed,
    Assigned,
}

/// A demo community log (长寿路社区): 16 members of every role, three
/// grids, three teams (党员先锋队, 法律援助队, 医疗服务队), three partner
/// units with resources, and about forty wishes in every status, all made
/// by real ops. The first op is stamped `start_ms`; the log spans roughly
/// two to three months (start about 90 days before "now" for a live demo).
/// Deterministic for a given `(seed, start_ms)`. Only valid ops: every one
/// folds as `Applied`.
pub fn community_log(seed: u64, start_ms: u64) -> Vec<LogEntry> {
    demo_builder(seed, start_ms).log
}

/// The demo as a builder (its `state` is the folded demo state).
pub fn demo_builder(seed: u64, start_ms: u64) -> LogBuilder {
    let mut rng = Rng::new(seed);
    let mut b = LogBuilder::new(start_ms);
    let step = |b: &mut LogBuilder, author: &str, kind: OpKind| {
        let (id, out) = b.push(author, kind);
        debug_assert_eq!(out, Outcome::Applied, "demo op {id} was void");
    };
    step(
        &mut b,
        "c1",
        OpKind::CreateCommunity {
            community: "changshou-road".into(),
            name: "长寿路社区".into(),
            founder: "苏琼芬".into(),
            grids: GRIDS.map(String::from).to_vec(),
            buildings: (1..=12).map(|n| format!("{n}号楼")).collect(),
            settings: None,
        },
    );
    for (id, name) in [
        ("u1", "市第三人民医院"),
        ("u2", "绿城物业"),
        ("u3", "红山律师事务所"),
    ] {
        step(
            &mut b,
            "c1",
            OpKind::AddPartner {
                partner: id.into(),
                name: name.into(),
            },
        );
    }
    use Category as C;
    #[allow(clippy::type_complexity)] // a literal table reads best as tuples
    let people: &[(&str, &str, Role, &[Category], &[&str], Option<&str>)] = &[
        ("c2", "王润梅", Role::Coordinator, &[], &[], None),
        ("g1", "李建国", Role::GridWorker, &[], &["一网格"], None),
        (
            "g2",
            "张秀兰",
            Role::GridWorker,
            &[],
            &["二网格", "三网格"],
            None,
        ),
        (
            "v1",
            "杨志强",
            Role::Volunteer,
            &[C::Repair, C::Greening, C::Parking],
            &["一网格"],
            None,
        ),
        (
            "v2",
            "陈晓敏",
            Role::Volunteer,
            &[C::ElderlyCare, C::Cleaning, C::Other],
            &["二网格"],
            None,
        ),
        (
            "v3",
            "刘明",
            Role::Volunteer,
            &[C::LegalAid, C::Paperwork],
            &["一网格", "二网格"],
            None,
        ),
        (
            "v4",
            "赵丽华",
            Role::Volunteer,
            &[C::Medical, C::ElderlyCare],
            &["三网格"],
            None,
        ),
        (
            "v5",
            "唐云和",
            Role::Volunteer,
            &[C::Cleaning, C::Repair, C::Paperwork],
            &["三网格"],
            None,
        ),
        ("r1", "王大爷", Role::Resident, &[], &["一网格"], None),
        ("r2", "李阿姨", Role::Resident, &[], &["二网格"], None),
        ("r3", "杨双锁", Role::Resident, &[], &["三网格"], None),
        ("p1", "周主任", Role::Partner, &[], &[], Some("u1")),
        ("p2", "孙经理", Role::Partner, &[], &[], Some("u2")),
        ("p3", "何律师", Role::Partner, &[], &[], Some("u3")),
        ("k1", "服务大厅自助机", Role::Kiosk, &[], &[], None),
        ("x1", "西关街道", Role::Viewer, &[], &[], None),
    ];
    for (id, name, role, skills, grids, partner) in people {
        step(
            &mut b,
            "c1",
            OpKind::AddMember {
                member: (*id).into(),
                name: (*name).into(),
                role: *role,
                skills: skills.to_vec(),
                grids: grids.iter().map(|g| g.to_string()).collect(),
                partner: partner.map(Into::into),
            },
        );
    }
    #[allow(clippy::type_complexity)]
    let teams: &[(&str, &str, &str, &[&str], &[Category])] = &[
        (
            "t1",
            "党员先锋队",
            "v1",
            &["v1", "v2", "v5"],
            &[C::Repair, C::Cleaning, C::Greening, C::Parking],
        ),
        (
            "t2",
            "法律援助队",
            "v3",
            &["v3"],
            &[C::LegalAid, C::Paperwork],
        ),
        (
            "t3",
            "医疗服务队",
            "v4",
            &["v4", "v2"],
            &[C::Medical, C::ElderlyCare],
        ),
    ];
    for (id, name, lead, members, cats) in teams {
        step(
            &mut b,
            "c1",
            OpKind::CreateTeam {
                team: (*id).into(),
                name: (*name).into(),
                lead: Some((*lead).into()),
                members: members.iter().map(|m| MemberId::from(*m)).collect(),
                categories: cats.to_vec(),
            },
        );
    }
    #[allow(clippy::type_complexity)]
    let resources: &[(&str, &str, &str, &str, &[Category], u32, u8, &[&str])] = &[
        (
            "res1",
            "p1",
            "u1",
            "周六义诊（医生2名）",
            &[C::Medical, C::ElderlyCare],
            20,
            1 << 5,
            &[],
        ),
        ("res2", "p2", "u2", "维修工具借用", &[C::Repair], 5, 0, &[]),
        (
            "res3",
            "p2",
            "u2",
            "园林修剪班组",
            &[C::Greening],
            3,
            0b0001_1111,
            &["一网格", "二网格"],
        ),
        (
            "res4",
            "p3",
            "u3",
            "每周二法律咨询",
            &[C::LegalAid],
            8,
            1 << 1,
            &[],
        ),
        ("res5", "p1", "u1", "周六志愿者20人", &[], 20, 1 << 5, &[]),
    ];
    for (id, author, unit, title, cats, cap, days, grids) in resources {
        step(
            &mut b,
            author,
            OpKind::AddResource {
                resource: (*id).into(),
                partner: (*unit).into(),
                title: (*title).into(),
                categories: cats.to_vec(),
                capacity: *cap,
                window: None,
                weekdays: *days,
                grids: grids.iter().map(|g| g.to_string()).collect(),
            },
        );
    }

    // Fates: every status at least once, then a random mix; wishes that end
    // holding a lease come last so they are still live at the end of the log.
    let mut fates = vec![
        Fate::LapsedThenClosed,
        Fate::Rejected,
        Fate::DuplicateMerged,
        Fate::Escalated,
        Fate::Cancelled,
        Fate::Satisfied,
        Fate::BasicallySatisfied,
        Fate::NotSatisfied,
        Fate::ReworkThenClosed,
        Fate::AwaitingEvaluation,
        Fate::PartnerClosed,
        Fate::Submitted,
        Fate::Published,
        Fate::TeamInProgress,
    ];
    let common = [
        Fate::Satisfied,
        Fate::Satisfied,
        Fate::Satisfied,
        Fate::BasicallySatisfied,
        Fate::AwaitingEvaluation,
        Fate::Rejected,
        Fate::Published,
        Fate::NotSatisfied,
        Fate::Cancelled,
    ];
    for _ in 0..18 {
        fates.push(*rng.pick(&common));
    }
    for i in (1..fates.len()).rev() {
        fates.swap(i, rng.next_u64() as usize % (i + 1));
    }
    fates.extend([Fate::Claimed, Fate::Assigned, Fate::Claimed, Fate::Assigned]);

    let mut n = 0;
    let live_from = fates.len() - 4;
    let mut day0 = 0;
    for (i, fate) in fates.into_iter().enumerate() {
        let live = i >= live_from;
        if i == live_from {
            // The month of activities, before the wishes still held.
            day0 = calendar::next_midnight(b.now(), Settings::default().utc_offset_minutes);
            activities(&mut b, day0, false);
        }
        b.advance_ms(if live {
            rng.range(1, 3) * HOUR
        } else {
            rng.range(20, 50) * HOUR
        });
        n += 1;
        let wid = format!("w{n:03}");
        let (cat, title, desc) = *rng.pick(TEMPLATES);
        let unit = n % 3;
        let g = rng.range(0, 2) as usize;
        let grid = GRIDS[g];
        // Residents of each grid, the grid worker, or the kiosk file it.
        let resident = ["r1", "r2", "r3"][g];
        let worker = ["g1", "g2", "g2"][g];
        let (filer, channel, requester) = match (fate, rng.range(0, 3)) {
            (Fate::Cancelled | Fate::NotSatisfied, _) | (_, 0 | 1) => {
                (resident, Channel::SelfService, None)
            }
            (_, 2) => (worker, Channel::OnBehalf, Some(resident)),
            _ => ("k1", Channel::Kiosk, None),
        };
        let rater = if requester.is_some() || channel == Channel::SelfService {
            resident
        } else {
            "c1"
        };
        let create = |wid: &str, urgency, channel, requester: Option<&str>| OpKind::CreateWish {
            wish: wid.into(),
            category: cat,
            title: title.into(),
            description: desc.into(),
            place: Place {
                grid: Some(grid.into()),
                building: Some(format!("{}号楼", 1 + g * 4 + (wid.len() % 4))),
                unit: Some(format!("{}单元", 1 + unit)),
                text: None,
            },
            urgency,
            window: None,
            channel,
            requester: requester.map(Into::into),
        };
        let urgency = *rng.pick(&[
            Urgency::Low,
            Urgency::Normal,
            Urgency::Normal,
            Urgency::High,
            Urgency::Urgent,
        ]);
        step(&mut b, filer, create(&wid, urgency, channel, requester));
        let w = || WishId::from(wid.as_str());
        // A volunteer with the skill, else the party pioneers' lead.
        let skilled: Vec<&str> = people
            .iter()
            .filter(|p| p.2 == Role::Volunteer && p.3.contains(&cat))
            .map(|p| p.0)
            .collect();
        let vol = if skilled.is_empty() {
            "v1"
        } else {
            *rng.pick(&skilled)
        };
        let other = if vol == "v5" { "v1" } else { "v5" };
        let gap = |b: &mut LogBuilder, rng: &mut Rng| {
            b.advance_ms(if live {
                HOUR / 2
            } else {
                rng.range(1, 8) * HOUR
            })
        };
        let minutes = rng.range(2, 12) as u32 * 15;
        let report = "已处理完毕，居民当面确认";
        let work = |b: &mut LogBuilder, rng: &mut Rng, who: &str| {
            step(b, who, OpKind::Start { wish: w() });
            gap(b, rng);
            step(
                b,
                who,
                OpKind::Note {
                    wish: w(),
                    text: "已上门查看，约好时间处理".into(),
                },
            );
            gap(b, rng);
            step(
                b,
                who,
                OpKind::Complete {
                    wish: w(),
                    report: report.into(),
                    minutes,
                },
            );
            gap(b, rng);
        };
        let eval = |b: &mut LogBuilder, rating, comment: &str| {
            step(
                b,
                rater,
                OpKind::Evaluate {
                    wish: w(),
                    rating,
                    comment: comment.into(),
                },
            );
        };
        gap(&mut b, &mut rng);
        match fate {
            Fate::Submitted => {}
            Fate::Rejected => step(
                &mut b,
                "c1",
                OpKind::Reject {
                    wish: w(),
                    reason: "属于物业维修责任，已转绿城物业处理".into(),
                },
            ),
            Fate::Escalated => step(
                &mut b,
                "c1",
                OpKind::Escalate {
                    wish: w(),
                    level: Level::Street,
                    note: "涉及产权划分，需街道协调".into(),
                },
            ),
            Fate::Cancelled => {
                step(&mut b, "c1", OpKind::Publish { wish: w() });
                gap(&mut b, &mut rng);
                step(
                    &mut b,
                    resident,
                    OpKind::Cancel {
                        wish: w(),
                        reason: "家人已经帮忙解决".into(),
                    },
                );
            }
            Fate::Published => step(&mut b, "c1", OpKind::Publish { wish: w() }),
            Fate::Claimed => {
                step(&mut b, "c1", OpKind::Publish { wish: w() });
                gap(&mut b, &mut rng);
                step(&mut b, vol, OpKind::Claim { wish: w() });
            }
            Fate::Assigned => step(
                &mut b,
                "c2",
                OpKind::Assign {
                    wish: w(),
                    to: Assignee::Member(vol.into()),
                },
            ),
            Fate::TeamInProgress => {
                step(
                    &mut b,
                    "c1",
                    OpKind::Assign {
                        wish: w(),
                        to: Assignee::Team("t1".into()),
                    },
                );
                gap(&mut b, &mut rng);
                step(&mut b, "v5", OpKind::Start { wish: w() });
            }
            Fate::DuplicateMerged => {
                step(&mut b, "c1", OpKind::Publish { wish: w() });
                gap(&mut b, &mut rng);
                n += 1;
                let dup = format!("w{n:03}");
                step(
                    &mut b,
                    "k1",
                    create(&dup, Urgency::Normal, Channel::Kiosk, None),
                );
                gap(&mut b, &mut rng);
                step(
                    &mut b,
                    "c1",
                    OpKind::Merge {
                        wish: dup.as_str().into(),
                        into: w(),
                    },
                );
                gap(&mut b, &mut rng);
                step(&mut b, vol, OpKind::Claim { wish: w() });
                gap(&mut b, &mut rng);
                work(&mut b, &mut rng, vol);
                eval(&mut b, Rating::Satisfied, "邻居们都说好");
            }
            Fate::PartnerClosed => {
                step(&mut b, "c1", OpKind::Publish { wish: w() });
                gap(&mut b, &mut rng);
                step(
                    &mut b,
                    "p1",
                    OpKind::PartnerClaim {
                        wish: w(),
                        partner: "u1".into(),
                        resource: Some("res5".into()),
                    },
                );
                gap(&mut b, &mut rng);
                work(&mut b, &mut rng, "p1");
                eval(&mut b, Rating::Satisfied, "共建单位很专业");
            }
            Fate::LapsedThenClosed => {
                step(&mut b, "c1", OpKind::Publish { wish: w() });
                gap(&mut b, &mut rng);
                step(&mut b, other, OpKind::Claim { wish: w() });
                b.advance_ms(73 * HOUR);
                step(&mut b, "c1", OpKind::ExpireLease { wish: w() });
                gap(&mut b, &mut rng);
                step(&mut b, vol, OpKind::Claim { wish: w() });
                gap(&mut b, &mut rng);
                work(&mut b, &mut rng, vol);
                eval(&mut b, Rating::Satisfied, "");
            }
            Fate::Satisfied
            | Fate::BasicallySatisfied
            | Fate::NotSatisfied
            | Fate::AwaitingEvaluation
            | Fate::ReworkThenClosed => {
                step(&mut b, "c1", OpKind::Publish { wish: w() });
                gap(&mut b, &mut rng);
                step(&mut b, vol, OpKind::Claim { wish: w() });
                gap(&mut b, &mut rng);
                work(&mut b, &mut rng, vol);
                match fate {
                    Fate::Satisfied => eval(&mut b, Rating::Satisfied, "非常满意，感谢志愿者"),
                    Fate::BasicallySatisfied => {
                        eval(&mut b, Rating::BasicallySatisfied, "基本解决了")
                    }
                    Fate::NotSatisfied => eval(&mut b, Rating::NotSatisfied, "问题没有解决"),
                    Fate::ReworkThenClosed => {
                        eval(&mut b, Rating::NotSatisfied, "过两天又坏了");
                        gap(&mut b, &mut rng);
                        step(
                            &mut b,
                            "c1",
                            OpKind::Assign {
                                wish: w(),
                                to: Assignee::Member(other.into()),
                            },
                        );
                        gap(&mut b, &mut rng);
                        work(&mut b, &mut rng, other);
                        eval(&mut b, Rating::Satisfied, "返工后彻底修好了");
                    }
                    _ => {}
                }
            }
        }
    }
    activities(&mut b, day0, true);
    b
}

/// The check-in key of a demo activity (the demo is public, so its keys
/// may be derived from the id; a real one comes from `checkin::new_key`
/// with the device's randomness and never reaches the log before the end).
pub fn activity_key(activity: &ActivityId) -> String {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(format!("linli demo key {activity}"));
    let mut bytes = [0u8; 10];
    bytes.copy_from_slice(&h[..10]);
    checkin::new_key(bytes)
}

/// A month of activities (活动) from `day0` (a local midnight), in every
/// state: finished ones with self, kiosk and organiser check-ins, a walk-in,
/// a missing check-out closed at the end, a no-show, a waiting list and a
/// promotion, a correction and a verified key; one called off (all before
/// the wishes still held, `upcoming` false); then (`upcoming`, after the
/// last wish op; the live demo starts two days after it) one open with a
/// full waiting list and one only planned.
fn activities(b: &mut LogBuilder, day0: u64, upcoming: bool) {
    let step = |b: &mut LogBuilder, author: &str, kind: OpKind| {
        let (id, out) = b.push(author, kind);
        debug_assert_eq!(out, Outcome::Applied, "demo op {id} was void");
    };
    // Local time of day `d` after the wishes, at `h` hours `m` minutes.
    let at = |d: u64, h: u64, m: u64| day0 + d * 24 * HOUR + h * HOUR + m * 60_000;
    let go = |b: &mut LogBuilder, t: u64| {
        let now = b.now();
        b.advance_ms(t.saturating_sub(now));
    };
    #[allow(clippy::too_many_arguments)] // one literal call per activity reads best
    fn plan(
        id: &str,
        title: &str,
        theme: &str,
        description: &str,
        venue: &str,
        (start, end): (u64, u64),
        capacity: Option<u32>,
        organiser: Option<Organiser>,
        fixed: Option<u32>,
    ) -> OpKind {
        let activity = ActivityId::from(id);
        OpKind::CreateActivity {
            check: checkin::key_check(&activity, &activity_key(&activity)),
            activity,
            title: title.into(),
            theme: theme.into(),
            description: description.into(),
            venue: venue.into(),
            start,
            end,
            capacity,
            organiser,
            sign_up_by: None,
            points: if fixed.is_some() {
                PointsMode::Fixed
            } else {
                PointsMode::ByTime
            },
            fixed_points: fixed,
        }
    }
    let a = |id: &str| ActivityId::from(id);
    let open = |id: &str| OpKind::OpenActivity { activity: a(id) };
    let sign_up = |id: &str| OpKind::SignUp {
        activity: a(id),
        member: None,
    };
    let withdraw = |id: &str| OpKind::Withdraw {
        activity: a(id),
        member: None,
    };
    let self_in = |id: &str, who: &str| OpKind::CheckIn {
        activity: a(id),
        member: None,
        proof: checkin::proof(&a(id), &who.into(), &activity_key(&a(id))),
    };
    let in_for = |id: &str, who: &str| OpKind::CheckIn {
        activity: a(id),
        member: Some(who.into()),
        proof: String::new(),
    };
    let out = |id: &str| OpKind::CheckOut {
        activity: a(id),
        member: None,
    };
    let team = |t: &str| Some(Organiser::Team(t.into()));
    if upcoming {
        // Coming up: the flea market is open and full with one waiting;
        // the flood drill is only planned.
        step(
            b,
            "c1",
            plan(
                "a06",
                "邻里节：跳蚤市场",
                "邻里节",
                "闲置物品交换，志愿者负责场地和秩序。",
                "北门广场",
                (at(31, 9, 0), at(31, 12, 0)),
                Some(3),
                None,
                None,
            ),
        );
        step(b, "c1", open("a06"));
        for who in ["v2", "v1", "v3", "v5"] {
            b.advance_ms(HOUR / 2);
            step(b, who, sign_up("a06"));
        }
        step(
            b,
            "c1",
            plan(
                "a07",
                "应急演练：防汛演练",
                "应急演练",
                "汛期前检查沙袋、抽水泵，演练地下车库排水。",
                "地下车库入口",
                (at(35, 14, 0), at(35, 16, 0)),
                Some(20),
                None,
                None,
            ),
        );
        return;
    }

    // a01: Red Saturday clean-up by the party pioneers, QR and kiosk check-ins.
    step(
        b,
        "v1",
        plan(
            "a01",
            "红色星期六：楼道杂物清理",
            "红色星期六",
            "党员先锋队带头清理各楼栋楼道堆放的杂物，消除消防隐患。请穿方便劳动的衣服。",
            "一网格 3号楼、5号楼",
            (at(2, 9, 0), at(2, 11, 0)),
            Some(8),
            team("t1"),
            None,
        ),
    );
    step(b, "v1", open("a01"));
    for who in ["v1", "v2", "v5", "r1", "v3"] {
        b.advance_ms(3 * HOUR);
        step(b, who, sign_up("a01"));
    }
    go(b, at(2, 8, 50));
    step(b, "v1", self_in("a01", "v1"));
    go(b, at(2, 9, 5));
    step(b, "v2", self_in("a01", "v2"));
    go(b, at(2, 9, 12));
    step(b, "k1", in_for("a01", "v5"));
    step(b, "k1", in_for("a01", "v3"));
    go(b, at(2, 9, 30));
    step(b, "g1", self_in("a01", "g1")); // a walk-in
    go(b, at(2, 10, 30));
    step(b, "g1", out("a01"));
    go(b, at(2, 10, 40));
    step(b, "v2", out("a01"));
    go(b, at(2, 11, 0));
    step(b, "v1", out("a01"));
    step(
        b,
        "k1",
        OpKind::CheckOut {
            activity: a("a01"),
            member: Some("v3".into()),
        },
    );
    // v5 never checks out (closed at 11:00); r1 never came.

    // a02: the neighbourhood festival, fixed points, a waiting list.
    go(b, at(3, 10, 0));
    step(
        b,
        "c1",
        plan(
            "a02",
            "邻里节：百家宴",
            "邻里节",
            "各家带一道拿手菜，在中心花园一起吃饭聊天。志愿者负责摆桌、引导和收拾。",
            "中心花园",
            (at(9, 10, 0), at(9, 14, 0)),
            Some(4),
            None,
            Some(3),
        ),
    );
    go(b, at(3, 10, 30));
    // a01 is over: its key is revealed and every QR check-in verified.
    step(
        b,
        "v1",
        OpKind::VerifyCheckIns {
            activity: a("a01"),
            key: activity_key(&a("a01")),
        },
    );
    step(b, "c1", open("a02"));
    for who in ["v1", "v2", "v3", "v4", "v5"] {
        b.advance_ms(5 * HOUR);
        step(b, who, sign_up("a02"));
    }
    b.advance_ms(24 * HOUR);
    step(b, "v4", withdraw("a02")); // v5 moves up from the waiting list
    go(b, at(9, 9, 45));
    for who in ["v1", "v2", "v3", "v5"] {
        step(b, "c1", in_for("a02", who));
        b.advance_ms(5 * 60_000);
    }
    go(b, at(9, 13, 30));
    step(b, "v2", out("a02"));

    // a03: an emergency drill called off.
    go(b, at(10, 9, 0));
    step(
        b,
        "c1",
        plan(
            "a03",
            "应急演练：消防疏散",
            "应急演练",
            "与消防站联合开展高层住宅疏散演练。",
            "7号楼及楼前空地",
            (at(13, 15, 0), at(13, 17, 0)),
            Some(30),
            None,
            None,
        ),
    );
    step(b, "c1", open("a03"));
    step(b, "v1", sign_up("a03"));
    step(b, "r2", sign_up("a03"));
    // The festival closed at 14:00 without the others checking out; v3
    // left early, which the coordinator corrects from the paper list.
    step(
        b,
        "c1",
        OpKind::CorrectAttendance {
            activity: a("a02"),
            member: "v3".into(),
            check_in: Some(at(9, 10, 0)),
            check_out: Some(at(9, 12, 0)),
            reason: "提前离开，按纸质签到表补登".into(),
        },
    );
    go(b, at(12, 18, 0));
    step(
        b,
        "c1",
        OpKind::CancelActivity {
            activity: a("a03"),
            reason: "暴雨预警，演练改期".into(),
        },
    );

    // a04: a health check by the partner clinic; residents come too.
    go(b, at(13, 10, 0));
    step(
        b,
        "p1",
        plan(
            "a04",
            "义诊：测血压、查血糖",
            "义诊",
            "市第三人民医院医生进社区，为老人免费测量血压血糖，提供用药咨询。",
            "社区党群服务中心一楼",
            (at(16, 9, 0), at(16, 12, 0)),
            None,
            Some(Organiser::Partner("u1".into())),
            None,
        ),
    );
    step(b, "p1", open("a04"));
    for who in ["v4", "r1", "r2", "r3"] {
        b.advance_ms(4 * HOUR);
        step(b, who, sign_up("a04"));
    }
    go(b, at(16, 8, 40));
    step(b, "v4", self_in("a04", "v4"));
    go(b, at(16, 9, 10));
    step(b, "k1", in_for("a04", "r2"));
    step(b, "k1", in_for("a04", "r1"));
    go(b, at(16, 11, 0));
    step(
        b,
        "k1",
        OpKind::CheckOut {
            activity: a("a04"),
            member: Some("r1".into()),
        },
    );
    go(b, at(16, 11, 55));
    step(b, "v4", out("a04"));

    // a05: the next Red Saturday, finished with everyone closed at the end.
    go(b, at(17, 9, 0));
    step(
        b,
        "v1",
        plan(
            "a05",
            "红色星期六：中心花园补种",
            "红色星期六",
            "补种中心花园裸露黄土，认领绿地。",
            "中心花园",
            (at(23, 9, 0), at(23, 11, 30)),
            Some(10),
            team("t1"),
            None,
        ),
    );
    step(b, "v1", open("a05"));
    for who in ["v1", "v5", "v2"] {
        b.advance_ms(6 * HOUR);
        step(b, who, sign_up("a05"));
    }
    go(b, at(23, 8, 55));
    step(b, "v1", self_in("a05", "v1"));
    step(b, "v5", self_in("a05", "v5"));
    go(b, at(23, 9, 20));
    step(b, "v2", self_in("a05", "v2"));

    go(b, at(26, 10, 0));
}

/// A synthetic activity log for benchmarks: a community with 200
/// volunteers, then `activities` activities one after another (every 6 h,
/// 3 h long, capacity `attendees`), each filled by sign-ups, checked in by
/// the kiosk (half) or by the volunteers' own proofs (half) and checked out
/// (all but one, closed at the end). About 3 ops per attendance.
/// Deterministic for `seed`.
pub fn synthetic_activities(
    activities: usize,
    attendees: usize,
    seed: u64,
    start_ms: u64,
) -> Vec<LogEntry> {
    let mut rng = Rng::new(seed);
    let mut b = LogBuilder::new(start_ms);
    b.push(
        "c1",
        OpKind::CreateCommunity {
            community: "bench".into(),
            name: "压力测试社区".into(),
            founder: "协调员".into(),
            grids: Vec::new(),
            buildings: Vec::new(),
            settings: None,
        },
    );
    let vols: Vec<String> = (0..200).map(|i| format!("v{i}")).collect();
    for v in &vols {
        b.push(
            "c1",
            OpKind::AddMember {
                member: v.as_str().into(),
                name: format!("志愿者{v}"),
                role: Role::Volunteer,
                skills: Vec::new(),
                grids: Vec::new(),
                partner: None,
            },
        );
    }
    b.push(
        "c1",
        OpKind::AddMember {
            member: "k1".into(),
            name: "自助机".into(),
            role: Role::Kiosk,
            skills: Vec::new(),
            grids: Vec::new(),
            partner: None,
        },
    );
    for i in 0..activities {
        let id = ActivityId(format!("a{i}"));
        let key = activity_key(&id);
        let start = b.now() + 2 * HOUR;
        b.push(
            "c1",
            OpKind::CreateActivity {
                check: checkin::key_check(&id, &key),
                activity: id.clone(),
                title: format!("红色星期六 第{i}期"),
                theme: "红色星期六".into(),
                description: String::new(),
                venue: "社区广场".into(),
                start,
                end: start + 3 * HOUR,
                capacity: Some(attendees as u32),
                organiser: None,
                sign_up_by: None,
                points: PointsMode::ByTime,
                fixed_points: None,
            },
        );
        b.push(
            "c1",
            OpKind::OpenActivity {
                activity: id.clone(),
            },
        );
        let first = rng.range(0, vols.len() as u64) as usize;
        let who: Vec<&String> = (0..attendees)
            .map(|k| &vols[(first + k) % vols.len()])
            .collect();
        for v in &who {
            b.push(
                v,
                OpKind::SignUp {
                    activity: id.clone(),
                    member: None,
                },
            );
        }
        b.advance_ms(2 * HOUR - 10 * 60_000);
        for (k, v) in who.iter().enumerate() {
            let kind = if k % 2 == 0 {
                OpKind::CheckIn {
                    activity: id.clone(),
                    member: Some(v.as_str().into()),
                    proof: String::new(),
                }
            } else {
                OpKind::CheckIn {
                    activity: id.clone(),
                    member: None,
                    proof: checkin::proof(&id, &v.as_str().into(), &key),
                }
            };
            b.push(if k % 2 == 0 { "k1" } else { v.as_str() }, kind);
        }
        b.advance_ms(rng.range(1, 3) * HOUR);
        for v in who.iter().skip(1) {
            b.push(
                v,
                OpKind::CheckOut {
                    activity: id.clone(),
                    member: None,
                },
            );
        }
        b.advance_ms(HOUR);
    }
    b.log
}

/// A large synthetic log for benchmarks and load tests: a community with 60
/// volunteers and 30 residents, then `wishes` wishes each taken through
/// create → publish → claim → start → complete → evaluate (one in ten also
/// gets a losing second claim, one in eight is not satisfied and reopened).
/// About 6.2 ops per wish. Deterministic for `seed`.
pub fn synthetic_log(wishes: usize, seed: u64, start_ms: u64) -> Vec<LogEntry> {
    synthetic_log_escalating(wishes, seed, start_ms, None)
}

/// `synthetic_log`, but with `escalate_every: Some(k)` one wish in `k` is
/// published and then escalated to the street (with one of the demo's
/// notes) instead of being claimed: the street benchmark's inbox.
pub fn synthetic_log_escalating(
    wishes: usize,
    seed: u64,
    start_ms: u64,
    escalate_every: Option<usize>,
) -> Vec<LogEntry> {
    let mut rng = Rng::new(seed);
    let mut b = LogBuilder::new(start_ms);
    b.push(
        "c1",
        OpKind::CreateCommunity {
            community: "bench".into(),
            name: "压力测试社区".into(),
            founder: "协调员".into(),
            grids: GRIDS.map(String::from).to_vec(),
            buildings: Vec::new(),
            settings: None,
        },
    );
    let vols: Vec<String> = (0..60).map(|i| format!("v{i}")).collect();
    let res: Vec<String> = (0..30).map(|i| format!("r{i}")).collect();
    for (i, v) in vols.iter().enumerate() {
        b.push(
            "c1",
            OpKind::AddMember {
                member: v.as_str().into(),
                name: format!("志愿者{i}"),
                role: Role::Volunteer,
                skills: vec![Category::ALL[i % 9]],
                grids: vec![GRIDS[i % 3].into()],
                partner: None,
            },
        );
    }
    for (i, r) in res.iter().enumerate() {
        b.push(
            "c1",
            OpKind::AddMember {
                member: r.as_str().into(),
                name: format!("居民{i}"),
                role: Role::Resident,
                skills: Vec::new(),
                grids: vec![GRIDS[i % 3].into()],
                partner: None,
            },
        );
    }
    for n in 0..wishes {
        let wid = WishId(format!("s{n}"));
        let r = rng.pick(&res).clone();
        let v = rng.pick(&vols).clone();
        let (cat, title, desc) = *rng.pick(TEMPLATES);
        b.advance_ms(rng.range(1, 20) * 60_000);
        b.push(
            &r,
            OpKind::CreateWish {
                wish: wid.clone(),
                category: cat,
                title: title.into(),
                description: desc.into(),
                place: Place {
                    grid: Some(GRIDS[n % 3].into()),
                    ..Place::default()
                },
                urgency: Urgency::Normal,
                window: None,
                channel: Channel::SelfService,
                requester: None,
            },
        );
        b.push("c1", OpKind::Publish { wish: wid.clone() });
        if escalate_every.is_some_and(|k| k > 0 && n % k == k / 2) {
            let note = *rng.pick(&ESCALATION_NOTES);
            b.push(
                "c1",
                OpKind::Escalate {
                    wish: wid,
                    level: Level::Street,
                    note: note.into(),
                },
            );
            continue;
        }
        b.push(&v, OpKind::Claim { wish: wid.clone() });
        if n % 10 == 0 {
            let late = rng.pick(&vols).clone();
            b.push(&late, OpKind::Claim { wish: wid.clone() });
        }
        b.push(&v, OpKind::Start { wish: wid.clone() });
        b.push(
            &v,
            OpKind::Complete {
                wish: wid.clone(),
                report: "已完成".into(),
                minutes: rng.range(1, 8) as u32 * 15,
            },
        );
        let rating = if n % 8 == 0 {
            Rating::NotSatisfied
        } else {
            Rating::Satisfied
        };
        b.push(
            &r,
            OpKind::Evaluate {
                wish: wid,
                rating,
                comment: String::new(),
            },
        );
    }
    b.log
}

/// What happens to a wish of `small_community`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Small {
    Submitted,
    Published,
    Rejected,
    Merged,
    Escalated,
    Cancelled,
    Closed,
    Reopened,
    Completed,
    InProgress,
    Claimed,
    Assigned,
}

/// Notes a community puts on the wishes it passes up to the street.
const ESCALATION_NOTES: [&str; 5] = [
    "涉及产权划分，需街道协调",
    "需城管执法队依法处理",
    "跨小区雨污管网问题，需街道协调水务部门",
    "老旧小区加装电梯意见不一，需街道统筹",
    "涉及多个部门职责，社区无法单独解决",
];

/// A smaller demo community (the street demo's second and third): `id` and
/// `name`, a coordinator `c1`, a grid worker `g1`, volunteers `v1`–`v3` and
/// residents `r1`–`r3` (Chinese names drawn from the seed), two grids, and
/// `wishes` wishes (at least 16) in every status, five of them
/// `Escalated` to the street (more by chance). Wishes still held come last, so their leases
/// are live at the end of the log. Deterministic for its arguments; every
/// op applies.
pub fn small_community(
    seed: u64,
    start_ms: u64,
    id: &str,
    name: &str,
    wishes: usize,
) -> LogBuilder {
    const SURNAMES: [&str; 10] = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周"];
    const GIVEN: [&str; 10] = [
        "桂英", "建华", "秀珍", "志刚", "淑芬", "海涛", "玉兰", "国强", "丽娟", "文斌",
    ];
    const SMALL_GRIDS: [&str; 2] = ["一网格", "二网格"];
    let mut rng = Rng::new(seed);
    let mut b = LogBuilder::new(start_ms);
    let step = |b: &mut LogBuilder, author: &str, kind: OpKind| {
        let (id, out) = b.push(author, kind);
        debug_assert_eq!(out, Outcome::Applied, "demo op {id} was void");
    };
    let person = |rng: &mut Rng| format!("{}{}", rng.pick(&SURNAMES), rng.pick(&GIVEN));
    let founder = person(&mut rng);
    step(
        &mut b,
        "c1",
        OpKind::CreateCommunity {
            community: id.into(),
            name: name.into(),
            founder,
            grids: SMALL_GRIDS.map(String::from).to_vec(),
            buildings: (1..=6).map(|n| format!("{n}号楼")).collect(),
            settings: None,
        },
    );
    use Category as C;
    let people: [(&str, Role, &[Category], &[&str]); 7] = [
        ("g1", Role::GridWorker, &[], &SMALL_GRIDS),
        (
            "v1",
            Role::Volunteer,
            &[C::Repair, C::Greening, C::Parking],
            &["一网格"],
        ),
        (
            "v2",
            Role::Volunteer,
            &[C::ElderlyCare, C::Medical, C::Cleaning],
            &["二网格"],
        ),
        (
            "v3",
            Role::Volunteer,
            &[C::LegalAid, C::Paperwork, C::Other],
            &SMALL_GRIDS,
        ),
        ("r1", Role::Resident, &[], &["一网格"]),
        ("r2", Role::Resident, &[], &["二网格"]),
        ("r3", Role::Resident, &[], &["一网格"]),
    ];
    for (member, role, skills, grids) in people {
        let name = person(&mut rng);
        step(
            &mut b,
            "c1",
            OpKind::AddMember {
                member: member.into(),
                name,
                role,
                skills: skills.to_vec(),
                grids: grids.iter().map(|g| g.to_string()).collect(),
                partner: None,
            },
        );
    }
    // Every status once, three escalations, then a mix; held ones last.
    let mut fates = vec![
        Small::Submitted,
        Small::Published,
        Small::Rejected,
        Small::Merged,
        Small::Escalated,
        Small::Escalated,
        Small::Escalated,
        Small::Escalated,
        Small::Escalated,
        Small::Cancelled,
        Small::Closed,
        Small::Reopened,
        Small::Completed,
    ];
    let common = [
        Small::Closed,
        Small::Closed,
        Small::Closed,
        Small::Escalated,
        Small::Published,
        Small::Completed,
        Small::Rejected,
    ];
    let held = [Small::InProgress, Small::Claimed, Small::Assigned];
    while fates.len() + held.len() < wishes {
        fates.push(*rng.pick(&common));
    }
    for i in (1..fates.len()).rev() {
        fates.swap(i, rng.next_u64() as usize % (i + 1));
    }
    let live_from = fates.len();
    fates.extend(held);
    let mut n = 0;
    for (i, fate) in fates.into_iter().enumerate() {
        let live = i >= live_from;
        b.advance_ms(if live {
            rng.range(1, 3) * HOUR
        } else {
            rng.range(30, 70) * HOUR
        });
        n += 1;
        let wid = format!("w{n:03}");
        let w = || WishId::from(wid.as_str());
        let (cat, title, desc) = *rng.pick(TEMPLATES);
        let g = rng.range(0, 1) as usize;
        // r1 and r3 live in the first grid, r2 in the second.
        let resident = match (g, n % 2) {
            (1, _) => "r2",
            (_, 0) => "r1",
            _ => "r3",
        };
        let building = format!("{}号楼", 1 + g * 3 + n % 3);
        let (filer, channel, requester) = if fate != Small::Cancelled && rng.range(0, 2) == 0 {
            ("g1", Channel::OnBehalf, Some(resident))
        } else {
            (resident, Channel::SelfService, None)
        };
        let create = |wid: &str| OpKind::CreateWish {
            wish: wid.into(),
            category: cat,
            title: title.into(),
            description: desc.into(),
            place: Place {
                grid: Some(SMALL_GRIDS[g].into()),
                building: Some(building.clone()),
                unit: None,
                text: None,
            },
            urgency: Urgency::Normal,
            window: None,
            channel,
            requester: requester.map(Into::into),
        };
        step(&mut b, filer, create(&wid));
        let vol = match cat {
            C::Repair | C::Greening | C::Parking => "v1",
            C::ElderlyCare | C::Medical | C::Cleaning => "v2",
            _ => "v3",
        };
        let gap = |b: &mut LogBuilder, rng: &mut Rng| {
            b.advance_ms(if live {
                HOUR / 2
            } else {
                rng.range(2, 10) * HOUR
            })
        };
        gap(&mut b, &mut rng);
        let done = |b: &mut LogBuilder, rng: &mut Rng| {
            step(b, "c1", OpKind::Publish { wish: w() });
            gap(b, rng);
            step(b, vol, OpKind::Claim { wish: w() });
            gap(b, rng);
            step(b, vol, OpKind::Start { wish: w() });
            gap(b, rng);
            step(
                b,
                vol,
                OpKind::Complete {
                    wish: w(),
                    report: "已处理完毕，居民当面确认".into(),
                    minutes: rng.range(2, 8) as u32 * 15,
                },
            );
            gap(b, rng);
        };
        let eval = |b: &mut LogBuilder, rating, comment: &str| {
            step(
                b,
                resident,
                OpKind::Evaluate {
                    wish: w(),
                    rating,
                    comment: comment.into(),
                },
            )
        };
        match fate {
            Small::Submitted => {}
            Small::Published => step(&mut b, "c1", OpKind::Publish { wish: w() }),
            Small::Rejected => step(
                &mut b,
                "c1",
                OpKind::Reject {
                    wish: w(),
                    reason: "属于物业服务范围，已告知物业公司".into(),
                },
            ),
            Small::Merged => {
                n += 1;
                let dup = format!("w{n:03}");
                step(&mut b, filer, create(&dup));
                gap(&mut b, &mut rng);
                step(
                    &mut b,
                    "c1",
                    OpKind::Merge {
                        wish: dup.as_str().into(),
                        into: w(),
                    },
                );
                gap(&mut b, &mut rng);
                step(&mut b, "c1", OpKind::Publish { wish: w() });
            }
            Small::Escalated => step(
                &mut b,
                "c1",
                OpKind::Escalate {
                    wish: w(),
                    level: Level::Street,
                    note: (*rng.pick(&ESCALATION_NOTES)).into(),
                },
            ),
            Small::Cancelled => step(
                &mut b,
                resident,
                OpKind::Cancel {
                    wish: w(),
                    reason: "已经自行解决".into(),
                },
            ),
            Small::Closed => {
                done(&mut b, &mut rng);
                eval(&mut b, Rating::Satisfied, "很及时，谢谢");
            }
            Small::Reopened => {
                done(&mut b, &mut rng);
                eval(&mut b, Rating::NotSatisfied, "问题还在");
            }
            Small::Completed => done(&mut b, &mut rng),
            Small::InProgress => {
                step(
                    &mut b,
                    "c1",
                    OpKind::Assign {
                        wish: w(),
                        to: Assignee::Member(vol.into()),
                    },
                );
                gap(&mut b, &mut rng);
                step(&mut b, vol, OpKind::Start { wish: w() });
            }
            Small::Claimed => {
                step(&mut b, "c1", OpKind::Publish { wish: w() });
                gap(&mut b, &mut rng);
                step(&mut b, vol, OpKind::Claim { wish: w() });
            }
            Small::Assigned => step(
                &mut b,
                "c1",
                OpKind::Assign {
                    wish: w(),
                    to: Assignee::Member(vol.into()),
                },
            ),
        }
    }
    b
}

/// A street's log (街道, docs/street.md) for the demo: `id` and `name`,
/// founded by street coordinator `jd-c1` (王建军), with a second
/// coordinator `jd-c2` and a viewer `jd-v1`. The ids start with `jd-` so
/// they are no member's of the demo communities (the reducer takes a street
/// answer only from someone who is not a member of the community).
pub fn street_log(start_ms: u64, id: &str, name: &str) -> LogBuilder {
    let mut b = LogBuilder::new(start_ms);
    let step = |b: &mut LogBuilder, kind: OpKind| {
        let (id, out) = b.push(STREET_MEMBERS[0].0, kind);
        debug_assert_eq!(out, Outcome::Applied, "street op {id} was void");
    };
    step(
        &mut b,
        OpKind::CreateCommunity {
            community: id.into(),
            name: name.into(),
            founder: STREET_MEMBERS[0].1.into(),
            grids: Vec::new(),
            buildings: Vec::new(),
            settings: None,
        },
    );
    for (member, name, role) in &STREET_MEMBERS[1..] {
        b.advance_ms(60_000);
        step(
            &mut b,
            OpKind::AddMember {
                member: (*member).into(),
                name: (*name).into(),
                role: *role,
                skills: Vec::new(),
                grids: Vec::new(),
                partner: None,
            },
        );
    }
    b
}

/// The street's answers on a demo community's escalated wishes (oldest
/// escalation first), by the street's founder `jd-c1` an hour apart at the
/// end of the log: the first is accepted (still `Escalated`, with a
/// holder), the second accepted and resolved (`Completed`), the third
/// returned with guidance (`Reopened`); the rest wait in the street's inbox.
pub fn street_answers(b: &mut LogBuilder, street_name: &str) {
    let (by, name, _) = STREET_MEMBERS[0];
    let from = crate::street::signature(street_name, name);
    let mut escalated: Vec<(u64, WishId)> = b
        .state
        .wishes
        .values()
        .filter(|w| w.status == Status::Escalated)
        .map(|w| (w.escalation.as_ref().map_or(0, |e| e.at), w.id.clone()))
        .collect();
    escalated.sort();
    let answer = |b: &mut LogBuilder, kind: OpKind| {
        b.advance_hours(1);
        let (id, out) = b.push(by, kind);
        debug_assert_eq!(out, Outcome::Applied, "street answer {id} was void");
    };
    let accept = |wish: &WishId, holder: &str| OpKind::StreetAccept {
        wish: wish.clone(),
        holder: holder.into(),
        from: from.clone(),
        note: "已派员现场查看，本周内协调处理".into(),
    };
    if let Some((_, w)) = escalated.first() {
        answer(b, accept(w, "街道城市管理办公室"));
    }
    if let Some((_, w)) = escalated.get(1) {
        answer(b, accept(w, "区水务集团"));
        answer(
            b,
            OpKind::StreetResolve {
                wish: w.clone(),
                from: from.clone(),
                report: "管网已疏通，更换破损管段两处".into(),
            },
        );
    }
    if let Some((_, w)) = escalated.get(2) {
        answer(
            b,
            OpKind::StreetReturn {
                wish: w.clone(),
                from: from.clone(),
                guidance: "属社区自治范围，请召开居民议事会协商后由物业实施".into(),
            },
        );
    }
}

/// The demo street's members: (id, name, role).
pub const STREET_MEMBERS: [(&str, &str, Role); 3] = [
    ("jd-c1", "王建军", Role::Coordinator),
    ("jd-c2", "李慧", Role::Coordinator),
    ("jd-v1", "赵敏", Role::Viewer),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_is_valid_deterministic_and_covers_every_status() {
        let t0 = 1_700_000_000_000;
        let b = demo_builder(7, t0);
        assert!(b.state.voids.is_empty(), "voids: {:?}", b.state.voids);
        let statuses: std::collections::BTreeSet<_> =
            b.state.wishes.values().map(|w| w.status).collect();
        assert_eq!(statuses.len(), 12, "{statuses:?}");
        assert!(b.state.wishes.len() >= 30);
        assert_eq!(b.state.members.len(), 17);
        assert_eq!(b.log[0].op.hlc.ms, t0);
        // Deterministic for a seed; different seeds differ.
        assert_eq!(community_log(7, t0), b.log);
        assert_ne!(crate::fold(&community_log(8, t0)).hash(), b.state.hash());
        // Lapses and reworks leave deductions in the ledger.
        let deductions = b
            .state
            .ledger
            .values()
            .flatten()
            .filter(|e| e.delta < 0)
            .count();
        assert!(deductions >= 2);
        let syn = synthetic_log(50, 1, t0);
        let s = crate::fold(&syn);
        assert_eq!(s.wishes.len(), 50);
        assert!(
            s.voids
                .values()
                .all(|r| *r == crate::VoidReason::AlreadyClaimed)
        );
        // The street benchmark's variant: one wish in 200 waits for the street.
        let esc = crate::fold(&synthetic_log_escalating(2_000, 1, t0, Some(200)));
        let waiting = esc
            .wishes
            .values()
            .filter(|w| w.status == Status::Escalated && w.escalation.is_some())
            .count();
        assert_eq!(waiting, 10);
        assert!(
            esc.voids
                .values()
                .all(|r| *r == crate::VoidReason::AlreadyClaimed)
        );
        for seed in 0..20 {
            let s = demo_builder(seed, t0).state;
            assert!(s.voids.is_empty(), "seed {seed}: {:?}", s.voids);
        }
        // Activities in every state, and the synthetic ones all apply.
        use crate::activity::ActivityStatus as A;
        let states: std::collections::BTreeSet<_> =
            b.state.activities.values().map(|a| a.status).collect();
        assert_eq!(
            states.into_iter().collect::<Vec<_>>(),
            vec![A::Planned, A::Open, A::Finished, A::Cancelled]
        );
        let syn = synthetic_activities(5, 20, 1, t0);
        let s = crate::fold(&syn);
        assert!(s.voids.is_empty(), "{:?}", s.voids);
        assert_eq!(
            s.activities
                .values()
                .map(|a| a.attendance.len())
                .sum::<usize>(),
            100
        );
    }

    #[test]
    fn small_communities_cover_every_status_and_escalate_several() {
        let t0 = 1_700_000_000_000;
        for (seed, wishes) in [(1, 14), (2, 20), (3, 30), (99, 16)] {
            let mut b = small_community(seed, t0, "sc", "小区", wishes);
            assert!(b.state.voids.is_empty(), "seed {seed}: {:?}", b.state.voids);
            let statuses: std::collections::BTreeSet<_> =
                b.state.wishes.values().map(|w| w.status).collect();
            assert_eq!(
                statuses.len(),
                Status::ALL.len(),
                "seed {seed}: {statuses:?}"
            );
            let escalated = b
                .state
                .wishes
                .values()
                .filter(|w| w.status == Status::Escalated)
                .count();
            assert!(escalated >= 5, "seed {seed}: {escalated}");
            assert!(b.state.wishes.len() > wishes, "a merged duplicate too");
            // The street answers three; they apply (its member is no
            // member of the community), and three still wait.
            street_answers(&mut b, "西关街道");
            assert!(b.state.voids.is_empty(), "seed {seed}: {:?}", b.state.voids);
            let esc = |s: Status| {
                b.state
                    .wishes
                    .values()
                    .filter(|w| w.escalation.is_some() && w.status == s)
                    .count()
            };
            assert!(esc(Status::Escalated) >= 3, "seed {seed}");
            assert!(esc(Status::Completed) >= 1, "seed {seed}");
            assert!(esc(Status::Reopened) >= 1, "seed {seed}");
            let answered = b
                .state
                .wishes
                .values()
                .filter_map(|w| w.escalation.as_ref())
                .filter(|e| !e.answers.is_empty())
                .count();
            assert_eq!(answered, 3, "seed {seed}");
            assert_eq!(b.state.community.as_ref().unwrap().name, "小区");
            let mut again = small_community(seed, t0, "sc", "小区", wishes);
            street_answers(&mut again, "西关街道");
            assert_eq!(b.log, again.log);
        }
        let s = street_log(t0, "st", "西关街道");
        assert!(s.state.voids.is_empty(), "{:?}", s.state.voids);
        assert_eq!(s.state.members.len(), STREET_MEMBERS.len());
        for (id, _, role) in STREET_MEMBERS {
            assert_eq!(s.state.members[&MemberId::from(id)].role, role);
            // No member of a demo community has a street member's id.
            let demo = demo_builder(7, t0).state;
            assert!(!demo.members.contains_key(&MemberId::from(id)));
            let small = small_community(1, t0, "sc", "小区", 14).state;
            assert!(!small.members.contains_key(&MemberId::from(id)));
        }
    }
}
