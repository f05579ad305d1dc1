//! The shared domain: what every device knows about a community once it has
//! folded the log. Everything here is plain data; the rules that change it
//! live in `reduce`, the status machine in `lifecycle`. Maps are `BTreeMap`
//! and lists are `Vec` so serialization (and the state hash) is canonical.

use crate::hlc::Hlc;
use crate::ids::{CommunityId, MemberId, OpId, PartnerId, ResourceId, TeamId, WishId};
use crate::lifecycle::Step;
use crate::reduce::VoidReason;
use serde::{Deserialize, Serialize};

/// What kind of help a wish asks for; drives routing to skills, teams and resources.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 维修: broken lights, leaks, house numbers, steps.
    Repair,
    /// 保洁: stairwell debris, courtyard clean-up.
    Cleaning,
    /// 助老: home service for elderly residents.
    ElderlyCare,
    /// 停车: parking spaces, charging, random parking.
    Parking,
    /// 绿化: pruning, planting, unmanaged greening.
    Greening,
    /// 法律援助: legal aid.
    LegalAid,
    /// 医疗: medical service.
    Medical,
    /// 代办: paperwork, subsidies, applications.
    Paperwork,
    /// 其他.
    Other,
}

crate::code::coded!(Category {
    Repair => "repair",
    Cleaning => "cleaning",
    ElderlyCare => "elderly_care",
    Parking => "parking",
    Greening => "greening",
    LegalAid => "legal_aid",
    Medical => "medical",
    Paperwork => "paperwork",
    Other => "other",
});

impl Category {
    /// Parse a code from a form or a CSV; unknown text is `bad_category`.
    pub fn parse(code: &str) -> Result<Category, crate::validate::ValidationError> {
        Category::from_code(code).ok_or(crate::validate::ValidationError::BadCategory)
    }
}

/// How soon help is needed; ranks the board and the open-orders list.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// Whenever convenient.
    Low,
    /// The default.
    #[default]
    Normal,
    /// Within a day or so.
    High,
    /// Safety or health at stake.
    Urgent,
}

crate::code::coded!(Urgency {
    Low => "low",
    Normal => "normal",
    High => "high",
    Urgent => "urgent",
});

/// Where the help is needed, coarse to fine. The exact address is private
/// (see `private::ContactRecord`); this is only what volunteers may see.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Place {
    /// Grid (网格), e.g. "一网格".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grid: Option<String>,
    /// Building or courtyard, e.g. "3号楼".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub building: Option<String>,
    /// Unit (单元), e.g. "2单元".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Free text for places that fit no grid ("北门停车场").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// A span of time in epoch milliseconds, `from` inclusive, `to` exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TimeWindow {
    /// Start (epoch ms).
    pub from: u64,
    /// End (epoch ms), after `from`.
    pub to: u64,
}

impl TimeWindow {
    /// Length of a window given by one end only.
    pub const DEFAULT_MS: u64 = 3_600_000;

    /// The window a form gives: both ends, or an hour from the one end
    /// given (an hour before an end without a start), or none.
    pub fn from_ends(from: Option<u64>, to: Option<u64>) -> Option<TimeWindow> {
        match (from, to) {
            (Some(from), Some(to)) => Some(TimeWindow { from, to }),
            (Some(from), None) => Some(TimeWindow {
                from,
                to: from.saturating_add(Self::DEFAULT_MS),
            }),
            (None, Some(to)) => Some(TimeWindow {
                from: to.saturating_sub(Self::DEFAULT_MS),
                to,
            }),
            (None, None) => None,
        }
    }

    /// Whether two windows share any instant.
    pub fn overlaps(&self, other: &TimeWindow) -> bool {
        self.from < other.to && other.from < self.to
    }
}

/// How a wish entered the system; decides who may file it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Filed by the resident on their own phone.
    #[serde(rename = "self")]
    SelfService,
    /// Recorded by a grid worker or coordinator on a door-to-door visit (上门走访).
    OnBehalf,
    /// Walk-up intake at the service-centre kiosk.
    Kiosk,
    /// A city system (a 12345 hotline, a city app) through Open311, filed
    /// by the identity of its API key (`open311`).
    City,
}

crate::code::coded!(Channel {
    SelfService => "self",
    OnBehalf => "on_behalf",
    Kiosk => "kiosk",
    City => "city",
});

/// Where a wish is in its life. The allowed moves are in `lifecycle::TRANSITIONS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Filed, waiting for dispatch (点单).
    Submitted,
    /// Open for claiming (on the order pool).
    Published,
    /// Dispatched to a member, team or partner (派单); behaves like a claim.
    Assigned,
    /// Claimed under a lease (接单).
    Claimed,
    /// Work started.
    InProgress,
    /// Work reported done, waiting for evaluation (评单).
    Completed,
    /// Accepted (satisfied or basically satisfied). Terminal unless reopened.
    Closed,
    /// Not satisfied or reopened by a coordinator: waits for dispatch again (返工).
    Reopened,
    /// Turned down with a reason. Terminal unless reopened.
    Rejected,
    /// Folded into another wish as a duplicate. Terminal.
    Merged,
    /// Passed up to street/district with a note; parked until dispatched.
    Escalated,
    /// Withdrawn by the requester before work started. Terminal.
    Cancelled,
}

crate::code::coded!(Status {
    Submitted => "submitted",
    Published => "published",
    Assigned => "assigned",
    Claimed => "claimed",
    InProgress => "in_progress",
    Completed => "completed",
    Closed => "closed",
    Reopened => "reopened",
    Rejected => "rejected",
    Merged => "merged",
    Escalated => "escalated",
    Cancelled => "cancelled",
});

impl Status {
    /// Terminal statuses: ops on such a wish are void (`wish_closed`),
    /// except a coordinator's `Reopen` of a closed or rejected wish.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Status::Closed | Status::Rejected | Status::Merged | Status::Cancelled
        )
    }

    /// Someone holds the wish (and so a second claim loses).
    pub fn is_held(self) -> bool {
        matches!(
            self,
            Status::Assigned | Status::Claimed | Status::InProgress | Status::Completed
        )
    }
}

/// Who holds a wish: one member, a team (any of its members may act), or a
/// partner unit (any of its members may act).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Assignee {
    /// A single member.
    Member(MemberId),
    /// A volunteer service team.
    Team(TeamId),
    /// A co-construction unit.
    Partner(PartnerId),
}

impl Assignee {
    /// A one-string form for a picker: `m:<member>`, `t:<team>`, `p:<unit>`.
    pub fn key(&self) -> String {
        match self {
            Assignee::Member(m) => format!("m:{m}"),
            Assignee::Team(t) => format!("t:{t}"),
            Assignee::Partner(p) => format!("p:{p}"),
        }
    }

    /// The assignee a `key` names, if it names one.
    pub fn from_key(key: &str) -> Option<Assignee> {
        let (kind, id) = key.split_once(':')?;
        match kind {
            "m" => Some(Assignee::Member(id.into())),
            "t" => Some(Assignee::Team(id.into())),
            "p" => Some(Assignee::Partner(id.into())),
            _ => None,
        }
    }
}

/// A claim or assignment is a lease: it lapses at `deadline` unless work is
/// started or the holder reports progress (see `reduce` for the exact rule).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    /// The member who answers for the lease (the claimer or assigned member);
    /// `None` for a team assignment. A lapse costs this member points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<MemberId>,
    /// The op that granted or last renewed the lease.
    pub op: OpId,
    /// When it was granted or last renewed (HLC ms).
    pub since: u64,
    /// It lapses once the log clock passes this (epoch ms).
    pub deadline: u64,
}

/// The doer's report (完成情况).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completion {
    /// Who did the work; receives the basic and positive points.
    pub by: MemberId,
    /// The `Complete` op.
    pub op: OpId,
    /// When (HLC ms).
    pub at: u64,
    /// Short report.
    pub report: String,
    /// Time served, in minutes (integers keep the hash portable).
    pub minutes: u32,
}

/// The resident's verdict (评单).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// 满意 → closed, bonus points.
    Satisfied,
    /// 基本满意 → closed, smaller bonus.
    BasicallySatisfied,
    /// 不满意 → reopened for rework, deduction.
    NotSatisfied,
}

crate::code::coded!(Rating {
    Satisfied => "satisfied",
    BasicallySatisfied => "basically_satisfied",
    NotSatisfied => "not_satisfied",
});

impl Rating {
    /// Whether this rating accepts the work (closes the wish).
    pub fn accepts(self) -> bool {
        !matches!(self, Rating::NotSatisfied)
    }
}

/// One evaluation; every one is kept, so rework history counts in the rates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Who rated (the requester, or a coordinator on their behalf).
    pub by: MemberId,
    /// The `Evaluate` op.
    pub op: OpId,
    /// When (HLC ms).
    pub at: u64,
    /// The verdict.
    pub rating: Rating,
    /// Optional comment.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
}

/// How far up a wish was passed (小事不出社区，大事不出街道).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// 街道.
    Street,
    /// 区.
    District,
}

crate::code::coded!(Level {
    Street => "street",
    District => "district",
});

/// An escalation record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Escalation {
    /// Street or district.
    pub level: Level,
    /// Why, for the receiving office.
    pub note: String,
    /// The `Escalate` op.
    pub op: OpId,
    /// When it was escalated (HLC ms; 0 in states folded before schema 5).
    #[serde(default)]
    pub at: u64,
    /// The street's first answer to this escalation (HLC ms), for its response time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<u64>,
    /// Who does it, once the street took it on (`StreetAccept`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted: Option<String>,
    /// Every street answer on this wish, oldest first (kept across re-escalations).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answers: Vec<StreetAnswer>,
}

/// What the street answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerKind {
    /// Taken on by a street department or partner unit.
    Accepted,
    /// Sent back to the community with guidance.
    Returned,
    /// Resolved with a report.
    Resolved,
}

crate::code::coded!(AnswerKind {
    Accepted => "accepted",
    Returned => "returned",
    Resolved => "resolved",
});

/// One answer of the street to an escalated wish.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreetAnswer {
    /// Accepted, returned or resolved.
    pub kind: AnswerKind,
    /// The street member (a member of the street's log, not the community's).
    pub by: MemberId,
    /// Their signature ("西关街道 · 王主任").
    pub from: String,
    /// The department or unit doing it (accepted only).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub holder: String,
    /// Note, guidance or report.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    /// When (HLC ms).
    pub at: u64,
    /// The op.
    pub op: OpId,
}

/// One line of a wish's history. Void ops are listed too, so the author's
/// device can say "someone else took this order".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// The op, or for a lapse the op whose stamp moved the log clock past the deadline.
    pub op: OpId,
    /// Whose action it was (for a lapse: whose lease lapsed, if a member's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<MemberId>,
    /// When (HLC ms of the op).
    pub at: u64,
    /// What happened.
    pub step: Step,
    /// Set when the op was void, with the reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub void: Option<VoidReason>,
    /// Text carried by the op (note, reason, report), if any.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
}

/// A micro-wish and everything that happened to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wish {
    /// Id minted by the filing device.
    pub id: WishId,
    /// Kind of help.
    pub category: Category,
    /// Short title.
    pub title: String,
    /// Longer description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Where (without the private exact address).
    #[serde(default)]
    pub place: Place,
    /// How soon.
    #[serde(default)]
    pub urgency: Urgency,
    /// Preferred time window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<TimeWindow>,
    /// How it came in.
    pub channel: Channel,
    /// The resident it is for, if they are a member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requester: Option<MemberId>,
    /// Who filed it (resident, grid worker, kiosk…; a street's Open311
    /// key's id, no member of the community, for a `StreetFile`).
    pub created_by: MemberId,
    /// The filer's signature when the filer is no member: a street's
    /// Open311 key ("西关街道 · 12345 热线", `OpKind::StreetFile`). Left out
    /// when none, so older snapshots decode and hash the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// The `CreateWish` op.
    pub created_op: OpId,
    /// When filed (HLC ms); the start for response and resolution times.
    pub created_at: u64,
    /// Current status.
    pub status: Status,
    /// Current holder while assigned, claimed, in progress or completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder: Option<Assignee>,
    /// Current lease while assigned, claimed or in progress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease: Option<Lease>,
    /// Team that last held the wish (for grouping rates by team).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<TeamId>,
    /// Rejection reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection: Option<String>,
    /// Merged into this wish.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<WishId>,
    /// Wishes merged into this one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub duplicates: Vec<WishId>,
    /// Latest escalation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalation: Option<Escalation>,
    /// Latest completion report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion: Option<Completion>,
    /// All evaluations, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evaluations: Vec<Evaluation>,
    /// Times the work was sent back (not satisfied, or reopened after closing).
    #[serde(default)]
    pub rework: u32,
    /// First dispatch decision (publish, assign, reject, merge, escalate…), HLC ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responded_at: Option<u64>,
    /// Completion time of the work now standing (cleared on rework), HLC ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<u64>,
    /// When it closed, HLC ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<u64>,
    /// History, in log order.
    #[serde(default)]
    pub timeline: Vec<TimelineEntry>,
}

/// What a member may do; the permission matrix is `permissions::rule`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 支部书记 / community coordinator: dispatch and administration.
    Coordinator,
    /// 网格员: records appeals on behalf of residents and triages in their grids.
    GridWorker,
    /// 党员志愿者: claims and does orders.
    Volunteer,
    /// 居民: files, follows and evaluates own wishes.
    Resident,
    /// A member of a co-construction unit.
    Partner,
    /// The shared service-centre tablet: walk-up intake only.
    Kiosk,
    /// Street/district read-only viewer.
    Viewer,
}

crate::code::coded!(Role {
    Coordinator => "coordinator",
    GridWorker => "grid_worker",
    Volunteer => "volunteer",
    Resident => "resident",
    Partner => "partner",
    Kiosk => "kiosk",
    Viewer => "viewer",
});

/// A member of the community.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// Id.
    pub id: MemberId,
    /// Display name.
    pub name: String,
    /// Role (changed only by `SetRole`).
    pub role: Role,
    /// Categories this member can help with (ranks open orders).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skills: Vec<Category>,
    /// Grids the member lives or works in (ranks orders; scopes grid workers).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grids: Vec<String>,
    /// Co-construction unit, for partner members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner: Option<PartnerId>,
    /// False once removed; kept so history and points still resolve.
    pub active: bool,
}

/// A volunteer service team.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    /// Id.
    pub id: TeamId,
    /// Name, e.g. "党员先锋队".
    pub name: String,
    /// Lead, who may manage the team's members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead: Option<MemberId>,
    /// Members, sorted and unique.
    #[serde(default)]
    pub members: Vec<MemberId>,
    /// Categories the team serves.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<Category>,
}

/// A co-construction unit (社区合伙人 / 共建单位).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerUnit {
    /// Id.
    pub id: PartnerId,
    /// Name, e.g. "市第三人民医院".
    pub name: String,
}

/// One item of a partner's resource list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    /// Id.
    pub id: ResourceId,
    /// Offering unit.
    pub partner: PartnerId,
    /// What it is ("周六志愿者20人").
    pub title: String,
    /// Categories of demand it can serve.
    #[serde(default)]
    pub categories: Vec<Category>,
    /// How many people/slots/items; zero means used up.
    pub capacity: u32,
    /// When it is available (absent: any time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<TimeWindow>,
    /// Weekdays available in community local time, bit 0 = Monday … bit 6 = Sunday; 0 = any day.
    #[serde(default)]
    pub weekdays: u8,
    /// Grids it serves (empty: all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grids: Vec<String>,
    /// False once withdrawn.
    pub active: bool,
}

/// Community-wide rules for points (基础积分 + 正向积分 − 反向扣分).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointsRules {
    /// Minutes of service worth one basic point (default 30: 1 point per half hour).
    pub minutes_per_point: u32,
    /// Bonus for a satisfied evaluation.
    pub satisfied: i64,
    /// Bonus for a basically satisfied evaluation.
    pub basically_satisfied: i64,
    /// Deduction (positive number) for a lapsed claim.
    pub lapsed: i64,
    /// Deduction (positive number) for a not-satisfied evaluation.
    pub not_satisfied: i64,
    /// Points for one attendance of an activity whose rule is `fixed`
    /// (default 2); the activity may name its own amount.
    #[serde(default = "default_per_attendance")]
    pub per_attendance: i64,
    /// Deduction (positive number) for a no-show: a place held at an
    /// activity's end without a check-in (default 0: off).
    #[serde(default)]
    pub no_show: i64,
}

fn default_per_attendance() -> i64 {
    2
}

/// Community rules for activities (活动).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivitySettings {
    /// Themes an activity may have, in display order (community data, like
    /// grids): by default 红色星期六 / 邻里节 / 应急演练 / 义诊 / 其他.
    pub themes: Vec<String>,
    /// How long before the start check-in opens, minutes (default 30).
    pub check_in_lead_minutes: u32,
    /// Hours served at an activity are rounded down to a multiple of this
    /// many minutes (default 30: whole half hours).
    pub round_minutes: u32,
}

impl Default for ActivitySettings {
    fn default() -> Self {
        Self {
            themes: ["红色星期六", "邻里节", "应急演练", "义诊", "其他"]
                .map(String::from)
                .into(),
            check_in_lead_minutes: 30,
            round_minutes: 30,
        }
    }
}

impl Default for PointsRules {
    fn default() -> Self {
        Self {
            minutes_per_point: 30,
            satisfied: 2,
            basically_satisfied: 1,
            lapsed: 1,
            not_satisfied: 2,
            per_attendance: default_per_attendance(),
            no_show: 0,
        }
    }
}

/// Per-community settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Claim lease length in hours (default 72).
    pub lease_hours: u32,
    /// Points rules.
    pub points: PointsRules,
    /// Offset of community local time from UTC in minutes (default +480, China).
    /// Days, weekdays and months are read in this time (`calendar::local`).
    pub utc_offset_minutes: i32,
    /// Activity rules (themes, check-in lead time, rounding). Absent in
    /// settings written before activities existed: the defaults.
    #[serde(default)]
    pub activities: ActivitySettings,
    /// Seconds without a touch before a kiosk tablet clears itself for the
    /// next person (default 60; `validate::KIOSK_IDLE_RANGE`).
    #[serde(default = "default_kiosk_idle_seconds")]
    pub kiosk_idle_seconds: u32,
    /// Care-list rules (household categories). Absent in settings written
    /// before the care list existed: the defaults.
    #[serde(default)]
    pub care: crate::care::CareSettings,
}

fn default_kiosk_idle_seconds() -> u32 {
    60
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            lease_hours: 72,
            points: PointsRules::default(),
            utc_offset_minutes: 480,
            kiosk_idle_seconds: default_kiosk_idle_seconds(),
            activities: ActivitySettings::default(),
            care: crate::care::CareSettings::default(),
        }
    }
}

impl Settings {
    /// Lease length in milliseconds.
    pub fn lease_ms(&self) -> u64 {
        u64::from(self.lease_hours) * 3_600_000
    }
}

/// The community itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Community {
    /// Id (also names the log).
    pub id: CommunityId,
    /// Name, e.g. "长寿路社区".
    pub name: String,
    /// Grids, in display order.
    #[serde(default)]
    pub grids: Vec<String>,
    /// Buildings/courtyards, in display order.
    #[serde(default)]
    pub buildings: Vec<String>,
    /// Settings.
    pub settings: Settings,
    /// The op that created it.
    pub created_op: OpId,
    /// When (HLC).
    pub created_at: Hlc,
}
