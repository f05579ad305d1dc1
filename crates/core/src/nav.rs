//! Which of the app's main pages a role uses (issue 13: every role saw all
//! seven tabs, a resident 派单 and 接单 too). The pages still check what
//! they show; this only decides what the navigation offers.

use crate::model::Role;

/// The app's main pages, in navigation order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    /// 首页.
    Home,
    /// 心愿 (the list and the 点单 form).
    Wishes,
    /// 派单 (dispatch board).
    Board,
    /// 接单 (open orders and one's own).
    Orders,
    /// 活动 (the activities calendar; issue 14).
    Activities,
    /// 志愿者 (points, leaderboard, teams).
    Volunteers,
    /// 看板 (the rates).
    Dashboard,
    /// 设置.
    Settings,
    /// 上报事项: a street device's escalation inbox (issue 19).
    StreetInbox,
    /// 街道看板: a street device's dashboard.
    StreetDashboard,
}

impl Page {
    /// Every page, in navigation order.
    pub const ALL: [Page; 8] = [
        Page::Home,
        Page::Wishes,
        Page::Board,
        Page::Orders,
        Page::Activities,
        Page::Volunteers,
        Page::Dashboard,
        Page::Settings,
    ];

    /// The route.
    pub fn path(self) -> &'static str {
        match self {
            Page::Home => "/",
            Page::Wishes => "/wishes",
            Page::Board => "/board",
            Page::Orders => "/orders",
            Page::Activities => "/activities",
            Page::Volunteers => "/volunteers",
            Page::Dashboard => "/dashboard",
            Page::Settings => "/settings",
            Page::StreetInbox => "/street",
            Page::StreetDashboard => "/street/dashboard",
        }
    }
}

/// The pages the navigation offers a member of `role`; `None`: a device
/// that has not joined (home, with the way in, and settings).
pub fn pages(role: Option<Role>) -> Vec<Page> {
    use Page::*;
    let Some(role) = role else {
        return vec![Home, Settings];
    };
    let wanted: &[Page] = match role {
        Role::Coordinator | Role::GridWorker => &Page::ALL,
        Role::Volunteer => &[Home, Wishes, Orders, Activities, Volunteers, Settings],
        Role::Partner => &[Home, Orders, Activities, Settings],
        Role::Resident => &[Home, Wishes, Activities, Settings],
        // The kiosk checks people in on its own screen, not the calendar.
        Role::Kiosk => &[Home, Wishes, Settings],
        Role::Viewer => &[Home, Board, Activities, Dashboard, Settings],
    };
    wanted.to_vec()
}

/// The pages the navigation offers a device that joined with a street's
/// code, by the member's role in the street log: the street's coordinators
/// answer escalations and invite, its viewers read.
pub fn street_pages(role: Option<Role>) -> Vec<Page> {
    use Page::*;
    match role {
        Some(Role::Coordinator | Role::Viewer) => {
            vec![Home, StreetInbox, StreetDashboard, Settings]
        }
        _ => vec![Home, Settings],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::op::Action;
    use crate::permissions::{Rule, rule};

    /// Every role that may dispatch sees 派单, every role that may claim
    /// sees 接单, and nobody else does; everyone has home and settings.
    #[test]
    fn the_tabs_follow_the_permission_matrix() {
        for role in Role::ALL {
            let p = pages(Some(role));
            assert!(
                p.contains(&Page::Home) && p.contains(&Page::Settings),
                "{role:?}"
            );
            let may = |a: Action| rule(role, a) != Rule::No;
            let dispatches = may(Action::Publish) || may(Action::Assign);
            assert_eq!(
                p.contains(&Page::Board),
                dispatches || role == Role::Viewer,
                "{role:?}"
            );
            let claims = may(Action::Claim) || may(Action::PartnerClaim);
            assert_eq!(
                p.contains(&Page::Orders),
                claims || role == Role::Coordinator || role == Role::GridWorker,
                "{role:?}"
            );
            assert_eq!(
                p.contains(&Page::Wishes),
                may(Action::CreateWish),
                "{role:?}"
            );
            // Everyone who takes part in activities, or reads, has the
            // calendar; the kiosk has its own check-in screen.
            assert_eq!(
                p.contains(&Page::Activities),
                role != Role::Kiosk,
                "{role:?}"
            );
        }
        assert_eq!(pages(None), [Page::Home, Page::Settings]);
    }

    #[test]
    fn street_devices_get_the_street_pages() {
        for role in [Role::Coordinator, Role::Viewer] {
            let p = street_pages(Some(role));
            assert_eq!(
                p,
                [
                    Page::Home,
                    Page::StreetInbox,
                    Page::StreetDashboard,
                    Page::Settings
                ]
            );
        }
        // Nobody else is a street member; a device not yet known gets the way in.
        assert_eq!(
            street_pages(Some(Role::Volunteer)),
            [Page::Home, Page::Settings]
        );
        assert_eq!(street_pages(None), [Page::Home, Page::Settings]);
        // The community pages never offer the street's.
        for role in Role::ALL {
            assert!(!pages(Some(role)).contains(&Page::StreetInbox));
        }
    }
}
