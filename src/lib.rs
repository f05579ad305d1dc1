//! linli, the browser app: Leptos CSR pages over the device's own store.
//! Pages render state and dispatch operations; effects live in `store`
//! (IndexedDB) and, later, `sync` (the endpoint).
pub mod browser;
pub mod components;
pub mod i18n;
pub mod inbox;
pub mod pages;
pub mod photos;
pub mod pwa;
pub mod state;
pub mod status;
pub mod store;
pub mod sync;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::components::kiosk::KioskIdle;
use crate::components::{AppHeader, MainNav, Notices, UpdateBanner};
use crate::i18n::{k, provide_i18n, tr};
use crate::pages::{
    Activities, ActivityDetail, ActivityEdit, ActivityNew, ActivityRoster, Admin, Board, Care,
    CareHousehold, CareNew, CheckinCode, Dashboard, Home, Inbox, Invite, Join, KioskCheckIn,
    KioskEvaluate, KioskLeave, MemberPassPage, NotFound, Orders, Posters, Resources, SelfCheckIn,
    Settings, Volunteers, WishDetail, Wishes,
};

#[component]
pub fn App() -> impl IntoView {
    provide_i18n();
    state::AppState::provide();
    inbox::InboxState::provide();
    view! {
        <Router>
            <div class="app">
                <a class="skip-link" href="#main">{tr(k::APP_SKIP)}</a>
                <AppHeader />
                <UpdateBanner />
                <Notices />
                <KioskIdle />
                <div class="app-body">
                    <MainNav />
                    <main id="main" tabindex="-1">
                        <Routes fallback=NotFound>
                            <Route path=path!("/") view=Home />
                            <Route path=path!("/wishes") view=Wishes />
                            <Route path=path!("/wishes/:id") view=WishDetail />
                            <Route path=path!("/board") view=Board />
                            <Route path=path!("/orders") view=Orders />
                            <Route path=path!("/volunteers") view=Volunteers />
                            <Route path=path!("/dashboard") view=Dashboard />
                            <Route path=path!("/settings") view=Settings />
                            <Route path=path!("/join") view=Join />
                            <Route path=path!("/invite") view=Invite />
                            <Route path=path!("/posters") view=Posters />
                            <Route path=path!("/care") view=Care />
                            <Route path=path!("/care/new") view=CareNew />
                            <Route path=path!("/care/:id") view=CareHousehold />
                            <Route path=path!("/resources") view=Resources />
                            <Route path=path!("/admin") view=Admin />
                            <Route path=path!("/inbox") view=Inbox />
                            <Route path=path!("/activities") view=Activities />
                            <Route path=path!("/activities/new") view=ActivityNew />
                            <Route path=path!("/activities/:id") view=ActivityDetail />
                            <Route path=path!("/activities/:id/edit") view=ActivityEdit />
                            <Route path=path!("/activities/:id/roster") view=ActivityRoster />
                            <Route path=path!("/activities/:id/code") view=CheckinCode />
                            <Route path=path!("/activities/:id/check-in") view=SelfCheckIn />
                            <Route path=path!("/pass") view=MemberPassPage />
                            <Route path=path!("/kiosk/check-in") view=KioskCheckIn />
                            <Route path=path!("/kiosk/evaluate") view=KioskEvaluate />
                            <Route path=path!("/kiosk/leave") view=KioskLeave />
                        </Routes>
                    </main>
                </div>
            </div>
        </Router>
    }
}
