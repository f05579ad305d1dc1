//! Route splitting (issue 18; docs/client.md "Build and chunks"). The shell
//! and the landing routes (home, join, not found) are the main wasm; every
//! other page lives in one of a few lazily loaded wasm chunks, one per area
//! of the app. `tools/split.mjs` cuts the chunks out of the release build
//! with `wasm-split-cli`; the service worker precaches every chunk, so each
//! page also opens offline.
//!
//! A split point is one function per area (`#[wasm_split]`), taking the page
//! to show. Its loader is `fallible`: a chunk that cannot be fetched (first
//! visit, offline, before the service worker has cached it) shows
//! [`ChunkMissing`] instead of aborting the whole app, and the next
//! navigation tries again (a failed load is not remembered).
//!
//! Only a build with the `split` feature (tools/split.mjs) makes them split
//! points (async, loading their chunk); without it (tests, clippy, an
//! unsplit build) they are plain calls and the app is one wasm.
use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;
use leptos_router::components::A;
use leptos_router::{Lazy, LazyRoute};

use crate::i18n::{k, tr};
use crate::pages::{
    Activities, ActivityDetail, ActivityEdit, ActivityNew, ActivityRoster, Admin, Board, Care,
    CareHousehold, CareNew, CheckinCode, Dashboard, Inbox, Invite, KioskCheckIn, KioskEvaluate,
    KioskLeave, MemberPassPage, Orders, Posters, Resources, SelfCheckIn, Settings, StreetDashboard,
    StreetInbox, Volunteers, WishDetail, Wishes,
};

/// A chunk could not be loaded (its download failed).
#[derive(Debug)]
pub struct NotLoaded;

impl From<SplitLoaderError> for NotLoaded {
    fn from(_: SplitLoaderError) -> Self {
        NotLoaded
    }
}

/// Every page that is not in the main wasm. `repr(u8)`: it crosses the
/// split point as a plain byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Page {
    // Chunk "workflow": the wish workflow's lists and the inbox.
    Wishes,
    WishDetail,
    Board,
    Orders,
    Volunteers,
    Inbox,
    // Chunk "activities": activities, check-in, member passes.
    Activities,
    ActivityNew,
    ActivityDetail,
    ActivityEdit,
    ActivityRoster,
    CheckinCode,
    SelfCheckIn,
    MemberPass,
    KioskCheckIn,
    // Chunk "care": the care list.
    Care,
    CareNew,
    CareHousehold,
    // Chunk "community": coordinators' and settings pages.
    Dashboard,
    Settings,
    Invite,
    Posters,
    Resources,
    Admin,
    // Chunk "kiosk": a kiosk's walk-up evaluation and leaving.
    KioskEvaluate,
    KioskLeave,
    // Chunk "street": a street device's inbox and dashboard.
    StreetInbox,
    StreetDashboard,
}

/// The chunks, one per area of the app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chunk {
    Workflow,
    Activities,
    Care,
    Community,
    Kiosk,
    Street,
}

impl Page {
    /// The chunk that holds this page.
    pub fn chunk(self) -> Chunk {
        use Page::*;
        match self {
            Wishes | WishDetail | Board | Orders | Volunteers | Inbox => Chunk::Workflow,
            Activities | ActivityNew | ActivityDetail | ActivityEdit | ActivityRoster
            | CheckinCode | SelfCheckIn | MemberPass | KioskCheckIn => Chunk::Activities,
            Care | CareNew | CareHousehold => Chunk::Care,
            Dashboard | Settings | Invite | Posters | Resources | Admin => Chunk::Community,
            KioskEvaluate | KioskLeave => Chunk::Kiosk,
            StreetInbox | StreetDashboard => Chunk::Street,
        }
    }
}

// One split point per chunk. A page asked of the wrong chunk renders
// nothing (`Page::chunk` routes each page to its own).

#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(linli_workflow, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn workflow_page(page: Page) -> Result<AnyView, NotLoaded> {
    Ok(match page {
        Page::Wishes => view! { <Wishes /> }.into_any(),
        Page::WishDetail => view! { <WishDetail /> }.into_any(),
        Page::Board => view! { <Board /> }.into_any(),
        Page::Orders => view! { <Orders /> }.into_any(),
        Page::Volunteers => view! { <Volunteers /> }.into_any(),
        Page::Inbox => view! { <Inbox /> }.into_any(),
        _ => ().into_any(),
    })
}

#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(linli_activities, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn activities_page(page: Page) -> Result<AnyView, NotLoaded> {
    Ok(match page {
        Page::Activities => view! { <Activities /> }.into_any(),
        Page::ActivityNew => view! { <ActivityNew /> }.into_any(),
        Page::ActivityDetail => view! { <ActivityDetail /> }.into_any(),
        Page::ActivityEdit => view! { <ActivityEdit /> }.into_any(),
        Page::ActivityRoster => view! { <ActivityRoster /> }.into_any(),
        Page::CheckinCode => view! { <CheckinCode /> }.into_any(),
        Page::SelfCheckIn => view! { <SelfCheckIn /> }.into_any(),
        Page::MemberPass => view! { <MemberPassPage /> }.into_any(),
        Page::KioskCheckIn => view! { <KioskCheckIn /> }.into_any(),
        _ => ().into_any(),
    })
}

#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(linli_care, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn care_page(page: Page) -> Result<AnyView, NotLoaded> {
    Ok(match page {
        Page::Care => view! { <Care /> }.into_any(),
        Page::CareNew => view! { <CareNew /> }.into_any(),
        Page::CareHousehold => view! { <CareHousehold /> }.into_any(),
        _ => ().into_any(),
    })
}

#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(linli_community, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn community_page(page: Page) -> Result<AnyView, NotLoaded> {
    Ok(match page {
        Page::Dashboard => view! { <Dashboard /> }.into_any(),
        Page::Settings => view! { <Settings /> }.into_any(),
        Page::Invite => view! { <Invite /> }.into_any(),
        Page::Posters => view! { <Posters /> }.into_any(),
        Page::Resources => view! { <Resources /> }.into_any(),
        Page::Admin => view! { <Admin /> }.into_any(),
        _ => ().into_any(),
    })
}

#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(linli_kiosk, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn kiosk_page(page: Page) -> Result<AnyView, NotLoaded> {
    Ok(match page {
        Page::KioskEvaluate => view! { <KioskEvaluate /> }.into_any(),
        Page::KioskLeave => view! { <KioskLeave /> }.into_any(),
        _ => ().into_any(),
    })
}

#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(linli_street, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn street_page(page: Page) -> Result<AnyView, NotLoaded> {
    Ok(match page {
        Page::StreetInbox => view! { <StreetInbox /> }.into_any(),
        Page::StreetDashboard => view! { <StreetDashboard /> }.into_any(),
        _ => ().into_any(),
    })
}

/// Calls a split function: awaited (its chunk loaded first) in the split
/// build, a plain call otherwise.
macro_rules! split_call {
    ($call:expr) => {{
        #[cfg(feature = "split")]
        let result = $call.await;
        #[cfg(not(feature = "split"))]
        let result = $call;
        result
    }};
}
pub(crate) use split_call;

thread_local! {
    /// What `sync_engine` runs with: a split point takes only arguments an
    /// `extern "C"` function can, so they wait here.
    static ENGINE: std::cell::Cell<Option<(crate::sync::SyncState, crate::state::AppState)>> =
        const { std::cell::Cell::new(None) };
}

/// The sync engine (rounds, live channels, uploads, a street's rounds) is a
/// chunk of its own, `linli_sync`: no page paints with it.
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(linli_sync, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn sync_engine() -> Result<(), NotLoaded> {
    if let Some((sync, app)) = ENGINE.with(std::cell::Cell::take) {
        sync.start(app);
    }
    Ok(())
}

/// Starts the sync engine in this tab once the state is read and the
/// device has joined (its chunk then loads beside the first render, not
/// before it, and a newcomer's landing page never waits for it); a chunk
/// that cannot be fetched is asked for again, less often each time.
pub async fn start_sync(sync: crate::sync::SyncState, app: crate::state::AppState) {
    use gloo_timers::future::TimeoutFuture;
    while app.load.get_untracked() == crate::state::Load::Loading
        || app.session.with_untracked(Option::is_none)
    {
        TimeoutFuture::new(50).await;
    }
    let mut wait = 1_000;
    loop {
        ENGINE.with(|e| e.set(Some((sync, app))));
        if split_call!(sync_engine()).is_ok() {
            return;
        }
        TimeoutFuture::new(wait).await;
        wait = (wait * 2).min(60_000);
    }
}

/// The view of `page`, loading its chunk first (at once if it is loaded).
pub async fn show(page: Page) -> AnyView {
    let view = match page.chunk() {
        Chunk::Workflow => split_call!(workflow_page(page)),
        Chunk::Activities => split_call!(activities_page(page)),
        Chunk::Care => split_call!(care_page(page)),
        Chunk::Community => split_call!(community_page(page)),
        Chunk::Kiosk => split_call!(kiosk_page(page)),
        Chunk::Street => split_call!(street_page(page)),
    };
    view.unwrap_or_else(|NotLoaded| view! { <ChunkMissing /> }.into_any())
}

/// Shown when a page's chunk could not be downloaded.
#[component]
pub fn ChunkMissing() -> impl IntoView {
    view! {
        <h1>{tr(k::SPLIT_MISSING_TITLE)}</h1>
        <p role="alert">{tr(k::SPLIT_MISSING_BODY)}</p>
        <p><A href="/">{tr(k::SPLIT_MISSING_HOME)}</A></p>
    }
}

/// A route whose view is `page`, loaded on first use: `route::<Wishes>()`
/// is spelled `lazy_pages::wishes()` (one constructor per page, below).
macro_rules! routes {
    ($($ctor:ident => $ty:ident: $page:ident),* $(,)?) => {
        $(
            #[doc = concat!("The route of [`Page::", stringify!($page), "`].")]
            pub struct $ty;

            impl LazyRoute for $ty {
                fn data() -> Self {
                    $ty
                }

                async fn view(_: Self) -> AnyView {
                    show(Page::$page).await
                }
            }

            #[doc = concat!("The lazy view of [`Page::", stringify!($page), "`].")]
            pub fn $ctor() -> Lazy<$ty> {
                Lazy::new()
            }
        )*
    };
}

routes! {
    wishes => WishesRoute: Wishes,
    wish_detail => WishDetailRoute: WishDetail,
    board => BoardRoute: Board,
    orders => OrdersRoute: Orders,
    volunteers => VolunteersRoute: Volunteers,
    inbox => InboxRoute: Inbox,
    activities => ActivitiesRoute: Activities,
    activity_new => ActivityNewRoute: ActivityNew,
    activity_detail => ActivityDetailRoute: ActivityDetail,
    activity_edit => ActivityEditRoute: ActivityEdit,
    activity_roster => ActivityRosterRoute: ActivityRoster,
    checkin_code => CheckinCodeRoute: CheckinCode,
    self_check_in => SelfCheckInRoute: SelfCheckIn,
    member_pass => MemberPassRoute: MemberPass,
    kiosk_check_in => KioskCheckInRoute: KioskCheckIn,
    care => CareRoute: Care,
    care_new => CareNewRoute: CareNew,
    care_household => CareHouseholdRoute: CareHousehold,
    dashboard => DashboardRoute: Dashboard,
    settings => SettingsRoute: Settings,
    invite => InviteRoute: Invite,
    posters => PostersRoute: Posters,
    resources => ResourcesRoute: Resources,
    admin => AdminRoute: Admin,
    kiosk_evaluate => KioskEvaluateRoute: KioskEvaluate,
    kiosk_leave => KioskLeaveRoute: KioskLeave,
    street_inbox => StreetInboxRoute: StreetInbox,
    street_dashboard => StreetDashboardRoute: StreetDashboard,
}
