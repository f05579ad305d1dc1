//! Who may do what: the role × operation matrix, in one match. The reducer
//! looks the rule up for the author's role (from `State`), then checks the
//! relation the rule names against the op and the wish.

use crate::model::Role;
use crate::op::Action;

/// What the matrix allows a role to do with an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// Never (void `forbidden`).
    No,
    /// Always (the lifecycle and data checks still apply).
    Yes,
    /// Only on wishes the author requested (`wish.requester == author`).
    Requester,
    /// Only on wishes the author holds: assigned member, claimer, a member of
    /// the holding team, or of the holding partner unit (void `not_holder`).
    Holder,
    /// Only on wishes placed in one of the author's grids.
    InGrid,
    /// Only on the author's own member record.
    Myself,
    /// Only to register residents (door-to-door registration).
    ResidentsOnly,
    /// Only on a team the author leads.
    TeamLead,
    /// Only for the author's own partner unit.
    OwnUnit,
    /// Only through the channel that fits the role: residents and volunteers
    /// file for themselves (`self`), grid workers `on_behalf` or `self`, the
    /// kiosk `kiosk`.
    OwnChannel,
    /// At an activity: for themselves (a role that takes part), or for
    /// anyone when the author organises the activity.
    Attendee,
    /// At an activity: only on someone else's behalf (the kiosk checks
    /// people in and out; it never attends).
    ForOthers,
    /// On the care list: a household the author may visit
    /// (`care::may_visit`: its grid's grid workers, the people responsible).
    Carer,
    /// Only on a wish no member requested (filed at a kiosk or on behalf
    /// of a resident): the walk-up resident evaluates it at the kiosk with
    /// the code of the completion slip (`kiosk::slip_code`).
    Walkup,
    /// Photos on a wish: request photos by whoever may set its contact
    /// details (`private::may_write`), completion photos by whoever
    /// completed it (`photos::exec` decides).
    Photos,
}

impl Rule {
    /// One-glyph form used in the documented matrix.
    pub fn glyph(self) -> &'static str {
        match self {
            Rule::No => "-",
            Rule::Yes => "Y",
            Rule::Requester => "req",
            Rule::Holder => "hold",
            Rule::InGrid => "grid",
            Rule::Myself => "self",
            Rule::ResidentsOnly => "res",
            Rule::TeamLead => "lead",
            Rule::OwnUnit => "unit",
            Rule::OwnChannel => "chan",
            Rule::Attendee => "att",
            Rule::ForOthers => "desk",
            Rule::Carer => "care",
            Rule::Walkup => "walk",
            Rule::Photos => "pic",
        }
    }
}

/// The permission matrix. `CreateCommunity` is `No` for every role because
/// it is only valid as the bootstrap op of an empty log (see `reduce`).
pub fn rule(role: Role, action: Action) -> Rule {
    use Action as A;
    use Role::*;
    use Rule::*;
    match (action, role) {
        (A::CreateCommunity, _) => No,
        (A::UpdateCommunity | A::UpdateSettings | A::SetRole | A::RemoveMember, Coordinator) => Yes,
        (A::AddMember, Coordinator) => Yes,
        (A::AddMember, GridWorker) => ResidentsOnly,
        (A::UpdateMember, Coordinator) => Yes,
        (A::UpdateMember, GridWorker | Volunteer | Resident | Partner) => Myself,
        (A::CreateTeam | A::AddPartner, Coordinator) => Yes,
        (A::UpdateTeam | A::SetTeamMembers, Coordinator) => Yes,
        (A::UpdateTeam | A::SetTeamMembers, Volunteer) => TeamLead,
        (A::AddResource | A::UpdateResource | A::RemoveResource, Coordinator) => Yes,
        (A::AddResource | A::UpdateResource | A::RemoveResource, Partner) => OwnUnit,
        (A::CreateWish, Coordinator) => Yes,
        (A::CreateWish, GridWorker | Volunteer | Resident | Kiosk) => OwnChannel,
        (A::Publish | A::Merge | A::Escalate, Coordinator) => Yes,
        (A::Publish | A::Merge | A::Escalate, GridWorker) => InGrid,
        (A::Assign | A::Reopen | A::Reject, Coordinator) => Yes,
        (A::Claim, Volunteer) => Yes,
        (A::PartnerClaim, Partner) => OwnUnit,
        (A::Release | A::Start, Coordinator) => Yes,
        (A::Release | A::Start, GridWorker | Volunteer | Partner) => Holder,
        (A::Complete, Coordinator | GridWorker | Volunteer | Partner) => Holder,
        (A::ExpireLease, Viewer) => No,
        (A::ExpireLease, _) => Yes,
        (A::Note, Coordinator) => Yes,
        (A::Note, GridWorker) => InGrid,
        (A::Note, Volunteer | Partner) => Holder,
        (A::Note, Resident) => Requester,
        (A::Evaluate | A::Cancel, Coordinator) => Yes,
        (A::Evaluate | A::Cancel, GridWorker) => InGrid,
        (A::Evaluate | A::Cancel, Volunteer | Resident) => Requester,
        (A::Evaluate, Kiosk) => Walkup,
        // Activities: coordinators run any; a team lead those of a team
        // they lead; a partner member those of their unit.
        (
            A::CreateActivity
            | A::UpdateActivity
            | A::OpenActivity
            | A::CancelActivity
            | A::VerifyCheckIns,
            Coordinator,
        ) => Yes,
        (
            A::CreateActivity
            | A::UpdateActivity
            | A::OpenActivity
            | A::CancelActivity
            | A::VerifyCheckIns,
            Volunteer,
        ) => TeamLead,
        (
            A::CreateActivity
            | A::UpdateActivity
            | A::OpenActivity
            | A::CancelActivity
            | A::VerifyCheckIns,
            Partner,
        ) => OwnUnit,
        // Anyone who takes part signs up and attends; for someone else only
        // an organiser, and the kiosk checks people in and out: the reducer
        // checks that relation (`State::may_act_for`).
        (A::SignUp | A::Withdraw | A::CheckIn | A::CheckOut, Coordinator) => Yes,
        (
            A::SignUp | A::Withdraw | A::CheckIn | A::CheckOut,
            GridWorker | Volunteer | Resident | Partner,
        ) => Attendee,
        (A::CheckIn | A::CheckOut, Kiosk) => ForOthers,
        (A::CorrectAttendance, Coordinator) => Yes,
        // The care list: coordinators and the grid's grid workers keep it;
        // those who may visit a household record visits and link the
        // wishes they record from them.
        (A::AddHousehold | A::UpdateHousehold | A::SetHouseholdStatus, Coordinator) => Yes,
        (A::AddHousehold | A::UpdateHousehold | A::SetHouseholdStatus, GridWorker) => InGrid,
        (A::RecordVisit | A::LinkVisitWish, Coordinator) => Yes,
        (A::RecordVisit | A::LinkVisitWish, GridWorker | Volunteer) => Carer,
        // Photos: every role that files or does work; which wish and stage
        // is `photos::exec` (the filer's side of a request, whoever
        // completed it for the report).
        (A::AttachPhotos, Viewer) => No,
        (A::AttachPhotos, _) => Photos,
        _ => No,
    }
}

/// Whether a role sees the community's lists (wishes, the board, orders,
/// points, rates). The kiosk does not: it is a shared tablet at the service
/// window, so it files and shows nothing personal — the same reason it may
/// do nothing but file and nudge leases (`rule`) and never reads a contact
/// record (`private::may_see`). It checks people in and out of today's
/// activities on their behalf (member QR or PIN, `checkin::MemberPass`).
pub fn sees_lists(role: Role) -> bool {
    role != Role::Kiosk
}

/// Whether a role keeps resource lists (资源清单): it may add resources,
/// for any unit (`Yes`) or its own (`OwnUnit`).
pub fn manages_resources(role: Role) -> bool {
    rule(role, Action::AddResource) != Rule::No
}

/// The matrix as text rows (action, then one glyph per role in `Role::ALL`
/// order) for documentation and review.
pub fn matrix_rows() -> Vec<(Action, [&'static str; 7])> {
    Action::ALL
        .into_iter()
        .map(|a| (a, Role::ALL.map(|r| rule(r, a).glyph())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole matrix, written out. Columns: coordinator, grid worker,
    /// volunteer, resident, partner, kiosk, viewer.
    #[rustfmt::skip]
    const EXPECTED: &[(&str, [&str; 7])] = &[
        ("create_community", ["-",    "-",    "-",    "-",    "-",    "-",    "-"]),
        ("update_community", ["Y",    "-",    "-",    "-",    "-",    "-",    "-"]),
        ("update_settings",  ["Y",    "-",    "-",    "-",    "-",    "-",    "-"]),
        ("add_member",       ["Y",    "res",  "-",    "-",    "-",    "-",    "-"]),
        ("update_member",    ["Y",    "self", "self", "self", "self", "-",    "-"]),
        ("set_role",         ["Y",    "-",    "-",    "-",    "-",    "-",    "-"]),
        ("remove_member",    ["Y",    "-",    "-",    "-",    "-",    "-",    "-"]),
        ("create_team",      ["Y",    "-",    "-",    "-",    "-",    "-",    "-"]),
        ("update_team",      ["Y",    "-",    "lead", "-",    "-",    "-",    "-"]),
        ("set_team_members", ["Y",    "-",    "lead", "-",    "-",    "-",    "-"]),
        ("add_partner",      ["Y",    "-",    "-",    "-",    "-",    "-",    "-"]),
        ("add_resource",     ["Y",    "-",    "-",    "-",    "unit", "-",    "-"]),
        ("update_resource",  ["Y",    "-",    "-",    "-",    "unit", "-",    "-"]),
        ("remove_resource",  ["Y",    "-",    "-",    "-",    "unit", "-",    "-"]),
        ("create_wish",      ["Y",    "chan", "chan", "chan", "-",    "chan", "-"]),
        ("publish",          ["Y",    "grid", "-",    "-",    "-",    "-",    "-"]),
        ("assign",           ["Y",    "-",    "-",    "-",    "-",    "-",    "-"]),
        ("claim",            ["-",    "-",    "Y",    "-",    "-",    "-",    "-"]),
        ("partner_claim",    ["-",    "-",    "-",    "-",    "unit", "-",    "-"]),
        ("release",          ["Y",    "hold", "hold", "-",    "hold", "-",    "-"]),
        ("expire_lease",     ["Y",    "Y",    "Y",    "Y",    "Y",    "Y",    "-"]),
        ("start",            ["Y",    "hold", "hold", "-",    "hold", "-",    "-"]),
        ("note",             ["Y",    "grid", "hold", "req",  "hold", "-",    "-"]),
        ("complete",         ["hold", "hold", "hold", "-",    "hold", "-",    "-"]),
        ("evaluate",         ["Y",    "grid", "req",  "req",  "-",    "walk", "-"]),
        ("reopen",           ["Y",    "-",    "-",    "-",    "-",    "-",    "-"]),
        ("reject",           ["Y",    "-",    "-",    "-",    "-",    "-",    "-"]),
        ("merge",            ["Y",    "grid", "-",    "-",    "-",    "-",    "-"]),
        ("escalate",         ["Y",    "grid", "-",    "-",    "-",    "-",    "-"]),
        ("cancel",           ["Y",    "grid", "req",  "req",  "-",    "-",    "-"]),
        ("create_activity",  ["Y",    "-",    "lead", "-",    "unit", "-",    "-"]),
        ("update_activity",  ["Y",    "-",    "lead", "-",    "unit", "-",    "-"]),
        ("open_activity",    ["Y",    "-",    "lead", "-",    "unit", "-",    "-"]),
        ("cancel_activity",  ["Y",    "-",    "lead", "-",    "unit", "-",    "-"]),
        ("sign_up",          ["Y",    "att",  "att",  "att",  "att",  "-",    "-"]),
        ("withdraw",         ["Y",    "att",  "att",  "att",  "att",  "-",    "-"]),
        ("check_in",         ["Y",    "att",  "att",  "att",  "att",  "desk", "-"]),
        ("check_out",        ["Y",    "att",  "att",  "att",  "att",  "desk", "-"]),
        ("correct_attendance", ["Y",  "-",    "-",    "-",    "-",    "-",    "-"]),
        ("verify_check_ins", ["Y",    "-",    "lead", "-",    "unit", "-",    "-"]),
        ("add_household",    ["Y",    "grid", "-",    "-",    "-",    "-",    "-"]),
        ("update_household", ["Y",    "grid", "-",    "-",    "-",    "-",    "-"]),
        ("set_household_status", ["Y", "grid", "-",   "-",    "-",    "-",    "-"]),
        ("record_visit",     ["Y",    "care", "care", "-",    "-",    "-",    "-"]),
        ("link_visit_wish",  ["Y",    "care", "care", "-",    "-",    "-",    "-"]),
        ("attach_photos",    ["pic",  "pic",  "pic",  "pic",  "pic",  "pic",  "-"]),
        // The street's answers: no community role; the street's coordinators (`street`).
        ("street_accept",    ["-",    "-",    "-",    "-",    "-",    "-",    "-"]),
        ("street_return",    ["-",    "-",    "-",    "-",    "-",    "-",    "-"]),
        ("street_resolve",   ["-",    "-",    "-",    "-",    "-",    "-",    "-"]),
        // A street's Open311 filing: no community role; the endpoint, for a street key.
        ("street_file",      ["-",    "-",    "-",    "-",    "-",    "-",    "-"]),
    ];

    #[test]
    fn matrix_matches_the_written_table() {
        let rows = matrix_rows();
        assert_eq!(rows.len(), EXPECTED.len());
        for ((action, got), (code, want)) in rows.iter().zip(EXPECTED) {
            assert_eq!(action.code(), *code);
            assert_eq!(got, want, "row {code}");
        }
    }

    #[test]
    fn viewer_may_do_nothing() {
        for a in Action::ALL {
            assert_eq!(rule(Role::Viewer, a), Rule::No, "{a:?}");
        }
    }

    #[test]
    fn kiosk_may_only_file_wishes_with_photos_expire_leases_check_people_in_and_out_and_take_evaluations()
     {
        for a in Action::ALL {
            let allowed = rule(Role::Kiosk, a) != Rule::No;
            assert_eq!(
                allowed,
                matches!(
                    a,
                    Action::CreateWish
                        | Action::ExpireLease
                        | Action::CheckIn
                        | Action::CheckOut
                        | Action::Evaluate
                        | Action::AttachPhotos
                ),
                "{a:?}"
            );
        }
    }
}
