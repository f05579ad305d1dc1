//! What pages ask, answered from the checks the reducer makes. A page that
//! offers a choice (a channel, an assignee, a wish to merge into) lists what
//! these return, so it never offers what would fold as void; each answer has
//! a test that asks the reducer (`tests/reducer.rs`, `*_agree_with_the_reducer`). Role-level answers are in
//! `permissions` (`rule`, `sees_lists`, `manages_resources`); the actions on a
//! wish in `actions`.

use crate::MemberId;
use crate::model::{Assignee, Channel, Member, Role, Wish};
use crate::reduce::State;

/// Channels `member` may file a wish on (`State::may_file_on`), the usual
/// one for the role first: a grid worker's door-to-door visit, a resident's
/// own phone, the kiosk's window. Empty: the member may not file.
pub fn filing_channels(state: &State, member: &Member) -> Vec<Channel> {
    [Channel::OnBehalf, Channel::SelfService, Channel::Kiosk]
        .into_iter()
        .filter(|c| state.may_file_on(member, *c))
        .collect()
}

/// Who may be assigned `wish` (`State::assignable`): members who take
/// orders — those with the wish's category as a skill and in its grid
/// first, volunteers before other roles — then teams, then partner units.
pub fn assignees(state: &State, wish: &Wish) -> Vec<Assignee> {
    let mut people: Vec<&Member> = state
        .members
        .values()
        .filter(|m| state.assignable(&Assignee::Member(m.id.clone())).is_ok())
        .collect();
    let in_grid = |m: &Member| {
        wish.place
            .grid
            .as_ref()
            .is_some_and(|g| m.grids.contains(g))
    };
    crate::lean::sort_by_key(&mut people, |m| {
        (
            !m.skills.contains(&wish.category),
            !in_grid(m),
            m.role != Role::Volunteer,
            m.id.clone(),
        )
    });
    people
        .into_iter()
        .map(|m| Assignee::Member(m.id.clone()))
        .chain(state.teams.keys().map(|t| Assignee::Team(t.clone())))
        .chain(state.partners.keys().map(|p| Assignee::Partner(p.clone())))
        .collect()
}

/// The wishes `wish` may be merged into (`State::mergeable`): other open
/// wishes of its category, those in the same grid and building first, then
/// newest first.
pub fn merge_targets<'a>(state: &'a State, wish: &Wish) -> Vec<&'a Wish> {
    let mut v: Vec<&Wish> = state
        .wishes
        .values()
        .filter(|o| o.id != wish.id && state.mergeable(wish, &o.id).is_ok())
        .collect();
    let key = |o: &Wish| {
        (
            o.place.grid != wish.place.grid,
            o.place.building != wish.place.building,
            std::cmp::Reverse(o.created_at),
            o.id.clone(),
        )
    };
    crate::lean::sort_stable(&mut v, &|a, b| key(a).cmp(&key(b)));
    v
}

/// Whether `viewer` may read `subject`'s points ledger (every entry, with
/// the wish it came from): their own; a coordinator any; a grid worker those
/// who live or work in one of their grids; a team lead their team's
/// members. Everyone else sees only the leaderboard's totals.
pub fn sees_ledger(state: &State, viewer: &MemberId, subject: &MemberId) -> bool {
    let Some(v) = state.members.get(viewer).filter(|v| v.active) else {
        return false;
    };
    if viewer == subject || v.role == Role::Coordinator {
        return true;
    }
    let Some(s) = state.members.get(subject) else {
        return false;
    };
    let shares_grid = v.role == Role::GridWorker && s.grids.iter().any(|g| v.grids.contains(g));
    let leads = state
        .teams
        .values()
        .any(|t| t.lead.as_ref() == Some(viewer) && t.members.contains(subject));
    shares_grid || leads
}
