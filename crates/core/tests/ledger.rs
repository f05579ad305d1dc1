//! Whose points ledger a member may read (`rules::sees_ledger`).

use linli_core::demo::LogBuilder;
use linli_core::model::Role;
use linli_core::op::OpKind;
use linli_core::reduce::Outcome;
use linli_core::rules::sees_ledger;

/// c1 coordinator; g1 grid worker of 一网格; v1 lives in 一网格, v2 in
/// 二网格; v3 leads a team with v2 in it; r1 a resident; k1 the kiosk.
fn community() -> LogBuilder {
    let mut b = LogBuilder::community(
        1_700_000_000_000,
        &["一网格", "二网格"],
        &[
            ("g1", Role::GridWorker, &["一网格"]),
            ("v1", Role::Volunteer, &["一网格"]),
            ("v2", Role::Volunteer, &["二网格"]),
            ("v3", Role::Volunteer, &[]),
            ("r1", Role::Resident, &[]),
            ("k1", Role::Kiosk, &[]),
        ],
    );
    let (id, out) = b.push(
        "c1",
        OpKind::CreateTeam {
            team: "t1".into(),
            name: "党员先锋队".into(),
            lead: Some("v3".into()),
            members: vec!["v2".into(), "v3".into()],
            categories: Vec::new(),
        },
    );
    assert_eq!(out, Outcome::Applied, "{id}");
    b
}

fn readers(b: &LogBuilder, subject: &str) -> Vec<&'static str> {
    ["c1", "g1", "v1", "v2", "v3", "r1", "k1"]
        .into_iter()
        .filter(|v| sees_ledger(&b.state, &(*v).into(), &subject.into()))
        .collect()
}

#[test]
fn own_coordinator_grid_worker_and_team_lead() {
    let b = community();
    assert_eq!(readers(&b, "v1"), ["c1", "g1", "v1"]);
    assert_eq!(readers(&b, "v2"), ["c1", "v2", "v3"]);
    assert_eq!(readers(&b, "v3"), ["c1", "v3"]);
    assert_eq!(readers(&b, "r1"), ["c1", "r1"]);
}

#[test]
fn a_removed_lead_or_an_old_team_reads_nothing_more() {
    let mut b = community();
    let (id, out) = b.push(
        "c1",
        OpKind::SetTeamMembers {
            team: "t1".into(),
            members: vec!["v3".into()],
        },
    );
    assert_eq!(out, Outcome::Applied, "{id}");
    assert_eq!(readers(&b, "v2"), ["c1", "v2"]);
    let (id, out) = b.push(
        "c1",
        OpKind::RemoveMember {
            member: "g1".into(),
        },
    );
    assert_eq!(out, Outcome::Applied, "{id}");
    assert_eq!(readers(&b, "v1"), ["c1", "v1"]);
}
