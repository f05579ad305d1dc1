//! Pure validation of an op's payload, shared by the UI (before minting),
//! the endpoint (before accepting) and the reducer (an invalid op in the log
//! is `Void(invalid)`). Errors carry stable snake_case codes the UI
//! translates; `Display` is English for logs and the API.

use crate::hlc::Hlc;
use crate::model::{Place, PointsRules, Settings, TimeWindow};
use crate::op::{Op, OpKind};

/// Longest wish title, in characters (not bytes: Chinese text is 3 bytes a char).
pub const TITLE_MAX_CHARS: usize = 80;
/// Longest wish description.
pub const DESCRIPTION_MAX_CHARS: usize = 2000;
/// Longest note, report, reason or comment.
pub const TEXT_MAX_CHARS: usize = 1000;
/// Longest display name (member, team, partner, community, resource title).
pub const NAME_MAX_CHARS: usize = 60;
/// Longest place part (grid, building, unit, free text).
pub const PLACE_MAX_CHARS: usize = 100;
/// Longest id of any kind, in bytes: ids become object names (a file name
/// is at most 255 bytes), and the app mints ASCII ids.
pub const ID_MAX_BYTES: usize = 64;
/// Largest op, as compact JSON bytes. The largest real op (a wish with every
/// text at its limit in Chinese) is about 8 KB; the log is immutable, so junk
/// must be stopped at the door.
pub const OP_MAX_BYTES: usize = 16 * 1024;
/// Longest list in an op (grids, skills, members…).
pub const LIST_MAX: usize = 200;
/// Service time allowed in one completion, minutes (1 minute to 100 hours).
pub const MINUTES_RANGE: std::ops::RangeInclusive<u32> = 1..=6000;
/// Lease length allowed in settings, hours (1 hour to 30 days).
pub const LEASE_HOURS_RANGE: std::ops::RangeInclusive<u32> = 1..=720;
/// Kiosk idle time before it clears itself, seconds (15 s to 10 minutes).
pub const KIOSK_IDLE_RANGE: std::ops::RangeInclusive<u32> = 15..=600;
/// Minutes per basic point allowed in settings.
pub const MINUTES_PER_POINT_RANGE: std::ops::RangeInclusive<u32> = 1..=600;
/// Bonus or deduction allowed in settings (points).
pub const POINTS_RANGE: std::ops::RangeInclusive<i64> = 0..=100;
/// Largest resource capacity.
pub const CAPACITY_MAX: u32 = 100_000;
/// Longest activity, start to end (7 days).
pub const ACTIVITY_MAX_MS: u64 = 7 * 86_400_000;
/// Check-in lead time allowed in settings, minutes (up to a day).
pub const CHECK_IN_LEAD_RANGE: std::ops::RangeInclusive<u32> = 0..=1440;
/// Rounding step of activity hours allowed in settings, minutes.
pub const ROUND_MINUTES_RANGE: std::ops::RangeInclusive<u32> = 1..=240;
/// How far ahead of the endpoint's clock an op's stamp may be (10 minutes).
/// Stamps drive lease expiry, so the endpoint refuses ops from the future.
pub const MAX_CLOCK_AHEAD_MS: u64 = 10 * 60 * 1000;

/// Why an op's payload is unacceptable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    /// Title blank.
    #[error("title is empty")]
    TitleEmpty,
    /// Title over `TITLE_MAX_CHARS`.
    #[error("title is longer than {TITLE_MAX_CHARS} characters")]
    TitleTooLong,
    /// Description over `DESCRIPTION_MAX_CHARS`.
    #[error("description is longer than {DESCRIPTION_MAX_CHARS} characters")]
    DescriptionTooLong,
    /// Name blank.
    #[error("name is empty")]
    NameEmpty,
    /// Name over `NAME_MAX_CHARS`.
    #[error("name is longer than {NAME_MAX_CHARS} characters")]
    NameTooLong,
    /// Text (note, report, reason, comment) over `TEXT_MAX_CHARS`.
    #[error("text is longer than {TEXT_MAX_CHARS} characters")]
    TextTooLong,
    /// Place part over `PLACE_MAX_CHARS`.
    #[error("place is longer than {PLACE_MAX_CHARS} characters")]
    PlaceTooLong,
    /// Reject or reopen without a reason.
    #[error("a reason is required")]
    ReasonRequired,
    /// Note or escalation without text.
    #[error("a note is required")]
    NoteRequired,
    /// Completion without a report.
    #[error("a completion report is required")]
    ReportRequired,
    /// Minutes outside `MINUTES_RANGE`.
    #[error("hours served are out of range")]
    MinutesOutOfRange,
    /// Category text that is not a category code.
    #[error("unknown category")]
    BadCategory,
    /// An id is empty.
    #[error("an id is empty")]
    IdEmpty,
    /// An id is over `ID_MAX_BYTES`.
    #[error("an id is longer than {ID_MAX_BYTES} bytes")]
    IdTooLong,
    /// The op is over `OP_MAX_BYTES` as JSON.
    #[error("the op is larger than {OP_MAX_BYTES} bytes")]
    OpTooLarge,
    /// Op sequence number is zero.
    #[error("op sequence numbers start at 1")]
    BadSeq,
    /// Window ends before it starts.
    #[error("time window ends before it starts")]
    WindowInverted,
    /// A wish merged into itself.
    #[error("a wish cannot be merged into itself")]
    MergeIntoSelf,
    /// A list over `LIST_MAX`.
    #[error("list is longer than {LIST_MAX} items")]
    ListTooLong,
    /// Lease hours outside `LEASE_HOURS_RANGE`.
    #[error("lease length is out of range")]
    LeaseHoursOutOfRange,
    /// Kiosk idle seconds outside `KIOSK_IDLE_RANGE`.
    #[error("kiosk idle time is out of range")]
    KioskIdleOutOfRange,
    /// Points rule outside its range.
    #[error("points rule is out of range")]
    PointsOutOfRange,
    /// Capacity over `CAPACITY_MAX`.
    #[error("capacity is out of range")]
    CapacityOutOfRange,
    /// Weekday mask with bit 7 set.
    #[error("weekday mask is invalid")]
    BadWeekdays,
    /// UTC offset outside ±14 h.
    #[error("UTC offset is out of range")]
    BadUtcOffset,
    /// Stamp too far ahead of the endpoint's clock.
    #[error("op stamp is in the future")]
    StampInFuture,
    /// An activity longer than `ACTIVITY_MAX_MS`.
    #[error("an activity lasts at most 7 days")]
    ActivityTooLong,
    /// Sign-up deadline after the end.
    #[error("the sign-up deadline is after the end")]
    SignUpAfterEnd,
    /// A check value, proof or key of the wrong form.
    #[error("check-in code is malformed")]
    BadCode,
    /// A check-out time given without a check-in time.
    #[error("a check-out needs a check-in")]
    CheckOutWithoutCheckIn,
    /// Activity settings out of range (lead time, rounding, themes).
    #[error("activity settings are out of range")]
    BadActivitySettings,
    /// Care settings without a household category.
    #[error("the care list needs at least one household category")]
    BadCareSettings,
    /// More than `PAIR_MAX` volunteers in a household's pair.
    #[error("a household has at most {PAIR_MAX} volunteers besides the responsible one")]
    PairTooLarge,
    /// No photos, or more than `photos::MAX_PHOTOS` in one op.
    #[error("attach 1 to {} photos", crate::photos::MAX_PHOTOS)]
    TooManyPhotos,
    /// A photo's hash is not lowercase hex SHA-256, or a size is 0 or over its cap.
    #[error("a photo reference is malformed or too large")]
    BadPhoto,
}

/// Most volunteers visiting a household besides the responsible one.
pub const PAIR_MAX: usize = 2;

impl ValidationError {
    /// Stable code for translation and the API.
    pub fn code(&self) -> &'static str {
        use ValidationError::*;
        match self {
            TitleEmpty => "title_empty",
            TitleTooLong => "title_too_long",
            DescriptionTooLong => "description_too_long",
            NameEmpty => "name_empty",
            NameTooLong => "name_too_long",
            TextTooLong => "text_too_long",
            PlaceTooLong => "place_too_long",
            ReasonRequired => "reason_required",
            NoteRequired => "note_required",
            ReportRequired => "report_required",
            MinutesOutOfRange => "minutes_out_of_range",
            BadCategory => "bad_category",
            IdEmpty => "id_empty",
            IdTooLong => "id_too_long",
            OpTooLarge => "op_too_large",
            BadSeq => "bad_seq",
            WindowInverted => "window_inverted",
            MergeIntoSelf => "merge_into_self",
            ListTooLong => "list_too_long",
            LeaseHoursOutOfRange => "lease_hours_out_of_range",
            KioskIdleOutOfRange => "kiosk_idle_out_of_range",
            PointsOutOfRange => "points_out_of_range",
            CapacityOutOfRange => "capacity_out_of_range",
            BadWeekdays => "bad_weekdays",
            BadUtcOffset => "bad_utc_offset",
            StampInFuture => "stamp_in_future",
            ActivityTooLong => "activity_too_long",
            SignUpAfterEnd => "sign_up_after_end",
            BadCode => "bad_code",
            CheckOutWithoutCheckIn => "check_out_without_check_in",
            BadActivitySettings => "bad_activity_settings",
            BadCareSettings => "bad_care_settings",
            PairTooLarge => "pair_too_large",
            TooManyPhotos => "too_many_photos",
            BadPhoto => "bad_photo",
        }
    }
}

type R = Result<(), ValidationError>;

/// 1 to `photos::MAX_PHOTOS` distinct photos, each with well-formed hashes
/// and sizes within `PHOTO_MAX_BYTES` / `THUMB_MAX_BYTES`.
pub fn photo_refs(photos: &[crate::photos::PhotoRef]) -> R {
    use crate::photos::{MAX_PHOTOS, PHOTO_MAX_BYTES, THUMB_MAX_BYTES, is_sha256};
    if photos.is_empty() || photos.len() > MAX_PHOTOS {
        return Err(ValidationError::TooManyPhotos);
    }
    for (i, p) in photos.iter().enumerate() {
        let ok = is_sha256(&p.sha256)
            && is_sha256(&p.thumb)
            && p.sha256 != p.thumb
            && (1..=PHOTO_MAX_BYTES).contains(&p.bytes)
            && (1..=THUMB_MAX_BYTES).contains(&p.thumb_bytes)
            && !photos[..i].iter().any(|q| q.sha256 == p.sha256);
        if !ok {
            return Err(ValidationError::BadPhoto);
        }
    }
    Ok(())
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

fn id(s: &str) -> R {
    if s.trim().is_empty() {
        Err(ValidationError::IdEmpty)
    } else if s.len() > ID_MAX_BYTES {
        Err(ValidationError::IdTooLong)
    } else {
        Ok(())
    }
}

fn name(s: &str) -> R {
    if s.trim().is_empty() {
        Err(ValidationError::NameEmpty)
    } else if chars(s) > NAME_MAX_CHARS {
        Err(ValidationError::NameTooLong)
    } else {
        Ok(())
    }
}

fn opt_name(s: &Option<String>) -> R {
    s.as_deref().map_or(Ok(()), name)
}

fn text(s: &str) -> R {
    if chars(s) > TEXT_MAX_CHARS {
        Err(ValidationError::TextTooLong)
    } else {
        Ok(())
    }
}

fn required(s: &str, missing: ValidationError) -> R {
    if s.trim().is_empty() {
        Err(missing)
    } else {
        text(s)
    }
}

fn list<T>(l: &[T]) -> R {
    if l.len() > LIST_MAX {
        Err(ValidationError::ListTooLong)
    } else {
        Ok(())
    }
}

fn names(l: &[String]) -> R {
    list(l)?;
    l.iter().try_for_each(|s| name(s))
}

fn pair(p: &[crate::ids::MemberId]) -> R {
    if p.len() > PAIR_MAX {
        return Err(ValidationError::PairTooLarge);
    }
    ids(p)
}

fn ids<T: AsRef<str>>(l: &[T]) -> R {
    list(l)?;
    l.iter().try_for_each(|s| id(s.as_ref()))
}

fn window(w: &Option<TimeWindow>) -> R {
    match w {
        Some(w) if w.to <= w.from => Err(ValidationError::WindowInverted),
        _ => Ok(()),
    }
}

fn place(p: &Place) -> R {
    for part in [&p.grid, &p.building, &p.unit, &p.text]
        .into_iter()
        .flatten()
    {
        if chars(part) > PLACE_MAX_CHARS {
            return Err(ValidationError::PlaceTooLong);
        }
    }
    Ok(())
}

/// Check a wish title on its own (for form fields).
pub fn title(s: &str) -> R {
    if s.trim().is_empty() {
        Err(ValidationError::TitleEmpty)
    } else if chars(s) > TITLE_MAX_CHARS {
        Err(ValidationError::TitleTooLong)
    } else {
        Ok(())
    }
}

fn points(p: &PointsRules) -> R {
    if !MINUTES_PER_POINT_RANGE.contains(&p.minutes_per_point) {
        return Err(ValidationError::PointsOutOfRange);
    }
    for n in [
        p.satisfied,
        p.basically_satisfied,
        p.lapsed,
        p.not_satisfied,
        p.per_attendance,
        p.no_show,
    ] {
        if !POINTS_RANGE.contains(&n) {
            return Err(ValidationError::PointsOutOfRange);
        }
    }
    Ok(())
}

/// Check settings on their own (for the settings form).
pub fn settings(s: &Settings) -> R {
    if !LEASE_HOURS_RANGE.contains(&s.lease_hours) {
        return Err(ValidationError::LeaseHoursOutOfRange);
    }
    if !(-14 * 60..=14 * 60).contains(&s.utc_offset_minutes) {
        return Err(ValidationError::BadUtcOffset);
    }
    if !KIOSK_IDLE_RANGE.contains(&s.kiosk_idle_seconds) {
        return Err(ValidationError::KioskIdleOutOfRange);
    }
    let a = &s.activities;
    if !CHECK_IN_LEAD_RANGE.contains(&a.check_in_lead_minutes)
        || !ROUND_MINUTES_RANGE.contains(&a.round_minutes)
        || a.themes.is_empty()
    {
        return Err(ValidationError::BadActivitySettings);
    }
    names(&a.themes)?;
    if s.care.categories.is_empty() {
        return Err(ValidationError::BadCareSettings);
    }
    names(&s.care.categories)?;
    points(&s.points)
}

fn fixed(p: &Option<u32>) -> R {
    match p {
        Some(n) if !POINTS_RANGE.contains(&i64::from(*n)) => Err(ValidationError::PointsOutOfRange),
        _ => Ok(()),
    }
}

fn span(start: u64, end: u64, sign_up_by: Option<u64>) -> R {
    if start >= end {
        return Err(ValidationError::WindowInverted);
    }
    if end - start > ACTIVITY_MAX_MS {
        return Err(ValidationError::ActivityTooLong);
    }
    if sign_up_by.is_some_and(|b| b > end) {
        return Err(ValidationError::SignUpAfterEnd);
    }
    Ok(())
}

fn place_text(p: &str) -> R {
    if chars(p) > PLACE_MAX_CHARS {
        Err(ValidationError::PlaceTooLong)
    } else {
        Ok(())
    }
}

fn description(d: &str) -> R {
    if chars(d) > DESCRIPTION_MAX_CHARS {
        Err(ValidationError::DescriptionTooLong)
    } else {
        Ok(())
    }
}

fn weekdays(w: u8) -> R {
    if w & 0x80 != 0 {
        Err(ValidationError::BadWeekdays)
    } else {
        Ok(())
    }
}

fn capacity(c: u32) -> R {
    if c > CAPACITY_MAX {
        Err(ValidationError::CapacityOutOfRange)
    } else {
        Ok(())
    }
}

/// Check an op's envelope, size and payload. Does not look at state: whether
/// the wish exists or the author may do this is the reducer's business.
pub fn op(op: &Op) -> R {
    id(op.id.device.as_str())?;
    if op.id.seq == 0 {
        return Err(ValidationError::BadSeq);
    }
    id(op.author.as_str())?;
    kind(&op.kind)?;
    size(op)
}

/// Check an op's size as compact JSON (an unknown kind's payload included).
pub fn size(op: &Op) -> R {
    if bytes(op) > OP_MAX_BYTES {
        return Err(ValidationError::OpTooLarge);
    }
    Ok(())
}

/// An op's size as compact JSON.
pub fn bytes(op: &Op) -> usize {
    // Built with the writer every other op's JSON uses, so the browser's
    // wasm has one copy of the op serializer, not a second one (13 KB) for
    // a counting writer. An op is at most a request body (1 MB) anyway.
    serde_json::to_vec(op).map_or(OP_MAX_BYTES + 1, |v| v.len())
}

/// Check an op's payload alone.
pub fn kind(k: &OpKind) -> R {
    use ValidationError as E;
    if let Some(w) = k.wish() {
        id(w.as_str())?;
    }
    match k {
        OpKind::CreateCommunity {
            community,
            name: n,
            founder,
            grids,
            buildings,
            settings: s,
        } => {
            id(community.as_str())?;
            name(n)?;
            name(founder)?;
            names(grids)?;
            names(buildings)?;
            s.as_ref().map_or(Ok(()), settings)
        }
        OpKind::UpdateCommunity {
            name: n,
            grids,
            buildings,
        } => {
            opt_name(n)?;
            grids.as_deref().map_or(Ok(()), names)?;
            buildings.as_deref().map_or(Ok(()), names)
        }
        OpKind::UpdateSettings { settings: s } => settings(s),
        OpKind::AddMember {
            member,
            name: n,
            skills,
            grids,
            partner,
            ..
        } => {
            id(member.as_str())?;
            name(n)?;
            list(skills)?;
            names(grids)?;
            partner.as_ref().map_or(Ok(()), |p| id(p.as_str()))
        }
        OpKind::UpdateMember {
            member,
            name: n,
            skills,
            grids,
        } => {
            id(member.as_str())?;
            opt_name(n)?;
            skills.as_deref().map_or(Ok(()), list)?;
            grids.as_deref().map_or(Ok(()), names)
        }
        OpKind::SetRole { member, .. } | OpKind::RemoveMember { member } => id(member.as_str()),
        OpKind::CreateTeam {
            team,
            name: n,
            lead,
            members,
            categories,
        } => {
            id(team.as_str())?;
            name(n)?;
            lead.as_ref().map_or(Ok(()), |l| id(l.as_str()))?;
            ids(members)?;
            list(categories)
        }
        OpKind::UpdateTeam {
            team,
            name: n,
            lead,
            categories,
        } => {
            id(team.as_str())?;
            opt_name(n)?;
            lead.as_ref().map_or(Ok(()), |l| id(l.as_str()))?;
            categories.as_deref().map_or(Ok(()), list)
        }
        OpKind::SetTeamMembers { team, members } => {
            id(team.as_str())?;
            ids(members)
        }
        OpKind::AddPartner { partner, name: n } => {
            id(partner.as_str())?;
            name(n)
        }
        OpKind::AddResource {
            resource,
            partner,
            title: t,
            categories,
            capacity: c,
            window: w,
            weekdays: d,
            grids,
        } => {
            id(resource.as_str())?;
            id(partner.as_str())?;
            name(t)?;
            list(categories)?;
            capacity(*c)?;
            window(w)?;
            weekdays(*d)?;
            names(grids)
        }
        OpKind::UpdateResource {
            resource,
            title: t,
            categories,
            capacity: c,
            window: w,
            weekdays: d,
            grids,
        } => {
            id(resource.as_str())?;
            opt_name(t)?;
            categories.as_deref().map_or(Ok(()), list)?;
            c.map_or(Ok(()), capacity)?;
            window(w)?;
            d.map_or(Ok(()), weekdays)?;
            grids.as_deref().map_or(Ok(()), names)
        }
        OpKind::RemoveResource { resource } => id(resource.as_str()),
        OpKind::CreateWish {
            title: t,
            description,
            place: p,
            window: w,
            requester,
            ..
        } => {
            title(t)?;
            if chars(description) > DESCRIPTION_MAX_CHARS {
                return Err(E::DescriptionTooLong);
            }
            place(p)?;
            window(w)?;
            requester.as_ref().map_or(Ok(()), |r| id(r.as_str()))
        }
        // The wish form's limits, and a signature as the street's answers'.
        OpKind::StreetFile {
            title: t,
            description,
            place: p,
            from,
            ..
        } => {
            title(t)?;
            if chars(description) > DESCRIPTION_MAX_CHARS {
                return Err(E::DescriptionTooLong);
            }
            place(p)?;
            name(from)
        }
        OpKind::Assign { to, .. } => match to {
            crate::model::Assignee::Member(m) => id(m.as_str()),
            crate::model::Assignee::Team(t) => id(t.as_str()),
            crate::model::Assignee::Partner(p) => id(p.as_str()),
        },
        OpKind::PartnerClaim {
            partner, resource, ..
        } => {
            id(partner.as_str())?;
            resource.as_ref().map_or(Ok(()), |r| id(r.as_str()))
        }
        OpKind::Note { text: t, .. } => required(t, E::NoteRequired),
        OpKind::Complete {
            report, minutes, ..
        } => {
            required(report, E::ReportRequired)?;
            if MINUTES_RANGE.contains(minutes) {
                Ok(())
            } else {
                Err(E::MinutesOutOfRange)
            }
        }
        OpKind::Evaluate { comment, .. } => text(comment),
        OpKind::Reopen { reason, .. } | OpKind::Reject { reason, .. } => {
            required(reason, E::ReasonRequired)
        }
        OpKind::Merge { wish, into } => {
            id(into.as_str())?;
            if wish == into {
                Err(E::MergeIntoSelf)
            } else {
                Ok(())
            }
        }
        OpKind::Escalate { note, .. } => required(note, E::NoteRequired),
        OpKind::Cancel { reason, .. } => text(reason),
        OpKind::CreateActivity {
            activity,
            title: t,
            theme,
            description: d,
            venue: p,
            start,
            end,
            capacity: c,
            organiser,
            sign_up_by,
            fixed_points,
            check,
            ..
        } => {
            id(activity.as_str())?;
            title(t)?;
            name(theme)?;
            description(d)?;
            place_text(p)?;
            span(*start, *end, *sign_up_by)?;
            if let Some(c) = c {
                if *c == 0 {
                    return Err(E::CapacityOutOfRange);
                }
                capacity(*c)?;
            }
            match organiser {
                Some(crate::activity::Organiser::Team(t)) => id(t.as_str())?,
                Some(crate::activity::Organiser::Partner(p)) => id(p.as_str())?,
                None => {}
            }
            fixed(fixed_points)?;
            if !crate::checkin::is_hex(check, crate::checkin::CHECK_HEX) {
                return Err(E::BadCode);
            }
            Ok(())
        }
        OpKind::UpdateActivity {
            activity,
            title: t,
            theme,
            description: d,
            venue: p,
            start,
            end,
            capacity: c,
            sign_up_by,
            fixed_points,
            ..
        } => {
            id(activity.as_str())?;
            t.as_deref().map_or(Ok(()), title)?;
            opt_name(theme)?;
            d.as_deref().map_or(Ok(()), description)?;
            p.as_deref().map_or(Ok(()), place_text)?;
            if let (Some(s), Some(e)) = (start, end) {
                span(*s, *e, *sign_up_by)?;
            }
            c.map_or(Ok(()), capacity)?;
            fixed(fixed_points)
        }
        OpKind::OpenActivity { activity } => id(activity.as_str()),
        OpKind::CancelActivity { activity, reason } => {
            id(activity.as_str())?;
            required(reason, E::ReasonRequired)
        }
        OpKind::SignUp { activity, member }
        | OpKind::Withdraw { activity, member }
        | OpKind::CheckOut { activity, member } => {
            id(activity.as_str())?;
            member.as_ref().map_or(Ok(()), |m| id(m.as_str()))
        }
        OpKind::CheckIn {
            activity,
            member,
            proof,
        } => {
            id(activity.as_str())?;
            member.as_ref().map_or(Ok(()), |m| id(m.as_str()))?;
            if proof.is_empty() || crate::checkin::is_hex(proof, crate::checkin::PROOF_HEX) {
                Ok(())
            } else {
                Err(E::BadCode)
            }
        }
        OpKind::CorrectAttendance {
            activity,
            member,
            check_in,
            check_out,
            reason,
        } => {
            id(activity.as_str())?;
            id(member.as_str())?;
            match (check_in, check_out) {
                (None, Some(_)) => return Err(E::CheckOutWithoutCheckIn),
                (Some(i), Some(o)) if o < i => return Err(E::WindowInverted),
                _ => {}
            }
            required(reason, E::ReasonRequired)
        }
        OpKind::VerifyCheckIns { activity, key } => {
            id(activity.as_str())?;
            if crate::checkin::normalize_key(key).is_some() {
                Ok(())
            } else {
                Err(E::BadCode)
            }
        }
        OpKind::AddHousehold {
            household,
            category,
            grid,
            building,
            responsible,
            pair: p,
            ..
        } => {
            id(household.as_str())?;
            name(category)?;
            name(grid)?;
            opt_name(building)?;
            id(responsible.as_str())?;
            pair(p)
        }
        OpKind::UpdateHousehold {
            household,
            category,
            grid,
            building,
            responsible,
            pair: p,
            ..
        } => {
            id(household.as_str())?;
            opt_name(category)?;
            opt_name(grid)?;
            // "" clears the building.
            building
                .as_deref()
                .filter(|b| !b.is_empty())
                .map_or(Ok(()), name)?;
            responsible.as_ref().map_or(Ok(()), |r| id(r.as_str()))?;
            p.as_deref().map_or(Ok(()), pair)
        }
        OpKind::SetHouseholdStatus {
            household,
            status,
            reason,
        } => {
            id(household.as_str())?;
            if *status == crate::care::HouseholdStatus::Active {
                text(reason)
            } else {
                required(reason, E::ReasonRequired)
            }
        }
        OpKind::RecordVisit {
            household,
            visit,
            visitors,
            ..
        } => {
            id(household.as_str())?;
            id(visit.as_str())?;
            ids(visitors)
        }
        OpKind::LinkVisitWish { visit, wish } => {
            id(visit.as_str())?;
            id(wish.as_str())
        }
        OpKind::AttachPhotos { wish, photos, .. } => {
            id(wish.as_str())?;
            photo_refs(photos)
        }
        OpKind::StreetAccept {
            holder, from, note, ..
        } => {
            name(holder)?;
            name(from)?;
            text(note)
        }
        OpKind::StreetReturn { from, guidance, .. } => {
            name(from)?;
            required(guidance, E::NoteRequired)
        }
        OpKind::StreetResolve { from, report, .. } => {
            name(from)?;
            required(report, E::ReportRequired)
        }
        OpKind::Publish { .. }
        | OpKind::Claim { .. }
        | OpKind::Release { .. }
        | OpKind::ExpireLease { .. }
        | OpKind::Start { .. }
        | OpKind::Unknown(_) => Ok(()),
    }
}

/// Endpoint-side check of an op's stamp against the endpoint's own clock:
/// stamps drive lease expiry, so a device whose clock runs far ahead must
/// not be able to lapse everyone's claims.
pub fn stamp(hlc: Hlc, endpoint_now_ms: u64) -> R {
    if hlc.ms > endpoint_now_ms.saturating_add(MAX_CLOCK_AHEAD_MS) {
        Err(ValidationError::StampInFuture)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Category, Channel, Urgency};

    fn wish(t: &str) -> OpKind {
        OpKind::CreateWish {
            wish: "w1".into(),
            category: Category::Repair,
            title: t.into(),
            description: String::new(),
            place: Place::default(),
            urgency: Urgency::Normal,
            window: None,
            channel: Channel::SelfService,
            requester: None,
        }
    }

    fn envelope(kind: OpKind) -> Op {
        let id = crate::ids::OpId::new("d0123456789abcdef", 1);
        Op::new(id, "m-0123456789abcdef", Hlc::at(1_700_000_000_000), kind)
    }

    /// The largest ops a real form can make fit under `OP_MAX_BYTES`; an
    /// unknown kind with a big payload does not.
    #[test]
    fn real_ops_fit_and_junk_does_not() {
        let zh = |n: usize| "修".repeat(n);
        let largest_wish = OpKind::CreateWish {
            wish: "w".repeat(ID_MAX_BYTES).into(),
            category: Category::Repair,
            title: zh(TITLE_MAX_CHARS),
            description: zh(DESCRIPTION_MAX_CHARS),
            place: Place {
                grid: Some(zh(PLACE_MAX_CHARS)),
                building: Some(zh(PLACE_MAX_CHARS)),
                unit: Some(zh(PLACE_MAX_CHARS)),
                text: Some(zh(PLACE_MAX_CHARS)),
            },
            urgency: Urgency::High,
            window: Some(TimeWindow { from: 1, to: 2 }),
            channel: Channel::OnBehalf,
            requester: Some("m".repeat(ID_MAX_BYTES).into()),
        };
        assert_eq!(op(&envelope(largest_wish)), Ok(()));
        // A community of 200 buildings with ten-character names.
        let buildings = OpKind::UpdateCommunity {
            name: Some(zh(NAME_MAX_CHARS)),
            grids: Some((0..50).map(|i| format!("{}{i}", zh(8))).collect()),
            buildings: Some((0..LIST_MAX).map(|i| format!("{}{i}", zh(8))).collect()),
        };
        assert_eq!(op(&envelope(buildings)), Ok(()));
        let team = OpKind::SetTeamMembers {
            team: "t".repeat(ID_MAX_BYTES).into(),
            members: (0..LIST_MAX)
                .map(|i| format!("m-{i:0>61}").into())
                .collect(),
        };
        assert_eq!(op(&envelope(team)), Ok(()));
        let junk = OpKind::Unknown(serde_json::json!({
            "type": "from_the_future",
            "blob": "x".repeat(OP_MAX_BYTES),
        }));
        assert_eq!(op(&envelope(junk)), Err(ValidationError::OpTooLarge));
    }

    /// Ids are bounded in bytes: 64 ASCII bytes pass, 22 Chinese characters
    /// (66 bytes) do not.
    #[test]
    fn ids_count_bytes() {
        let claim = |w: String| OpKind::Claim { wish: w.into() };
        assert_eq!(kind(&claim("w".repeat(ID_MAX_BYTES))), Ok(()));
        assert_eq!(
            kind(&claim("修".repeat(22))),
            Err(ValidationError::IdTooLong)
        );
    }

    #[test]
    fn titles_count_chars_not_bytes() {
        let zh: String = "修".repeat(TITLE_MAX_CHARS);
        assert!(zh.len() > TITLE_MAX_CHARS);
        assert_eq!(kind(&wish(&zh)), Ok(()));
        let over: String = "修".repeat(TITLE_MAX_CHARS + 1);
        assert_eq!(kind(&wish(&over)), Err(ValidationError::TitleTooLong));
        assert_eq!(kind(&wish("  ")), Err(ValidationError::TitleEmpty));
    }

    #[test]
    fn codes_and_messages() {
        assert_eq!(ValidationError::TitleEmpty.code(), "title_empty");
        assert_eq!(ValidationError::TitleEmpty.to_string(), "title is empty");
        assert_eq!(Category::parse("nope"), Err(ValidationError::BadCategory));
        assert_eq!(Category::parse("legal_aid"), Ok(Category::LegalAid));
    }

    #[test]
    fn payload_rules() {
        use ValidationError as E;
        let w = || crate::ids::WishId::from("w1");
        let cases: Vec<(OpKind, Result<(), E>)> = vec![
            (
                OpKind::Reject {
                    wish: w(),
                    reason: " ".into(),
                },
                Err(E::ReasonRequired),
            ),
            (
                OpKind::Reopen {
                    wish: w(),
                    reason: "".into(),
                },
                Err(E::ReasonRequired),
            ),
            (
                OpKind::Complete {
                    wish: w(),
                    report: "ok".into(),
                    minutes: 0,
                },
                Err(E::MinutesOutOfRange),
            ),
            (
                OpKind::Complete {
                    wish: w(),
                    report: "ok".into(),
                    minutes: 6001,
                },
                Err(E::MinutesOutOfRange),
            ),
            (
                OpKind::Complete {
                    wish: w(),
                    report: "".into(),
                    minutes: 30,
                },
                Err(E::ReportRequired),
            ),
            (
                OpKind::Complete {
                    wish: w(),
                    report: "ok".into(),
                    minutes: 30,
                },
                Ok(()),
            ),
            (
                OpKind::Merge {
                    wish: w(),
                    into: w(),
                },
                Err(E::MergeIntoSelf),
            ),
            (
                OpKind::Note {
                    wish: w(),
                    text: "".into(),
                },
                Err(E::NoteRequired),
            ),
            (
                OpKind::Note {
                    wish: w(),
                    text: "x".repeat(TEXT_MAX_CHARS + 1),
                },
                Err(E::TextTooLong),
            ),
            (OpKind::Claim { wish: "".into() }, Err(E::IdEmpty)),
            (
                OpKind::Claim {
                    wish: "x".repeat(ID_MAX_BYTES + 1).into(),
                },
                Err(E::IdTooLong),
            ),
            (
                OpKind::UpdateSettings {
                    settings: Settings {
                        lease_hours: 0,
                        ..Settings::default()
                    },
                },
                Err(E::LeaseHoursOutOfRange),
            ),
            (
                OpKind::AddPartner {
                    partner: "p".into(),
                    name: "".into(),
                },
                Err(E::NameEmpty),
            ),
        ];
        for (k, want) in cases {
            assert_eq!(kind(&k), want, "{k:?}");
        }
    }

    #[test]
    fn stamps_from_the_future_are_refused() {
        assert_eq!(stamp(Hlc::at(1000), 1000), Ok(()));
        assert_eq!(
            stamp(Hlc::at(1000 + MAX_CLOCK_AHEAD_MS + 1), 1000),
            Err(ValidationError::StampInFuture)
        );
    }
}
