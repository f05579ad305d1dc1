//! Operations: every change is an intent recorded as an `Op`, minted offline
//! by a device, sequenced by the endpoint and folded by `reduce` everywhere.
//!
//! Wire format (JSON): `{"v":1,"id":{"dev":"d1","seq":7},"author":"m3",
//! "hlc":{"ms":…,"c":0},"kind":{"type":"claim","wish":"w9"}}`. Field names are
//! short but readable; optional fields are omitted when empty. A kind whose
//! `type` this build does not know decodes as `OpKind::Unknown` keeping the
//! raw JSON, re-encodes byte-for-byte equivalent, and is skipped by the
//! reducer (`Void(unknown_kind)`), so old and new clients can share a log.

use crate::activity::{Organiser, PointsMode};
use crate::care::{Frequency, HouseholdStatus, Outcome, VisitMode};
use crate::hlc::Hlc;
use crate::ids::{
    ActivityId, CommunityId, DeviceId, HouseholdId, MemberId, OpId, PartnerId, ResourceId, TeamId,
    VisitId, WishId,
};
use crate::lifecycle::Step;
use crate::model::{
    Assignee, Category, Channel, Level, Place, Rating, Role, Settings, TimeWindow, Urgency,
};
use crate::photos::{PhotoRef, Stage};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One operation. `v` is the schema version of the writer
/// (`crate::SCHEMA_VERSION`), kept so readers can tell old from new.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Op {
    /// Schema version of the writer.
    pub v: u16,
    /// Device + per-device sequence; unique, and the dedupe key.
    pub id: OpId,
    /// The member on whose authority the op is made (checked against roles).
    pub author: MemberId,
    /// Hybrid logical clock stamp at minting; the reducer's only notion of time.
    pub hlc: Hlc,
    /// What to do.
    pub kind: OpKind,
}

impl Op {
    /// Build an op at the current schema version.
    pub fn new(id: OpId, author: impl Into<MemberId>, hlc: Hlc, kind: OpKind) -> Self {
        Self {
            v: crate::SCHEMA_VERSION,
            id,
            author: author.into(),
            hlc,
            kind,
        }
    }

    /// The device that minted the op.
    pub fn device(&self) -> &DeviceId {
        &self.id.device
    }
}

#[derive(Deserialize)]
struct RawOp {
    v: u16,
    id: OpId,
    author: MemberId,
    hlc: Hlc,
    kind: serde_json::Value,
}

impl<'de> Deserialize<'de> for Op {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = RawOp::deserialize(d)?;
        let kind = OpKind::from_value(raw.kind, raw.v).map_err(serde::de::Error::custom)?;
        Ok(Op {
            v: raw.v,
            id: raw.id,
            author: raw.author,
            hlc: raw.hlc,
            kind,
        })
    }
}

/// An op as placed in a community log by the sequencer: `seq` is its
/// position (1-based, gap-free) and the order every replica folds in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    /// Position in the community log.
    pub seq: u64,
    /// The op.
    pub op: Op,
}

/// Every kind of operation. Internally tagged by `type` (snake_case).
/// Decoded by `decode_known`, not by serde's derive: the derived internally
/// tagged decoder was one 84 KB function in the wasm. Unit tests keep the
/// derive to check that both agree.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(test, derive(Deserialize))]
#[serde(remote = "Self", tag = "type", rename_all = "snake_case")]
pub enum OpKind {
    // ---- community and people ----
    /// Bootstrap: must be the first op of a log; its author becomes the first coordinator.
    CreateCommunity {
        /// Community id (names the log).
        community: CommunityId,
        /// Community name.
        name: String,
        /// Display name of the founding coordinator (the author).
        founder: String,
        /// Grids.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        grids: Vec<String>,
        /// Buildings/courtyards.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        buildings: Vec<String>,
        /// Settings (defaults if absent).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        settings: Option<Settings>,
    },
    /// Rename the community or change its grids and buildings.
    UpdateCommunity {
        /// New name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// New grid list.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        grids: Option<Vec<String>>,
        /// New building list.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        buildings: Option<Vec<String>>,
    },
    /// Replace the settings (lease length, points rules…). Existing leases keep their deadline.
    UpdateSettings {
        /// The new settings.
        settings: Settings,
    },
    /// Register a member.
    AddMember {
        /// New member id.
        member: MemberId,
        /// Display name.
        name: String,
        /// Role.
        role: Role,
        /// Skills.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        skills: Vec<Category>,
        /// Grids.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        grids: Vec<String>,
        /// Partner unit (for partner members).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        partner: Option<PartnerId>,
    },
    /// Change a member's name, skills or grids (not the role).
    UpdateMember {
        /// Member.
        member: MemberId,
        /// New name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// New skills.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        skills: Option<Vec<Category>>,
        /// New grids.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        grids: Option<Vec<String>>,
    },
    /// Change a member's role.
    SetRole {
        /// Member.
        member: MemberId,
        /// New role.
        role: Role,
    },
    /// Deactivate a member (history and points stay).
    RemoveMember {
        /// Member.
        member: MemberId,
    },
    /// Create a volunteer service team.
    CreateTeam {
        /// New team id.
        team: TeamId,
        /// Name.
        name: String,
        /// Lead.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lead: Option<MemberId>,
        /// Members.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        members: Vec<MemberId>,
        /// Categories served.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        categories: Vec<Category>,
    },
    /// Rename a team, change its lead or categories.
    UpdateTeam {
        /// Team.
        team: TeamId,
        /// New name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// New lead.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lead: Option<MemberId>,
        /// New categories.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        categories: Option<Vec<Category>>,
    },
    /// Replace a team's member list.
    SetTeamMembers {
        /// Team.
        team: TeamId,
        /// Members.
        members: Vec<MemberId>,
    },
    /// Register a co-construction unit.
    AddPartner {
        /// New partner id.
        partner: PartnerId,
        /// Name.
        name: String,
    },
    /// Add an item to a partner's resource list.
    AddResource {
        /// New resource id.
        resource: ResourceId,
        /// Offering unit.
        partner: PartnerId,
        /// What it is.
        title: String,
        /// Categories served.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        categories: Vec<Category>,
        /// Capacity (people/slots).
        capacity: u32,
        /// Availability window.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        window: Option<TimeWindow>,
        /// Weekday mask (bit 0 = Monday), 0 = any.
        #[serde(default, skip_serializing_if = "is_zero")]
        weekdays: u8,
        /// Grids served (empty: all).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        grids: Vec<String>,
    },
    /// Change a resource.
    UpdateResource {
        /// Resource.
        resource: ResourceId,
        /// New title.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        /// New categories.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        categories: Option<Vec<Category>>,
        /// New capacity.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        capacity: Option<u32>,
        /// New window.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        window: Option<TimeWindow>,
        /// New weekday mask.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        weekdays: Option<u8>,
        /// New grids.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        grids: Option<Vec<String>>,
    },
    /// Withdraw a resource.
    RemoveResource {
        /// Resource.
        resource: ResourceId,
    },

    // ---- the wish lifecycle ----
    /// File a wish (点单).
    CreateWish {
        /// New wish id (minted by the device, e.g. "<device>-<seq>").
        wish: WishId,
        /// Category.
        category: Category,
        /// Title.
        title: String,
        /// Description.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        description: String,
        /// Place.
        #[serde(default)]
        place: Place,
        /// Urgency.
        #[serde(default)]
        urgency: Urgency,
        /// Preferred window.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        window: Option<TimeWindow>,
        /// Channel.
        channel: Channel,
        /// Requesting resident, if a member.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        requester: Option<MemberId>,
    },
    /// Open for claiming.
    Publish {
        /// Wish.
        wish: WishId,
    },
    /// Dispatch to a member, team or partner unit (派单).
    Assign {
        /// Wish.
        wish: WishId,
        /// Assignee.
        to: Assignee,
    },
    /// A volunteer takes an open order (接单).
    Claim {
        /// Wish.
        wish: WishId,
    },
    /// A partner unit claims a demand (认领服务).
    PartnerClaim {
        /// Wish.
        wish: WishId,
        /// The claiming unit (must be the author's).
        partner: PartnerId,
        /// Resource used, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resource: Option<ResourceId>,
    },
    /// Give a held order back to the pool.
    Release {
        /// Wish.
        wish: WishId,
    },
    /// Ask for a lapsed lease to be expired; void if it has not lapsed by this op's stamp.
    ExpireLease {
        /// Wish.
        wish: WishId,
    },
    /// Start work (renews the lease).
    Start {
        /// Wish.
        wish: WishId,
    },
    /// A progress note (a holder's note renews the lease).
    Note {
        /// Wish.
        wish: WishId,
        /// Text.
        text: String,
    },
    /// Report the work done.
    Complete {
        /// Wish.
        wish: WishId,
        /// Report.
        report: String,
        /// Minutes served.
        minutes: u32,
    },
    /// Rate the result (评单).
    Evaluate {
        /// Wish.
        wish: WishId,
        /// Verdict.
        rating: Rating,
        /// Comment.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        comment: String,
    },
    /// Send a closed or rejected wish back for dispatch.
    Reopen {
        /// Wish.
        wish: WishId,
        /// Why.
        reason: String,
    },
    /// Turn a wish down.
    Reject {
        /// Wish.
        wish: WishId,
        /// Why (required).
        reason: String,
    },
    /// Fold a duplicate into another wish.
    Merge {
        /// The duplicate.
        wish: WishId,
        /// The wish it duplicates.
        into: WishId,
    },
    /// Pass a wish up to the street or district.
    Escalate {
        /// Wish.
        wish: WishId,
        /// Level.
        level: Level,
        /// Note for the receiving office.
        note: String,
    },
    /// Withdraw before work starts.
    Cancel {
        /// Wish.
        wish: WishId,
        /// Why (optional).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        reason: String,
    },

    // ---- activities (schema 2) ----
    /// Plan an activity (活动). Starts `planned`; `open_activity` opens sign-up.
    CreateActivity {
        /// New activity id.
        activity: ActivityId,
        /// Title.
        title: String,
        /// Theme, one of `Settings::activities.themes`.
        theme: String,
        /// Description.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        description: String,
        /// Where (free text, public: "社区广场").
        #[serde(default, skip_serializing_if = "String::is_empty")]
        venue: String,
        /// Start (epoch ms).
        start: u64,
        /// End (epoch ms), after `start`.
        end: u64,
        /// Places (absent: no limit).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        capacity: Option<u32>,
        /// Organising team or partner unit (absent: the community).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        organiser: Option<Organiser>,
        /// Sign-up deadline (absent: the start).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sign_up_by: Option<u64>,
        /// Points by time served or a fixed amount per attendance.
        #[serde(default)]
        points: PointsMode,
        /// Fixed amount (absent: `Settings.points.per_attendance`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fixed_points: Option<u32>,
        /// `checkin::key_check` of the activity's key (the key stays off the log).
        check: String,
    },
    /// Change an activity before it starts; absent fields stay.
    UpdateActivity {
        /// Activity.
        activity: ActivityId,
        /// New title.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        /// New theme.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        theme: Option<String>,
        /// New description.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        /// New venue.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        venue: Option<String>,
        /// New start.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        start: Option<u64>,
        /// New end.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        end: Option<u64>,
        /// New capacity; 0 lifts the limit.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        capacity: Option<u32>,
        /// New sign-up deadline.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sign_up_by: Option<u64>,
        /// New points rule.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        points: Option<PointsMode>,
        /// New fixed amount.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fixed_points: Option<u32>,
    },
    /// Open sign-up (planned → open).
    OpenActivity {
        /// Activity.
        activity: ActivityId,
    },
    /// Call an activity off before it starts (reason required).
    CancelActivity {
        /// Activity.
        activity: ActivityId,
        /// Why.
        reason: String,
    },
    /// Take a place (or join the waiting list when it is full).
    SignUp {
        /// Activity.
        activity: ActivityId,
        /// Whom, if not the author (organisers sign up people without a phone).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        member: Option<MemberId>,
    },
    /// Give up a place or leave the waiting list (before the start).
    Withdraw {
        /// Activity.
        activity: ActivityId,
        /// Whom, if not the author.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        member: Option<MemberId>,
    },
    /// Arrive. The author's own needs a `proof` (`checkin::proof`); an
    /// organiser or the kiosk checks in `member` without one.
    CheckIn {
        /// Activity.
        activity: ActivityId,
        /// Whom, if not the author.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        member: Option<MemberId>,
        /// Proof of the activity's key, bound to the member (32 hex).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        proof: String,
    },
    /// Leave.
    CheckOut {
        /// Activity.
        activity: ActivityId,
        /// Whom, if not the author.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        member: Option<MemberId>,
    },
    /// A coordinator sets what really happened: in and out times, or no
    /// attendance at all (`check_in` absent). Reason required.
    CorrectAttendance {
        /// Activity.
        activity: ActivityId,
        /// Whose attendance.
        member: MemberId,
        /// Arrival (absent: did not attend).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        check_in: Option<u64>,
        /// Departure (absent: at the end).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        check_out: Option<u64>,
        /// Why.
        reason: String,
    },
    /// After the end: reveal the activity's key, so every self check-in's
    /// proof is checked (forged ones are rejected and lose their points).
    VerifyCheckIns {
        /// Activity.
        activity: ActivityId,
        /// The key (`checkin::normalize_key` form).
        key: String,
    },
    /// Put a household on the care list (schema 3). Only what a list needs
    /// without identifying anyone; the name, address and notes are a private
    /// `care::HouseholdRecord`.
    AddHousehold {
        /// New household id.
        household: HouseholdId,
        /// Category (`CareSettings::categories`).
        category: String,
        /// Grid.
        grid: String,
        /// Building or courtyard.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        building: Option<String>,
        /// Visit frequency.
        frequency: Frequency,
        /// The grid worker (or coordinator) responsible.
        responsible: MemberId,
        /// Volunteers who visit too (at most two).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pair: Vec<MemberId>,
    },
    /// Change a household; absent fields stay ("" building clears it).
    UpdateHousehold {
        /// Household.
        household: HouseholdId,
        /// Category.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        category: Option<String>,
        /// Grid.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        grid: Option<String>,
        /// Building.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        building: Option<String>,
        /// Frequency.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        frequency: Option<Frequency>,
        /// Responsible.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        responsible: Option<MemberId>,
        /// Pair (replaces it).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pair: Option<Vec<MemberId>>,
    },
    /// Pause, close or reactivate a household (reason required to pause or close).
    SetHouseholdStatus {
        /// Household.
        household: HouseholdId,
        /// New status.
        status: HouseholdStatus,
        /// Why.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        reason: String,
    },
    /// Record a visit (its note is a private `care::VisitNote`).
    RecordVisit {
        /// Household.
        household: HouseholdId,
        /// New visit id.
        visit: VisitId,
        /// When it took place (epoch ms).
        date: u64,
        /// How.
        mode: VisitMode,
        /// What it found.
        outcome: Outcome,
        /// Who went (empty: the author).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        visitors: Vec<MemberId>,
    },
    /// Link a wish recorded on the household's behalf to the visit that found it.
    LinkVisitWish {
        /// Visit.
        visit: VisitId,
        /// Wish.
        wish: WishId,
    },

    // ---- photos (schema 4) ----
    /// Attach photos to a wish: only their hashes and sizes; the bytes are
    /// content-addressed objects beside the log (`photos`).
    AttachPhotos {
        /// Wish.
        wish: WishId,
        /// The request or the completion report.
        #[serde(default)]
        stage: Stage,
        /// Up to `photos::MAX_PHOTOS`.
        photos: Vec<PhotoRef>,
    },

    // ---- street level (schema 5) ----
    /// The street takes an escalated wish on (`street`): the wish stays
    /// escalated, with the department or unit doing it recorded.
    StreetAccept {
        /// Wish.
        wish: WishId,
        /// The street department or partner unit doing it.
        holder: String,
        /// The signature the community sees ("西关街道 · 王主任").
        from: String,
        /// Optional note for the community.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        note: String,
    },
    /// The street sends an escalated wish back to its community with guidance.
    StreetReturn {
        /// Wish.
        wish: WishId,
        /// The signature the community sees.
        from: String,
        /// What the community should do.
        guidance: String,
    },
    /// The street resolves an escalated wish with a report; the resident evaluates.
    StreetResolve {
        /// Wish.
        wish: WishId,
        /// The signature the community sees.
        from: String,
        /// What was done.
        report: String,
    },

    // ---- street filing (schema 6) ----
    /// A street's Open311 key files a wish in a community of the street
    /// (`street`): made by the endpoint only, authored by the key's id (no
    /// member of the community), on the city channel, naming no requester.
    StreetFile {
        /// New wish id.
        wish: WishId,
        /// Category.
        category: Category,
        /// Title.
        title: String,
        /// Description.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        description: String,
        /// Public place.
        #[serde(default)]
        place: Place,
        /// The filer's signature the community sees ("西关街道 · 12345 热线").
        from: String,
    },
    /// A kind from a newer schema: kept verbatim, skipped by the reducer.
    #[serde(skip)]
    Unknown(serde_json::Value),
}

/// Decodes a kind whose `type` is `action` field by field, each field through
/// its own type's `Deserialize` (one copy per field type, not per variant).
/// Same rules as serde's derive: unknown fields are ignored, a missing field
/// without `#[serde(default)]` is an error.
fn decode_known(action: Action, value: &serde_json::Value) -> Result<OpKind, serde_json::Error> {
    let Some(obj) = value.as_object() else {
        return Err(serde::de::Error::custom("op kind must be an object"));
    };
    let f = Fields(obj);
    Ok(match action {
        Action::CreateCommunity => OpKind::CreateCommunity {
            community: f.req("community")?,
            name: f.req("name")?,
            founder: f.req("founder")?,
            grids: f.or_default("grids")?,
            buildings: f.or_default("buildings")?,
            settings: f.or_default("settings")?,
        },
        Action::UpdateCommunity => OpKind::UpdateCommunity {
            name: f.or_default("name")?,
            grids: f.or_default("grids")?,
            buildings: f.or_default("buildings")?,
        },
        Action::UpdateSettings => OpKind::UpdateSettings {
            settings: f.req("settings")?,
        },
        Action::AddMember => OpKind::AddMember {
            member: f.req("member")?,
            name: f.req("name")?,
            role: f.req("role")?,
            skills: f.or_default("skills")?,
            grids: f.or_default("grids")?,
            partner: f.or_default("partner")?,
        },
        Action::UpdateMember => OpKind::UpdateMember {
            member: f.req("member")?,
            name: f.or_default("name")?,
            skills: f.or_default("skills")?,
            grids: f.or_default("grids")?,
        },
        Action::SetRole => OpKind::SetRole {
            member: f.req("member")?,
            role: f.req("role")?,
        },
        Action::RemoveMember => OpKind::RemoveMember {
            member: f.req("member")?,
        },
        Action::CreateTeam => OpKind::CreateTeam {
            team: f.req("team")?,
            name: f.req("name")?,
            lead: f.or_default("lead")?,
            members: f.or_default("members")?,
            categories: f.or_default("categories")?,
        },
        Action::UpdateTeam => OpKind::UpdateTeam {
            team: f.req("team")?,
            name: f.or_default("name")?,
            lead: f.or_default("lead")?,
            categories: f.or_default("categories")?,
        },
        Action::SetTeamMembers => OpKind::SetTeamMembers {
            team: f.req("team")?,
            members: f.req("members")?,
        },
        Action::AddPartner => OpKind::AddPartner {
            partner: f.req("partner")?,
            name: f.req("name")?,
        },
        Action::AddResource => OpKind::AddResource {
            resource: f.req("resource")?,
            partner: f.req("partner")?,
            title: f.req("title")?,
            categories: f.or_default("categories")?,
            capacity: f.req("capacity")?,
            window: f.or_default("window")?,
            weekdays: f.or_default("weekdays")?,
            grids: f.or_default("grids")?,
        },
        Action::UpdateResource => OpKind::UpdateResource {
            resource: f.req("resource")?,
            title: f.or_default("title")?,
            categories: f.or_default("categories")?,
            capacity: f.or_default("capacity")?,
            window: f.or_default("window")?,
            weekdays: f.or_default("weekdays")?,
            grids: f.or_default("grids")?,
        },
        Action::RemoveResource => OpKind::RemoveResource {
            resource: f.req("resource")?,
        },
        Action::CreateWish => OpKind::CreateWish {
            wish: f.req("wish")?,
            category: f.req("category")?,
            title: f.req("title")?,
            description: f.or_default("description")?,
            place: f.or_default("place")?,
            urgency: f.or_default("urgency")?,
            window: f.or_default("window")?,
            channel: f.req("channel")?,
            requester: f.or_default("requester")?,
        },
        Action::Publish => OpKind::Publish {
            wish: f.req("wish")?,
        },
        Action::Assign => OpKind::Assign {
            wish: f.req("wish")?,
            to: f.req("to")?,
        },
        Action::Claim => OpKind::Claim {
            wish: f.req("wish")?,
        },
        Action::PartnerClaim => OpKind::PartnerClaim {
            wish: f.req("wish")?,
            partner: f.req("partner")?,
            resource: f.or_default("resource")?,
        },
        Action::Release => OpKind::Release {
            wish: f.req("wish")?,
        },
        Action::ExpireLease => OpKind::ExpireLease {
            wish: f.req("wish")?,
        },
        Action::Start => OpKind::Start {
            wish: f.req("wish")?,
        },
        Action::Note => OpKind::Note {
            wish: f.req("wish")?,
            text: f.req("text")?,
        },
        Action::Complete => OpKind::Complete {
            wish: f.req("wish")?,
            report: f.req("report")?,
            minutes: f.req("minutes")?,
        },
        Action::Evaluate => OpKind::Evaluate {
            wish: f.req("wish")?,
            rating: f.req("rating")?,
            comment: f.or_default("comment")?,
        },
        Action::Reopen => OpKind::Reopen {
            wish: f.req("wish")?,
            reason: f.req("reason")?,
        },
        Action::Reject => OpKind::Reject {
            wish: f.req("wish")?,
            reason: f.req("reason")?,
        },
        Action::Merge => OpKind::Merge {
            wish: f.req("wish")?,
            into: f.req("into")?,
        },
        Action::Escalate => OpKind::Escalate {
            wish: f.req("wish")?,
            level: f.req("level")?,
            note: f.req("note")?,
        },
        Action::Cancel => OpKind::Cancel {
            wish: f.req("wish")?,
            reason: f.or_default("reason")?,
        },
        Action::CreateActivity => OpKind::CreateActivity {
            activity: f.req("activity")?,
            title: f.req("title")?,
            theme: f.req("theme")?,
            description: f.or_default("description")?,
            venue: f.or_default("venue")?,
            start: f.req("start")?,
            end: f.req("end")?,
            capacity: f.or_default("capacity")?,
            organiser: f.or_default("organiser")?,
            sign_up_by: f.or_default("sign_up_by")?,
            points: f.or_default("points")?,
            fixed_points: f.or_default("fixed_points")?,
            check: f.req("check")?,
        },
        Action::UpdateActivity => OpKind::UpdateActivity {
            activity: f.req("activity")?,
            title: f.or_default("title")?,
            theme: f.or_default("theme")?,
            description: f.or_default("description")?,
            venue: f.or_default("venue")?,
            start: f.or_default("start")?,
            end: f.or_default("end")?,
            capacity: f.or_default("capacity")?,
            sign_up_by: f.or_default("sign_up_by")?,
            points: f.or_default("points")?,
            fixed_points: f.or_default("fixed_points")?,
        },
        Action::OpenActivity => OpKind::OpenActivity {
            activity: f.req("activity")?,
        },
        Action::CancelActivity => OpKind::CancelActivity {
            activity: f.req("activity")?,
            reason: f.req("reason")?,
        },
        Action::SignUp => OpKind::SignUp {
            activity: f.req("activity")?,
            member: f.or_default("member")?,
        },
        Action::Withdraw => OpKind::Withdraw {
            activity: f.req("activity")?,
            member: f.or_default("member")?,
        },
        Action::CheckIn => OpKind::CheckIn {
            activity: f.req("activity")?,
            member: f.or_default("member")?,
            proof: f.or_default("proof")?,
        },
        Action::CheckOut => OpKind::CheckOut {
            activity: f.req("activity")?,
            member: f.or_default("member")?,
        },
        Action::CorrectAttendance => OpKind::CorrectAttendance {
            activity: f.req("activity")?,
            member: f.req("member")?,
            check_in: f.or_default("check_in")?,
            check_out: f.or_default("check_out")?,
            reason: f.req("reason")?,
        },
        Action::VerifyCheckIns => OpKind::VerifyCheckIns {
            activity: f.req("activity")?,
            key: f.req("key")?,
        },
        Action::AddHousehold => OpKind::AddHousehold {
            household: f.req("household")?,
            category: f.req("category")?,
            grid: f.req("grid")?,
            building: f.or_default("building")?,
            frequency: f.req("frequency")?,
            responsible: f.req("responsible")?,
            pair: f.or_default("pair")?,
        },
        Action::UpdateHousehold => OpKind::UpdateHousehold {
            household: f.req("household")?,
            category: f.or_default("category")?,
            grid: f.or_default("grid")?,
            building: f.or_default("building")?,
            frequency: f.or_default("frequency")?,
            responsible: f.or_default("responsible")?,
            pair: f.or_default("pair")?,
        },
        Action::SetHouseholdStatus => OpKind::SetHouseholdStatus {
            household: f.req("household")?,
            status: f.req("status")?,
            reason: f.or_default("reason")?,
        },
        Action::RecordVisit => OpKind::RecordVisit {
            household: f.req("household")?,
            visit: f.req("visit")?,
            date: f.req("date")?,
            mode: f.req("mode")?,
            outcome: f.req("outcome")?,
            visitors: f.or_default("visitors")?,
        },
        Action::LinkVisitWish => OpKind::LinkVisitWish {
            visit: f.req("visit")?,
            wish: f.req("wish")?,
        },
        Action::AttachPhotos => OpKind::AttachPhotos {
            wish: f.req("wish")?,
            stage: f.or_default("stage")?,
            photos: f.req("photos")?,
        },
        Action::StreetAccept => OpKind::StreetAccept {
            wish: f.req("wish")?,
            holder: f.req("holder")?,
            from: f.req("from")?,
            note: f.or_default("note")?,
        },
        Action::StreetReturn => OpKind::StreetReturn {
            wish: f.req("wish")?,
            from: f.req("from")?,
            guidance: f.req("guidance")?,
        },
        Action::StreetResolve => OpKind::StreetResolve {
            wish: f.req("wish")?,
            from: f.req("from")?,
            report: f.req("report")?,
        },
        Action::StreetFile => OpKind::StreetFile {
            wish: f.req("wish")?,
            category: f.req("category")?,
            title: f.req("title")?,
            description: f.or_default("description")?,
            place: f.or_default("place")?,
            from: f.req("from")?,
        },
    })
}

struct Fields<'a>(&'a serde_json::Map<String, serde_json::Value>);

impl Fields<'_> {
    fn req<T: serde::de::DeserializeOwned>(
        &self,
        name: &'static str,
    ) -> Result<T, serde_json::Error> {
        match self.0.get(name) {
            Some(v) => T::deserialize(v),
            None => Err(serde::de::Error::missing_field(name)),
        }
    }

    fn or_default<T: serde::de::DeserializeOwned + Default>(
        &self,
        name: &'static str,
    ) -> Result<T, serde_json::Error> {
        self.0
            .get(name)
            .map_or_else(|| Ok(T::default()), T::deserialize)
    }
}

fn is_zero(n: &u8) -> bool {
    *n == 0
}

impl Serialize for OpKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            OpKind::Unknown(raw) => raw.serialize(s),
            known => OpKind::serialize(known, s),
        }
    }
}

impl<'de> Deserialize<'de> for OpKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        OpKind::from_value(value, crate::SCHEMA_VERSION).map_err(serde::de::Error::custom)
    }
}

impl OpKind {
    /// Decode a kind. A `type` this build does not know becomes `Unknown`.
    /// A known `type` whose payload does not fit is an error from a writer of
    /// this or an older schema, but is kept as `Unknown` from a newer one
    /// (`v > SCHEMA_VERSION`), which may have reshaped it.
    pub fn from_value(value: serde_json::Value, v: u16) -> Result<OpKind, serde_json::Error> {
        Self::from_value_as(value, v, crate::SCHEMA_VERSION)
    }

    /// `from_value` as a reader of schema `reader` decodes: kinds introduced
    /// after it (`Action::since`) are `Unknown`. This is how an old device
    /// reads a newer log; tests use it to play the old device.
    pub fn from_value_as(
        value: serde_json::Value,
        v: u16,
        reader: u16,
    ) -> Result<OpKind, serde_json::Error> {
        let ty = match value.get("type").and_then(serde_json::Value::as_str) {
            Some(t) => t,
            None => {
                return Err(serde::de::Error::custom(
                    "op kind must be an object with a string `type`",
                ));
            }
        };
        let Some(action) = Action::from_code(ty).filter(|a| a.since() <= reader) else {
            return Ok(OpKind::Unknown(value));
        };
        match decode_known(action, &value) {
            Ok(k) => Ok(k),
            Err(_) if v > reader => Ok(OpKind::Unknown(value)),
            Err(e) => Err(e),
        }
    }

    /// The action of this kind (`None` for `Unknown`), used by the permission matrix.
    pub fn action(&self) -> Option<Action> {
        Some(match self {
            OpKind::CreateCommunity { .. } => Action::CreateCommunity,
            OpKind::UpdateCommunity { .. } => Action::UpdateCommunity,
            OpKind::UpdateSettings { .. } => Action::UpdateSettings,
            OpKind::AddMember { .. } => Action::AddMember,
            OpKind::UpdateMember { .. } => Action::UpdateMember,
            OpKind::SetRole { .. } => Action::SetRole,
            OpKind::RemoveMember { .. } => Action::RemoveMember,
            OpKind::CreateTeam { .. } => Action::CreateTeam,
            OpKind::UpdateTeam { .. } => Action::UpdateTeam,
            OpKind::SetTeamMembers { .. } => Action::SetTeamMembers,
            OpKind::AddPartner { .. } => Action::AddPartner,
            OpKind::AddResource { .. } => Action::AddResource,
            OpKind::UpdateResource { .. } => Action::UpdateResource,
            OpKind::RemoveResource { .. } => Action::RemoveResource,
            OpKind::CreateWish { .. } => Action::CreateWish,
            OpKind::Publish { .. } => Action::Publish,
            OpKind::Assign { .. } => Action::Assign,
            OpKind::Claim { .. } => Action::Claim,
            OpKind::PartnerClaim { .. } => Action::PartnerClaim,
            OpKind::Release { .. } => Action::Release,
            OpKind::ExpireLease { .. } => Action::ExpireLease,
            OpKind::Start { .. } => Action::Start,
            OpKind::Note { .. } => Action::Note,
            OpKind::Complete { .. } => Action::Complete,
            OpKind::Evaluate { .. } => Action::Evaluate,
            OpKind::Reopen { .. } => Action::Reopen,
            OpKind::Reject { .. } => Action::Reject,
            OpKind::Merge { .. } => Action::Merge,
            OpKind::Escalate { .. } => Action::Escalate,
            OpKind::Cancel { .. } => Action::Cancel,
            OpKind::CreateActivity { .. } => Action::CreateActivity,
            OpKind::UpdateActivity { .. } => Action::UpdateActivity,
            OpKind::OpenActivity { .. } => Action::OpenActivity,
            OpKind::CancelActivity { .. } => Action::CancelActivity,
            OpKind::SignUp { .. } => Action::SignUp,
            OpKind::Withdraw { .. } => Action::Withdraw,
            OpKind::CheckIn { .. } => Action::CheckIn,
            OpKind::CheckOut { .. } => Action::CheckOut,
            OpKind::CorrectAttendance { .. } => Action::CorrectAttendance,
            OpKind::VerifyCheckIns { .. } => Action::VerifyCheckIns,
            OpKind::AddHousehold { .. } => Action::AddHousehold,
            OpKind::UpdateHousehold { .. } => Action::UpdateHousehold,
            OpKind::SetHouseholdStatus { .. } => Action::SetHouseholdStatus,
            OpKind::RecordVisit { .. } => Action::RecordVisit,
            OpKind::LinkVisitWish { .. } => Action::LinkVisitWish,
            OpKind::AttachPhotos { .. } => Action::AttachPhotos,
            OpKind::StreetAccept { .. } => Action::StreetAccept,
            OpKind::StreetReturn { .. } => Action::StreetReturn,
            OpKind::StreetResolve { .. } => Action::StreetResolve,
            OpKind::StreetFile { .. } => Action::StreetFile,
            OpKind::Unknown(_) => return None,
        })
    }

    /// The wish this op is about, if any (for timelines and "my pending ops" views).
    pub fn wish(&self) -> Option<&WishId> {
        match self {
            OpKind::CreateWish { wish, .. }
            | OpKind::Publish { wish }
            | OpKind::Assign { wish, .. }
            | OpKind::Claim { wish }
            | OpKind::PartnerClaim { wish, .. }
            | OpKind::Release { wish }
            | OpKind::ExpireLease { wish }
            | OpKind::Start { wish }
            | OpKind::Note { wish, .. }
            | OpKind::Complete { wish, .. }
            | OpKind::Evaluate { wish, .. }
            | OpKind::Reopen { wish, .. }
            | OpKind::Reject { wish, .. }
            | OpKind::Merge { wish, .. }
            | OpKind::Escalate { wish, .. }
            | OpKind::Cancel { wish, .. }
            | OpKind::AttachPhotos { wish, .. }
            | OpKind::StreetAccept { wish, .. }
            | OpKind::StreetReturn { wish, .. }
            | OpKind::StreetResolve { wish, .. }
            | OpKind::StreetFile { wish, .. } => Some(wish),
            _ => None,
        }
    }

    /// The lifecycle step an op on a wish takes (`None` for other kinds).
    /// An evaluation accepts or sends the work back by its rating.
    pub fn step(&self) -> Option<Step> {
        Some(match self {
            OpKind::CreateWish { .. } | OpKind::StreetFile { .. } => Step::Create,
            OpKind::Publish { .. } => Step::Publish,
            OpKind::Assign { .. } => Step::Assign,
            OpKind::Claim { .. } => Step::Claim,
            OpKind::PartnerClaim { .. } => Step::PartnerClaim,
            OpKind::Release { .. } => Step::Release,
            OpKind::ExpireLease { .. } => Step::ExpireLease,
            OpKind::Start { .. } => Step::Start,
            OpKind::Note { .. } => Step::Note,
            OpKind::Complete { .. } => Step::Complete,
            OpKind::Evaluate { rating, .. } if rating.accepts() => Step::Accept,
            OpKind::Evaluate { .. } => Step::Rework,
            OpKind::Reopen { .. } => Step::Reopen,
            OpKind::Reject { .. } => Step::Reject,
            OpKind::Merge { .. } => Step::Merge,
            OpKind::Escalate { .. } => Step::Escalate,
            OpKind::Cancel { .. } => Step::Cancel,
            OpKind::StreetAccept { .. } => Step::StreetAccept,
            OpKind::StreetReturn { .. } => Step::StreetReturn,
            OpKind::StreetResolve { .. } => Step::StreetResolve,
            OpKind::CreateCommunity { .. }
            | OpKind::UpdateCommunity { .. }
            | OpKind::UpdateSettings { .. }
            | OpKind::AddMember { .. }
            | OpKind::UpdateMember { .. }
            | OpKind::SetRole { .. }
            | OpKind::RemoveMember { .. }
            | OpKind::CreateTeam { .. }
            | OpKind::UpdateTeam { .. }
            | OpKind::SetTeamMembers { .. }
            | OpKind::AddPartner { .. }
            | OpKind::AddResource { .. }
            | OpKind::UpdateResource { .. }
            | OpKind::RemoveResource { .. }
            | OpKind::CreateActivity { .. }
            | OpKind::UpdateActivity { .. }
            | OpKind::OpenActivity { .. }
            | OpKind::CancelActivity { .. }
            | OpKind::SignUp { .. }
            | OpKind::Withdraw { .. }
            | OpKind::CheckIn { .. }
            | OpKind::CheckOut { .. }
            | OpKind::CorrectAttendance { .. }
            | OpKind::VerifyCheckIns { .. }
            | OpKind::AddHousehold { .. }
            | OpKind::UpdateHousehold { .. }
            | OpKind::SetHouseholdStatus { .. }
            | OpKind::RecordVisit { .. }
            | OpKind::LinkVisitWish { .. }
            | OpKind::AttachPhotos { .. }
            | OpKind::Unknown(_) => return None,
        })
    }

    /// The activity this op is about, if any.
    pub fn activity(&self) -> Option<&ActivityId> {
        match self {
            OpKind::CreateActivity { activity, .. }
            | OpKind::UpdateActivity { activity, .. }
            | OpKind::OpenActivity { activity }
            | OpKind::CancelActivity { activity, .. }
            | OpKind::SignUp { activity, .. }
            | OpKind::Withdraw { activity, .. }
            | OpKind::CheckIn { activity, .. }
            | OpKind::CheckOut { activity, .. }
            | OpKind::CorrectAttendance { activity, .. }
            | OpKind::VerifyCheckIns { activity, .. } => Some(activity),
            _ => None,
        }
    }

    /// The `type` tag as written in JSON (for `Unknown`, the raw one if present).
    pub fn type_name(&self) -> &str {
        match self {
            OpKind::Unknown(raw) => raw
                .get("type")
                .and_then(serde_json::Value::as_str)
                .unwrap_or(""),
            k => k.action().map(Action::code).unwrap_or(""),
        }
    }
}

/// The kinds of op without their payload: rows of the permission matrix and
/// the `type` tags of the wire format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// See `OpKind::CreateCommunity`.
    CreateCommunity,
    /// See `OpKind::UpdateCommunity`.
    UpdateCommunity,
    /// See `OpKind::UpdateSettings`.
    UpdateSettings,
    /// See `OpKind::AddMember`.
    AddMember,
    /// See `OpKind::UpdateMember`.
    UpdateMember,
    /// See `OpKind::SetRole`.
    SetRole,
    /// See `OpKind::RemoveMember`.
    RemoveMember,
    /// See `OpKind::CreateTeam`.
    CreateTeam,
    /// See `OpKind::UpdateTeam`.
    UpdateTeam,
    /// See `OpKind::SetTeamMembers`.
    SetTeamMembers,
    /// See `OpKind::AddPartner`.
    AddPartner,
    /// See `OpKind::AddResource`.
    AddResource,
    /// See `OpKind::UpdateResource`.
    UpdateResource,
    /// See `OpKind::RemoveResource`.
    RemoveResource,
    /// See `OpKind::CreateWish`.
    CreateWish,
    /// See `OpKind::Publish`.
    Publish,
    /// See `OpKind::Assign`.
    Assign,
    /// See `OpKind::Claim`.
    Claim,
    /// See `OpKind::PartnerClaim`.
    PartnerClaim,
    /// See `OpKind::Release`.
    Release,
    /// See `OpKind::ExpireLease`.
    ExpireLease,
    /// See `OpKind::Start`.
    Start,
    /// See `OpKind::Note`.
    Note,
    /// See `OpKind::Complete`.
    Complete,
    /// See `OpKind::Evaluate`.
    Evaluate,
    /// See `OpKind::Reopen`.
    Reopen,
    /// See `OpKind::Reject`.
    Reject,
    /// See `OpKind::Merge`.
    Merge,
    /// See `OpKind::Escalate`.
    Escalate,
    /// See `OpKind::Cancel`.
    Cancel,
    /// See `OpKind::CreateActivity`.
    CreateActivity,
    /// See `OpKind::UpdateActivity`.
    UpdateActivity,
    /// See `OpKind::OpenActivity`.
    OpenActivity,
    /// See `OpKind::CancelActivity`.
    CancelActivity,
    /// See `OpKind::SignUp`.
    SignUp,
    /// See `OpKind::Withdraw`.
    Withdraw,
    /// See `OpKind::CheckIn`.
    CheckIn,
    /// See `OpKind::CheckOut`.
    CheckOut,
    /// See `OpKind::CorrectAttendance`.
    CorrectAttendance,
    /// See `OpKind::VerifyCheckIns`.
    VerifyCheckIns,
    /// See `OpKind::AddHousehold`.
    AddHousehold,
    /// See `OpKind::UpdateHousehold`.
    UpdateHousehold,
    /// See `OpKind::SetHouseholdStatus`.
    SetHouseholdStatus,
    /// See `OpKind::RecordVisit`.
    RecordVisit,
    /// See `OpKind::LinkVisitWish`.
    LinkVisitWish,
    /// See `OpKind::AttachPhotos`.
    AttachPhotos,
    /// See `OpKind::StreetAccept`.
    StreetAccept,
    /// See `OpKind::StreetReturn`.
    StreetReturn,
    /// See `OpKind::StreetResolve`.
    StreetResolve,
    /// See `OpKind::StreetFile`.
    StreetFile,
}

crate::code::coded!(Action {
    CreateCommunity => "create_community",
    UpdateCommunity => "update_community",
    UpdateSettings => "update_settings",
    AddMember => "add_member",
    UpdateMember => "update_member",
    SetRole => "set_role",
    RemoveMember => "remove_member",
    CreateTeam => "create_team",
    UpdateTeam => "update_team",
    SetTeamMembers => "set_team_members",
    AddPartner => "add_partner",
    AddResource => "add_resource",
    UpdateResource => "update_resource",
    RemoveResource => "remove_resource",
    CreateWish => "create_wish",
    Publish => "publish",
    Assign => "assign",
    Claim => "claim",
    PartnerClaim => "partner_claim",
    Release => "release",
    ExpireLease => "expire_lease",
    Start => "start",
    Note => "note",
    Complete => "complete",
    Evaluate => "evaluate",
    Reopen => "reopen",
    Reject => "reject",
    Merge => "merge",
    Escalate => "escalate",
    Cancel => "cancel",
    CreateActivity => "create_activity",
    UpdateActivity => "update_activity",
    OpenActivity => "open_activity",
    CancelActivity => "cancel_activity",
    SignUp => "sign_up",
    Withdraw => "withdraw",
    CheckIn => "check_in",
    CheckOut => "check_out",
    CorrectAttendance => "correct_attendance",
    VerifyCheckIns => "verify_check_ins",
    AddHousehold => "add_household",
    UpdateHousehold => "update_household",
    SetHouseholdStatus => "set_household_status",
    RecordVisit => "record_visit",
    LinkVisitWish => "link_visit_wish",
    AttachPhotos => "attach_photos",
    StreetAccept => "street_accept",
    StreetReturn => "street_return",
    StreetResolve => "street_resolve",
    StreetFile => "street_file",
});

impl Action {
    /// The schema version that introduced this kind: a reader of an older
    /// schema does not know it and keeps such an op as `Unknown`.
    pub fn since(self) -> u16 {
        if self >= Action::StreetFile {
            6
        } else if self >= Action::StreetAccept {
            5
        } else if self >= Action::AttachPhotos {
            4
        } else if self >= Action::AddHousehold {
            3
        } else if self >= Action::CreateActivity {
            2
        } else {
            1
        }
    }

    /// Whether this is made for the street (`street`): its answers (made on
    /// the street's pages by a member of the street) and its Open311
    /// filings (made by the endpoint); never offered on the wish page.
    pub fn by_street(self) -> bool {
        (Action::StreetAccept..=Action::StreetFile).contains(&self)
    }

    /// Whether this is an action on an activity.
    pub fn on_activity(self) -> bool {
        (Action::CreateActivity..=Action::VerifyCheckIns).contains(&self)
    }

    /// Whether this is an action on the care list.
    pub fn on_care(self) -> bool {
        (Action::AddHousehold..=Action::LinkVisitWish).contains(&self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(kind: OpKind) -> Op {
        Op::new(OpId::new("d1", 1), "m1", Hlc::at(1_700_000_000_000), kind)
    }

    #[test]
    fn wire_format_is_compact_and_stable() {
        let o = op(OpKind::Claim { wish: "w9".into() });
        let s = serde_json::to_string(&o).unwrap();
        assert_eq!(
            s,
            r#"{"v":6,"id":{"dev":"d1","seq":1},"author":"m1","hlc":{"ms":1700000000000,"c":0},"kind":{"type":"claim","wish":"w9"}}"#
        );
        assert_eq!(serde_json::from_str::<Op>(&s).unwrap(), o);
    }

    #[test]
    fn unknown_type_round_trips_verbatim() {
        let s = r#"{"v":3,"id":{"dev":"d1","seq":2},"author":"m1","hlc":{"ms":5,"c":1},"kind":{"type":"plant_tree","tree":"t1","extra":[1,2,{"x":null}]}}"#;
        let o: Op = serde_json::from_str(s).unwrap();
        assert!(matches!(o.kind, OpKind::Unknown(_)));
        assert_eq!(o.kind.type_name(), "plant_tree");
        assert_eq!(o.kind.action(), None);
        let back = serde_json::to_string(&o).unwrap();
        let a: serde_json::Value = serde_json::from_str(s).unwrap();
        let b: serde_json::Value = serde_json::from_str(&back).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn newer_writer_known_kind_with_extra_fields_still_decodes() {
        let s = r#"{"v":9,"id":{"dev":"d1","seq":2},"author":"m1","hlc":{"ms":5,"c":1},"kind":{"type":"claim","wish":"w1","new_field":true}}"#;
        let o: Op = serde_json::from_str(s).unwrap();
        assert_eq!(o.kind, OpKind::Claim { wish: "w1".into() });
        assert_eq!(o.v, 9);
    }

    #[test]
    fn newer_writer_reshaped_known_kind_is_kept_as_unknown() {
        let s = r#"{"v":9,"id":{"dev":"d1","seq":2},"author":"m1","hlc":{"ms":5,"c":1},"kind":{"type":"claim","wish":{"nested":1}}}"#;
        let o: Op = serde_json::from_str(s).unwrap();
        assert!(matches!(o.kind, OpKind::Unknown(_)));
    }

    #[test]
    fn current_writer_malformed_known_kind_is_an_error() {
        let s = r#"{"v":2,"id":{"dev":"d1","seq":2},"author":"m1","hlc":{"ms":5,"c":1},"kind":{"type":"claim"}}"#;
        assert!(serde_json::from_str::<Op>(s).is_err());
        let s = r#"{"v":1,"id":{"dev":"d1","seq":2},"author":"m1","hlc":{"ms":5,"c":1},"kind":42}"#;
        assert!(serde_json::from_str::<Op>(s).is_err());
    }

    /// `decode_known` agrees with serde's derived decoder on every kind with
    /// all its fields, and with each field missing, null or of a wrong shape.
    #[test]
    fn hand_decoder_agrees_with_serde_derive() {
        use serde_json::{Value, json};
        let pool = |name: &str| -> Value {
            match name {
                "settings" => serde_json::to_value(Settings::default()).unwrap(),
                "role" => json!("volunteer"),
                "skills" | "categories" => json!(["repair", "cleaning"]),
                "category" => json!("repair"),
                "window" => json!({"from": 1, "to": 2}),
                "place" => json!({"grid": "g1", "building": "b1"}),
                "urgency" => json!("low"),
                "channel" => json!("self"),
                "to" => json!({"team": "t1"}),
                "rating" => json!("satisfied"),
                "level" => json!("street"),
                "capacity" | "minutes" | "fixed_points" => json!(30),
                "weekdays" => json!(5),
                "grids" | "buildings" | "members" => json!(["a", "b"]),
                "organiser" => json!({"partner": "u1"}),
                "points" => json!("fixed"),
                "frequency" => json!("monthly"),
                "status" => json!("paused"),
                "mode" => json!("phone"),
                "outcome" => json!("follow_up"),
                "pair" | "visitors" => json!(["a", "b"]),
                "stage" => json!("completion"),
                "photos" => json!([{
                    "sha256": "a".repeat(64),
                    "bytes": 1000,
                    "thumb": "b".repeat(64),
                    "thumb_bytes": 100,
                    "volunteers": true
                }]),
                "start" | "end" | "sign_up_by" | "check_in" | "check_out" | "date" => {
                    json!(1_700_000_000_000u64)
                }
                _ => json!("x1"),
            }
        };
        let names = [
            "community",
            "name",
            "founder",
            "grids",
            "buildings",
            "settings",
            "member",
            "role",
            "skills",
            "partner",
            "team",
            "lead",
            "members",
            "categories",
            "resource",
            "title",
            "capacity",
            "window",
            "weekdays",
            "wish",
            "category",
            "description",
            "place",
            "urgency",
            "channel",
            "requester",
            "to",
            "text",
            "report",
            "minutes",
            "rating",
            "comment",
            "reason",
            "into",
            "level",
            "note",
            "activity",
            "theme",
            "venue",
            "start",
            "end",
            "organiser",
            "sign_up_by",
            "points",
            "fixed_points",
            "check",
            "proof",
            "check_in",
            "check_out",
            "key",
            "household",
            "grid",
            "building",
            "frequency",
            "responsible",
            "pair",
            "status",
            "visit",
            "date",
            "mode",
            "outcome",
            "visitors",
            "stage",
            "photos",
            "holder",
            "from",
            "guidance",
        ];
        let wrong = [
            Value::Null,
            json!(-1),
            json!(1.5),
            json!(300),
            json!(true),
            json!("zz"),
            json!([]),
            json!({}),
            json!({"member": "m1", "team": "t1"}),
            json!([1, "a"]),
        ];
        let check = |kind: &Value| {
            let ours = decode_known(
                Action::from_code(kind["type"].as_str().unwrap()).unwrap(),
                kind,
            );
            let theirs = OpKind::deserialize(kind);
            match (&ours, &theirs) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{kind}"),
                (Err(_), Err(_)) => {}
                _ => panic!("disagree on {kind}: {ours:?} vs {theirs:?}"),
            }
            ours.is_ok()
        };
        let mut decoded = 0;
        for a in Action::ALL {
            let mut full = serde_json::Map::new();
            full.insert("type".into(), json!(a.code()));
            for n in names {
                full.insert(n.into(), pool(n));
            }
            let full = Value::Object(full);
            assert!(check(&full), "{full}");
            // Keep only the fields this kind has (a round trip drops the rest).
            let known = serde_json::to_value(decode_known(a, &full).unwrap()).unwrap();
            for n in names {
                let mut missing = known.clone();
                missing.as_object_mut().unwrap().remove(n);
                decoded += check(&missing) as u32;
                for w in &wrong {
                    let mut bad = full.clone();
                    bad[n] = w.clone();
                    decoded += check(&bad) as u32;
                }
            }
        }
        assert!(decoded > 1000);
    }

    #[test]
    fn every_action_code_is_a_type_tag() {
        for a in Action::ALL {
            assert_eq!(Action::from_code(a.code()), Some(a));
            let json = serde_json::to_value(a).unwrap();
            assert_eq!(json.as_str(), Some(a.code()));
        }
    }
}
