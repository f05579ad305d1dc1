//! linli, the browser app: Leptos CSR pages over the device's own store.
//! Pages render state and dispatch operations; effects live in `store`
//! (IndexedDB) and, later, `sync` (the endpoint).
pub mod browser;
pub mod components;
pub mod i18n;
pub mod inbox;
pub mod landing;
pub mod lazy_pages;
pub mod pages;
pub mod photos;
pub mod pwa;
pub mod state;
pub mod status;
pub mod store;
pub mod street;
pub mod sync;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::components::kiosk::KioskIdle;
use crate::components::{AppHeader, MainNav, Notices, UpdateBanner};
use crate::i18n::{k, provide_i18n, tr};
use crate::lazy_pages as lazy;
use crate::pages::{Home, Join, NotFound};

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
                            <Route path=path!("/wishes") view=lazy::wishes() />
                            <Route path=path!("/wishes/:id") view=lazy::wish_detail() />
                            <Route path=path!("/board") view=lazy::board() />
                            <Route path=path!("/orders") view=lazy::orders() />
                            <Route path=path!("/volunteers") view=lazy::volunteers() />
                            <Route path=path!("/dashboard") view=lazy::dashboard() />
                            <Route path=path!("/settings") view=lazy::settings() />
                            <Route path=path!("/join") view=Join />
                            <Route path=path!("/invite") view=lazy::invite() />
                            <Route path=path!("/posters") view=lazy::posters() />
                            <Route path=path!("/care") view=lazy::care() />
                            <Route path=path!("/care/new") view=lazy::care_new() />
                            <Route path=path!("/care/:id") view=lazy::care_household() />
                            <Route path=path!("/resources") view=lazy::resources() />
                            <Route path=path!("/admin") view=lazy::admin() />
                            <Route path=path!("/inbox") view=lazy::inbox() />
                            <Route path=path!("/activities") view=lazy::activities() />
                            <Route path=path!("/activities/new") view=lazy::activity_new() />
                            <Route path=path!("/activities/:id") view=lazy::activity_detail() />
                            <Route path=path!("/activities/:id/edit") view=lazy::activity_edit() />
                            <Route path=path!("/activities/:id/roster") view=lazy::activity_roster() />
                            <Route path=path!("/activities/:id/code") view=lazy::checkin_code() />
                            <Route path=path!("/activities/:id/check-in") view=lazy::self_check_in() />
                            <Route path=path!("/pass") view=lazy::member_pass() />
                            <Route path=path!("/kiosk/check-in") view=lazy::kiosk_check_in() />
                            <Route path=path!("/kiosk/evaluate") view=lazy::kiosk_evaluate() />
                            <Route path=path!("/kiosk/leave") view=lazy::kiosk_leave() />
                            <Route path=path!("/street") view=lazy::street_inbox() />
                            <Route path=path!("/street/dashboard") view=lazy::street_dashboard() />
                        </Routes>
                    </main>
                </div>
            </div>
        </Router>
    }
}
