//! Street level (街道): "小事不出社区，大事不出街道". A street groups
//! communities; its coordinators answer the wishes the communities escalate.
//!
//! A street is a log like a community's; its members are street
//! coordinators (`Role::Coordinator` there) and street viewers
//! (`Role::Viewer`). The street's answers are ops in the *community's* log
//! (`StreetAccept`, `StreetReturn`, `StreetResolve`), authored by the street
//! member's own id — a member of the street's log, not the community's. The
//! community's reducer cannot see the street's log, so the two halves of the
//! rule live where their facts are: the endpoint vouches that the author is
//! an active coordinator of the street the community is linked to
//! (`may_answer`), and this reducer step (`exec`) refuses such an op from any
//! member of the community (nobody in it can pose as the street) and checks
//! the wish's status. Views for the street's pages: `inbox`, `available`,
//! `dashboard`, `ranking`, `dashboard_csv`.
use crate::calendar::Period;
use crate::ids::{CommunityId, WishId};
use crate::lean;
use crate::lifecycle::{self, Step};
use crate::model::{AnswerKind, Category, Role, Status, StreetAnswer, Wish};
use crate::op::{Op, OpKind};
use crate::reduce::{State, VoidReason, no_move, text_of};
use crate::validate::{self, ValidationError};
use crate::views::{GroupBy, Rates, RatesAcc, counted, csv_cell, key_of, rates_csv_with};
use std::collections::BTreeMap;

/// The roles a street's log has: street coordinators and street viewers.
pub const ROLES: [Role; 2] = [Role::Coordinator, Role::Viewer];

/// Whether a member of a street (by its role in the street's log) reads the
/// logs of the street's communities: every active street member. Never
/// their contact records, care list, photos or codes (`STREET_NO_ACCESS`).
pub fn may_read(role_in_street: Role, active: bool) -> bool {
    active && ROLES.contains(&role_in_street)
}

/// Whether a member of a street answers its communities' escalations:
/// active street coordinators only.
pub fn may_answer(role_in_street: Role, active: bool) -> bool {
    active && role_in_street == Role::Coordinator
}

/// The street's answers: the only ops a street member pushes to a community.
pub fn is_street_op(kind: &OpKind) -> bool {
    matches!(
        kind,
        OpKind::StreetAccept { .. } | OpKind::StreetReturn { .. } | OpKind::StreetResolve { .. }
    )
}

/// Every op made for the street in a community's log: its answers and its
/// Open311 filings (`StreetFile`). The reducer refuses all of them from a
/// member of the community (`exec`).
pub fn by_street(kind: &OpKind) -> bool {
    is_street_op(kind) || matches!(kind, OpKind::StreetFile { .. })
}

/// Whether an op only the endpoint mints: a street's Open311 filing. A
/// device pushing one is refused (`403 forbidden`, reason `street_file`),
/// whoever it is: the endpoint vouches that its author is an active key of
/// the community's street, and only the endpoint can.
pub fn endpoint_only(kind: &OpKind) -> bool {
    matches!(kind, OpKind::StreetFile { .. })
}

/// The key id of a street's Open311 key: the author of its `StreetFile`s
/// (`m-s311-…`, no member id of any community). The community's own keys
/// have kiosk members (`m-o311-…`); the two never meet.
pub fn key_author(random_hex: &str) -> crate::ids::MemberId {
    crate::ids::MemberId(format!("m-s311-{random_hex}"))
}

/// A street filing's signature: the street's name and the key's
/// ("西关街道 · 12345 热线"), bounded as every signature.
pub fn filing_signature(street_name: &str, key_name: &str) -> String {
    signature(street_name, key_name)
}

/// What a street's own log takes: its name and its members, in street roles.
/// No wishes, activities, care list or settings: those are communities'.
pub fn may_push_to_street(kind: &OpKind) -> bool {
    match kind {
        OpKind::UpdateCommunity { .. }
        | OpKind::UpdateMember { .. }
        | OpKind::RemoveMember { .. } => true,
        OpKind::AddMember { role, partner, .. } => ROLES.contains(role) && partner.is_none(),
        OpKind::SetRole { role, .. } => ROLES.contains(role),
        _ => false,
    }
}

/// Which roles a street's join codes may give (`ROLES`).
pub fn code_role_ok(role: Role) -> bool {
    ROLES.contains(&role)
}

/// The reducer's step for a street op (after `validate::kind`): the author
/// must not be a member of this community; an answer's wish must be
/// escalated, a filing's wish must not exist yet.
pub(crate) fn exec(state: &mut State, op: &Op) -> Result<(), VoidReason> {
    if state.members.contains_key(&op.author) {
        return Err(VoidReason::Forbidden);
    }
    if let OpKind::StreetFile { wish, .. } = &op.kind {
        // A fresh wish on the city channel, as a community key's is, signed
        // by the street's key: no requester, nobody in the community as filer.
        if state.wishes.contains_key(wish) {
            return Err(VoidReason::AlreadyExists);
        }
        let w = crate::reduce::new_wish(op, None).ok_or(VoidReason::UnknownKind)?;
        state.wishes.insert(wish.clone(), w);
        return Ok(());
    }
    let (Some(wid), Some(step)) = (op.kind.wish(), op.kind.step()) else {
        return Err(VoidReason::UnknownKind);
    };
    let w = state.wishes.get(wid).ok_or(VoidReason::UnknownWish)?;
    let to = lifecycle::next(w.status, step).ok_or_else(|| no_move(w.status, step))?;
    if w.escalation.is_none() {
        return Err(VoidReason::WrongStatus);
    }
    let at = op.hlc.ms;
    let (kind, holder, from) = match &op.kind {
        OpKind::StreetAccept { holder, from, .. } => (AnswerKind::Accepted, holder, from),
        OpKind::StreetReturn { from, .. } => (AnswerKind::Returned, &String::new(), from),
        OpKind::StreetResolve { from, .. } => (AnswerKind::Resolved, &String::new(), from),
        _ => return Err(VoidReason::UnknownKind),
    };
    // ---- mutation from here on: nothing below can fail ----
    let Some(w) = state.wishes.get_mut(wid) else {
        return Err(VoidReason::UnknownWish);
    };
    let text = text_of(&op.kind);
    w.status = to;
    if let Some(e) = w.escalation.as_mut() {
        e.answered_at.get_or_insert(at);
        e.accepted = match kind {
            AnswerKind::Accepted => Some(holder.clone()),
            AnswerKind::Returned => None,
            AnswerKind::Resolved => e.accepted.take(),
        };
        e.answers.push(StreetAnswer {
            kind,
            by: op.author.clone(),
            from: from.clone(),
            holder: holder.clone(),
            text: text.clone(),
            at,
            op: op.id.clone(),
        });
    }
    match kind {
        // The street did the work: nobody in the community earns points
        // for it, so an older completion must not stand.
        AnswerKind::Resolved => {
            w.completion = None;
            w.holder = None;
            w.resolved_at = Some(at);
        }
        AnswerKind::Returned => w.resolved_at = None,
        AnswerKind::Accepted => {}
    }
    w.timeline.push(crate::model::TimelineEntry {
        op: op.id.clone(),
        by: Some(op.author.clone()),
        at,
        step,
        void: None,
        text,
    });
    Ok(())
}

/// The answer an op on a wish's timeline made, for its signature.
pub fn answer_of<'a>(w: &'a Wish, op: &crate::ids::OpId) -> Option<&'a StreetAnswer> {
    w.escalation.as_ref()?.answers.iter().find(|a| &a.op == op)
}

// ---- the street's pages -------------------------------------------------

/// One escalated wish in the street's inbox. Serializable: a street device
/// keeps the last inbox it showed, to paint it at start-up while the
/// communities' databases are still being read.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InboxRow {
    /// Its community.
    pub community: CommunityId,
    /// That community's name.
    pub community_name: String,
    /// The wish.
    pub wish: WishId,
    /// Its title.
    pub title: String,
    /// Its category.
    pub category: Category,
    /// Its public place ("一网格 · 3 栋"), never more than the log holds.
    pub place_text: String,
    /// When it was escalated (HLC ms).
    pub escalated_at: u64,
    /// The community's note for the street.
    pub note: String,
    /// The department or unit doing it, once accepted.
    pub accepted: Option<String>,
}

/// Every escalated wish of the street's communities, oldest escalation
/// first (then community and wish id: a total order).
pub fn inbox(communities: &[(&CommunityId, &State)]) -> Vec<InboxRow> {
    let mut rows = Vec::new();
    for (c, s) in communities {
        let name = s
            .community
            .as_ref()
            .map(|c| c.name.clone())
            .unwrap_or_default();
        for w in s.wishes.values() {
            if w.status != Status::Escalated {
                continue;
            }
            let Some(e) = &w.escalation else { continue };
            rows.push(InboxRow {
                community: (*c).clone(),
                community_name: name.clone(),
                wish: w.id.clone(),
                title: w.title.clone(),
                category: w.category,
                place_text: place_text(w),
                escalated_at: e.at,
                note: e.note.clone(),
                accepted: e.accepted.clone(),
            });
        }
    }
    lean::sort_by_key(&mut rows, |r| {
        (r.escalated_at, r.community.clone(), r.wish.clone())
    });
    rows
}

fn place_text(w: &Wish) -> String {
    [w.place.grid.as_deref(), w.place.building.as_deref()]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

/// What the street may do to a wish.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StreetAction {
    /// Take it on, naming who does it.
    Accept,
    /// Send it back with guidance.
    Return,
    /// Resolve it with a report.
    Resolve,
}

crate::code::coded!(StreetAction {
    Accept => "accept",
    Return => "return",
    Resolve => "resolve",
});

impl StreetAction {
    fn step(self) -> Step {
        match self {
            StreetAction::Accept => Step::StreetAccept,
            StreetAction::Return => Step::StreetReturn,
            StreetAction::Resolve => Step::StreetResolve,
        }
    }
}

/// What the inbox offers on a wish: taking it on once (another department
/// is a new accept after a return), sending it back, resolving it.
pub fn available(w: &Wish) -> Vec<StreetAction> {
    let accepted = w.escalation.as_ref().is_some_and(|e| e.accepted.is_some());
    StreetAction::ALL
        .into_iter()
        .filter(|a| lifecycle::next(w.status, a.step()).is_some())
        .filter(|a| !(accepted && *a == StreetAction::Accept))
        .collect()
}

/// The op of a street form: `from` is the signature, `holder` the
/// department or unit (accept), `text` the note, guidance or report.
pub fn op(
    action: StreetAction,
    wish: &WishId,
    from: &str,
    holder: &str,
    text: &str,
) -> Result<OpKind, ValidationError> {
    let (wish, from, text) = (wish.clone(), from.trim().to_owned(), text.trim().to_owned());
    let kind = match action {
        StreetAction::Accept => OpKind::StreetAccept {
            wish,
            holder: holder.trim().to_owned(),
            from,
            note: text,
        },
        StreetAction::Return => OpKind::StreetReturn {
            wish,
            from,
            guidance: text,
        },
        StreetAction::Resolve => OpKind::StreetResolve {
            wish,
            from,
            report: text,
        },
    };
    validate::kind(&kind)?;
    Ok(kind)
}

/// The signature a street device puts on its answers.
pub fn signature(street_name: &str, member_name: &str) -> String {
    let s = format!("{} · {}", street_name.trim(), member_name.trim());
    s.chars().take(validate::NAME_MAX_CHARS).collect()
}

/// The street dashboard: each community's figures side by side, the whole
/// street's, and the whole street grouped by month or category.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dashboard {
    /// One row per community, in the order given (`key`: the community's name).
    pub rows: Vec<(CommunityId, Rates)>,
    /// The whole street (`key`: "street").
    pub street: Rates,
    /// The whole street grouped by `by` (month or category), in key order.
    pub groups: Vec<Rates>,
}

/// Figures over the wishes filed in `period`, for the street's communities,
/// in one pass over their wishes; the street's and the groups' medians are
/// taken over every community's wishes (a median of medians is not one).
pub fn dashboard(
    communities: &[(&CommunityId, &State)],
    by: GroupBy,
    period: &Period,
) -> Dashboard {
    let mut rows = Vec::new();
    let mut street = RatesAcc::default();
    let mut groups: BTreeMap<String, RatesAcc> = BTreeMap::new();
    for (c, s) in communities {
        let offset = s.settings().utc_offset_minutes;
        let mut one = RatesAcc::default();
        for w in s.wishes.values().filter(|w| counted(w, period, offset)) {
            one.add(w);
            street.add(w);
            groups.entry(key_of(w, by, offset)).or_default().add(w);
        }
        let name = s
            .community
            .as_ref()
            .map_or_else(|| c.to_string(), |c| c.name.clone());
        rows.push(((*c).clone(), one.finish(name)));
    }
    Dashboard {
        rows,
        street: street.finish("street".into()),
        groups: groups.into_iter().map(|(k, a)| a.finish(k)).collect(),
    }
}

/// One line of the ranking table.
#[derive(Clone, Debug, PartialEq)]
pub struct Ranked {
    /// 1 for the best.
    pub rank: usize,
    /// The community.
    pub community: CommunityId,
    /// Its name.
    pub name: String,
    /// 解决率.
    pub resolution_rate: Option<f64>,
    /// 满意率.
    pub satisfaction_rate: Option<f64>,
    /// 响应率.
    pub response_rate: Option<f64>,
}

/// The communities ranked by resolution rate, then satisfaction, then
/// response (a community with no wishes last), then id. In per-mille
/// integers, so the order is the same on every device.
pub fn ranking(d: &Dashboard) -> Vec<Ranked> {
    let permille = |x: Option<f64>| x.map_or(-1, |x| (x * 1000.0).round() as i64);
    let mut rows: Vec<&(CommunityId, Rates)> = d.rows.iter().collect();
    lean::sort_by_key(&mut rows, |(c, r)| {
        (
            -permille(r.resolution_rate()),
            -permille(r.satisfaction_rate()),
            -permille(r.response_rate()),
            c.clone(),
        )
    });
    rows.into_iter()
        .enumerate()
        .map(|(i, (c, r))| Ranked {
            rank: i + 1,
            community: c.clone(),
            name: r.key.clone(),
            resolution_rate: r.resolution_rate(),
            satisfaction_rate: r.satisfaction_rate(),
            response_rate: r.response_rate(),
        })
        .collect()
}

/// The dashboard as CSV: a line per community, then the whole street
/// (`street_label`, e.g. "全街道").
pub fn dashboard_csv(d: &Dashboard, street_label: &str) -> String {
    let mut rows: Vec<Rates> = d.rows.iter().map(|(_, r)| r.clone()).collect();
    let mut all = d.street.clone();
    all.key = street_label.to_owned();
    rows.push(all);
    let mut s = rates_csv_with("community", &rows);
    // The community ids, for a spreadsheet that joins on them.
    let ids: Vec<String> = d.rows.iter().map(|(c, _)| csv_cell(c.as_str())).collect();
    s.push_str(&format!("# ids,{}\n", ids.join(",")));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_street_roles_read_and_only_coordinators_answer() {
        for role in Role::ALL {
            assert_eq!(may_read(role, true), ROLES.contains(&role), "{role:?}");
            assert!(!may_read(role, false));
            assert_eq!(may_answer(role, true), role == Role::Coordinator);
            assert!(!may_answer(role, false));
        }
    }

    #[test]
    fn signature_is_bounded() {
        let s = signature(&"街".repeat(50), &"王".repeat(50));
        assert_eq!(s.chars().count(), validate::NAME_MAX_CHARS);
        assert_eq!(signature(" 西关街道 ", "王主任"), "西关街道 · 王主任");
    }

    #[test]
    fn forms_validate() {
        let w = WishId("w1".into());
        assert_eq!(
            op(StreetAction::Accept, &w, "西关街道 · 王", " ", ""),
            Err(ValidationError::NameEmpty)
        );
        assert_eq!(
            op(StreetAction::Return, &w, "西关街道 · 王", "", "  "),
            Err(ValidationError::NoteRequired)
        );
        assert_eq!(
            op(StreetAction::Resolve, &w, "西关街道 · 王", "", ""),
            Err(ValidationError::ReportRequired)
        );
        assert_eq!(
            op(StreetAction::Resolve, &w, "", "", "done"),
            Err(ValidationError::NameEmpty)
        );
        assert!(op(StreetAction::Accept, &w, "西关街道 · 王", "城管科", "").is_ok());
    }
}
