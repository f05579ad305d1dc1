//! The photo picker (wish form, completion form) and a wish's photos
//! (thumbnails, full size on tap): docs/photos.md. Making photos small and
//! showing bytes is `crate::photos`.
use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_core::model::Wish;
use linli_core::photos::{self, MAX_PHOTOS, Stage};
use linli_core::{OpKind, WishId};
use wasm_bindgen::JsCast;

use super::ui::{Reader, me};
use crate::i18n::{fill, k, tr, use_i18n};
use crate::photos::{Shrunk, object_url, revoke, shrink};
use crate::state::LocalPhoto;
use crate::state::{AppState, use_app};

/// One photo picked on a form.
#[derive(Clone)]
pub struct Picked {
    pub photo: Shrunk,
    /// The filer marked it fine to show to volunteers.
    pub volunteers: RwSignal<bool>,
    /// Preview of the thumbnail.
    pub url: String,
}

/// The op that attaches `picked` to `wish`, and the images to keep with
/// it; `None` when nothing was picked.
pub fn attach(wish: &WishId, stage: Stage, picked: &[Picked]) -> Option<(OpKind, Vec<LocalPhoto>)> {
    if picked.is_empty() {
        return None;
    }
    let refs = picked
        .iter()
        .map(|p| p.photo.reference(p.volunteers.get_untracked()))
        .collect();
    let locals = picked.iter().flat_map(|p| p.photo.locals(wish)).collect();
    Some((
        OpKind::AttachPhotos {
            wish: wish.clone(),
            stage,
            photos: refs,
        },
        locals,
    ))
}

/// Forgets what was picked (after saving).
pub fn clear(picked: RwSignal<Vec<Picked>>) {
    picked.update(|list| {
        for p in list.drain(..) {
            revoke(&p.url);
        }
    });
}

/// Take or pick up to `MAX_PHOTOS` photos; each is made small at once,
/// with a preview, a remove button and (request photos) the "fine to show
/// to volunteers" box.
#[component]
pub fn PhotoPicker(id: &'static str, picked: RwSignal<Vec<Picked>>, stage: Stage) -> impl IntoView {
    let i18n = use_i18n();
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<crate::i18n::Key>);
    let on_change = move |ev: web_sys::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let files: Vec<web_sys::File> = input
            .files()
            .map(|l| (0..l.length()).filter_map(|i| l.get(i)).collect())
            .unwrap_or_default();
        input.set_value("");
        let room = MAX_PHOTOS.saturating_sub(picked.with_untracked(Vec::len));
        problem.set((files.len() > room).then_some(k::PHOTOS_TOO_MANY));
        let files: Vec<_> = files.into_iter().take(room).collect();
        if files.is_empty() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            for file in files {
                match shrink(&file).await {
                    Ok(photo) => {
                        let url = object_url(&photo.thumb, &photo.mime).unwrap_or_default();
                        picked.update(|l| {
                            let dup = l.iter().any(|p| p.photo.full == photo.full);
                            if !dup && l.len() < MAX_PHOTOS {
                                l.push(Picked {
                                    photo,
                                    volunteers: RwSignal::new(false),
                                    url,
                                });
                            }
                        });
                    }
                    Err(_) => problem.set(Some(k::PHOTOS_FAILED)),
                }
            }
            busy.set(false);
        });
    };
    on_cleanup(move || {
        picked.with_untracked(|l| l.iter().for_each(|p| revoke(&p.url)));
    });
    let full = move || picked.with(Vec::len) >= MAX_PHOTOS;
    let hint_id = format!("{id}-hint");
    let items = move || {
        picked
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                let n = (i + 1).to_string();
                let alt = fill(i18n.t(k::PHOTOS_PREVIEW_ALT), &[("n", &n)]);
                let remove = fill(i18n.t(k::PHOTOS_REMOVE), &[("n", &n)]);
                let vol = p.volunteers;
                let url = p.url.clone();
                let check_id = format!("{id}-vol-{i}");
                view! {
                    <li class="photo-pick">
                        <img src=p.url.clone() alt=alt width="96" height="96" />
                        {(stage == Stage::Request).then(|| view! {
                            <label class="check" for=check_id.clone()>
                                <input type="checkbox" id=check_id.clone() prop:checked=move || vol.get()
                                    on:change=move |ev| vol.set(event_target_checked(&ev)) />
                                {tr(k::PHOTOS_VOLUNTEERS)}
                            </label>
                        })}
                        <button type="button" class="secondary" aria-label=remove on:click=move |_| {
                            revoke(&url);
                            picked.update(|l| { l.remove(i); });
                        }>{tr(k::PHOTOS_REMOVE_BUTTON)}</button>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <div class="field photo-picker">
            <label for=id>{tr(k::PHOTOS_PICK)}</label>
            <input type="file" id=id accept="image/*" capture="environment" multiple=true
                aria-describedby=hint_id.clone() disabled=move || full() || busy.get() on:change=on_change />
            <p class="hint" id=hint_id>{tr(k::PHOTOS_PICK_HINT)}</p>
            <Show when=move || busy.get()>
                <p class="hint" role="status">{tr(k::PHOTOS_PROCESSING)}</p>
            </Show>
            {move || problem.get().map(|key| view! { <p class="error" role="alert">{tr(key)}</p> })}
            <ul class="photo-picks plain">{items}</ul>
        </div>
    }
}

/// A photo on the wish page: its thumbnail's URL, or nothing yet.
#[derive(Clone, PartialEq)]
struct Shown {
    stage: Stage,
    full: String,
    thumb: Option<String>,
    n: usize,
}

/// The photos of a wish this member may see, as thumbnails (lazily
/// loaded); a tap shows the full size (from this device, else fetched and
/// kept). Alt text: the wish's title and the photo's role.
#[component]
pub fn WishPhotos(wish: Memo<Option<Wish>>) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let visible = Memo::new(move |_| -> Vec<(Stage, String, String)> {
        let (Some(w), Some(m)) = (wish.get(), me(app)) else {
            return Vec::new();
        };
        app.replica.with(|r| {
            let state = r.view();
            photos::of(state, &w.id)
                .iter()
                .filter(|p| photos::may_see(state, &m.id, &w.id, p))
                .map(|p| (p.stage, p.photo.sha256.clone(), p.photo.thumb.clone()))
                .collect()
        })
    });
    let made = StoredValue::new(Vec::<String>::new());
    let forget = move || made.update_value(|v| v.drain(..).for_each(|u| revoke(&u)));
    let shown = Reader::new(move || {
        app.revision.track();
        let list = visible.get();
        async move {
            let mut out = Vec::new();
            let mut urls = Vec::new();
            let mut counts = [0usize; 2];
            for (stage, full, thumb) in list {
                let held = app.held_photo(&thumb).await;
                let url = held.and_then(|p| object_url(&p.bytes, &p.mime));
                urls.extend(url.clone());
                let c = &mut counts[usize::from(stage == Stage::Completion)];
                *c += 1;
                out.push(Shown {
                    stage,
                    full,
                    thumb: url,
                    n: *c,
                });
            }
            forget();
            made.set_value(urls);
            out
        }
    });
    on_cleanup(forget);
    let open = RwSignal::new(None::<(String, String)>);
    let title = move || wish.with(|w| w.as_ref().map(|w| w.title.clone()).unwrap_or_default());
    let alt = move |stage: Stage, n: usize| {
        let role = i18n.t(match stage {
            Stage::Request => k::PHOTOS_STAGE_REQUEST,
            Stage::Completion => k::PHOTOS_STAGE_COMPLETION,
        });
        fill(
            i18n.t(k::PHOTOS_ALT),
            &[("title", &title()), ("role", role), ("n", &n.to_string())],
        )
    };
    let items = move || {
        shown
            .get()
            .unwrap_or_default()
            .into_iter()
            .map(|s| {
                let a = alt(s.stage, s.n);
                match s.thumb {
                    Some(url) => {
                        let (full, a2) = (s.full.clone(), a.clone());
                        view! {
                            <li>
                                <button type="button" class="photo-thumb" on:click=move |_| open.set(Some((full.clone(), a2.clone())))>
                                    <img src=url alt=a loading="lazy" width="120" height="120" />
                                </button>
                            </li>
                        }
                        .into_any()
                    }
                    None => view! { <li class="photo-missing" data-testid="photo-missing">{a} " · " {tr(k::PHOTOS_NOT_HERE)}</li> }.into_any(),
                }
            })
            .collect_view()
    };
    view! {
        <Show when=move || visible.with(|v| !v.is_empty())>
            <section class="card" aria-labelledby="photos-title" data-testid="wish-photos">
                <h2 id="photos-title">{tr(k::PHOTOS_TITLE)}</h2>
                <ul class="photo-grid plain">{items}</ul>
                {move || open.get().map(|(sha, a)| view! { <FullPhoto app=app sha=sha alt=a open=open /> })}
            </section>
        </Show>
    }
}

/// The full-size photo, from this device or fetched (and kept).
#[component]
fn FullPhoto(
    app: AppState,
    sha: String,
    alt: String,
    open: RwSignal<Option<(String, String)>>,
) -> impl IntoView {
    let url = RwSignal::new(None::<Result<String, ()>>);
    let wish_sha = sha.clone();
    spawn_local(async move {
        let got = app.full_photo(&wish_sha).await;
        url.set(Some(
            got.and_then(|p| object_url(&p.bytes, &p.mime).ok_or(())),
        ));
    });
    on_cleanup(move || {
        if let Some(Ok(u)) = url.get_untracked() {
            revoke(&u);
        }
    });
    let label = alt.clone();
    view! {
        <div class="photo-full" role="group" aria-label=label>
            {move || match url.get() {
                None => view! { <p role="status">{tr(k::PHOTOS_FULL_LOADING)}</p> }.into_any(),
                Some(Err(())) => view! { <p role="alert">{tr(k::PHOTOS_FULL_FAILED)}</p> }.into_any(),
                Some(Ok(u)) => view! { <img src=u alt=alt.clone() data-testid="photo-full" /> }.into_any(),
            }}
            <button type="button" class="secondary" on:click=move |_| open.set(None)>{tr(k::UI_CLOSE)}</button>
        </div>
    }
}

/// The thumbnails of one stage of a wish beside its timeline entry (the
/// filing, the standing completion): the same images as the photos card,
/// so decorative here (empty alt, hidden from assistive technology).
#[component]
pub fn PhotoStrip(wish: WishId, stage: Stage) -> impl IntoView {
    let app = use_app();
    let thumbs = Memo::new(move |_| -> Vec<String> {
        let Some(m) = me(app) else {
            return Vec::new();
        };
        app.replica.with(|r| {
            let state = r.view();
            photos::of(state, &wish)
                .iter()
                .filter(|p| p.stage == stage && photos::may_see(state, &m.id, &wish, p))
                .map(|p| p.photo.thumb.clone())
                .collect()
        })
    });
    let made = StoredValue::new(Vec::<String>::new());
    let forget = move || made.update_value(|v| v.drain(..).for_each(|u| revoke(&u)));
    let urls = Reader::new(move || {
        app.revision.track();
        let list = thumbs.get();
        async move {
            let mut urls = Vec::new();
            for sha in list {
                if let Some(p) = app.held_photo(&sha).await {
                    urls.extend(object_url(&p.bytes, &p.mime));
                }
            }
            forget();
            made.set_value(urls.clone());
            urls
        }
    });
    on_cleanup(forget);
    move || {
        let list = urls.get().unwrap_or_default();
        (!list.is_empty()).then(|| {
            let imgs = list
                .into_iter()
                .map(|u| view! { <img src=u alt="" width="40" height="40" loading="lazy" /> })
                .collect_view();
            view! { <p class="photo-strip" aria-hidden="true">{imgs}</p> }
        })
    }
}
