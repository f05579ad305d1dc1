//! Photos on wishes (issue 20): the log holds only what identifies a photo
//! — its SHA-256, its size, its thumbnail's SHA-256 and size, the stage it
//! belongs to (the request or the completion report) and whether the filer
//! marked it fine to show to volunteers. The bytes are content-addressed
//! objects beside the log (`PUT …/photos/{sha256}`), handed only to those
//! `may_see` allows. Request photos are private records like the contact
//! details: THE rule is `private::may_see`, widened to volunteers only for
//! a photo the filer marked so. Completion photos are for the requester,
//! coordinators and the holder. Once the wish closes only coordinators.
//! See docs/photos.md.

use crate::code::coded;
use crate::ids::{MemberId, OpId, WishId};
use crate::model::{Role, Status, Wish};
use crate::op::{Op, OpKind};
use crate::reduce::{State, VoidReason};
use serde::{Deserialize, Serialize};

/// Most photos on one wish per stage (and per op).
pub const MAX_PHOTOS: usize = 3;
/// Largest full-size photo the endpoint takes, in bytes. The device aims
/// at `TARGET_BYTES`; this leaves room for a photo that will not shrink.
pub const PHOTO_MAX_BYTES: u32 = 300 * 1024;
/// What the device's encoder aims a full-size photo at, in bytes.
pub const TARGET_BYTES: u32 = 200 * 1000;
/// Largest thumbnail, in bytes.
pub const THUMB_MAX_BYTES: u32 = 15 * 1000;
/// Longest side of a full-size photo, in pixels.
pub const MAX_SIDE: u32 = 1280;
/// Longest side of a thumbnail, in pixels.
pub const THUMB_SIDE: u32 = 240;

/// Which part of a wish a photo belongs to.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Taken when filing: what needs doing.
    #[default]
    Request,
    /// Taken with the completion report: what was done.
    Completion,
}

coded!(Stage {
    Request => "request",
    Completion => "completion",
});

/// What an op says of one photo: hashes and sizes, never the bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PhotoRef {
    /// SHA-256 of the full-size image, lowercase hex.
    pub sha256: String,
    /// Its size in bytes.
    pub bytes: u32,
    /// SHA-256 of the thumbnail, lowercase hex.
    pub thumb: String,
    /// The thumbnail's size in bytes.
    pub thumb_bytes: u32,
    /// The filer marked it fine to show to volunteers (request photos only).
    #[serde(default, skip_serializing_if = "is_false")]
    pub volunteers: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A photo as the folded state knows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Photo {
    /// Request or completion.
    pub stage: Stage,
    /// Who attached it.
    pub by: MemberId,
    /// The `AttachPhotos` op.
    pub op: OpId,
    /// Hashes, sizes, flag.
    pub photo: PhotoRef,
}

/// Which object of a photo: the full image or its thumbnail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Part {
    /// The full-size image.
    Full,
    /// The thumbnail.
    Thumb,
}

/// SHA-256 of `bytes`, lowercase hex: a photo's name.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    Sha256::digest(bytes)
        .iter()
        .flat_map(|b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 15)]])
        .map(char::from)
        .collect()
}

/// Whether `s` is a SHA-256 in lowercase hex.
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The image types photos may have, told from their first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageType {
    /// `RIFF....WEBP`.
    Webp,
    /// `FF D8 FF`.
    Jpeg,
}

impl ImageType {
    /// The media type.
    pub fn mime(self) -> &'static str {
        match self {
            ImageType::Webp => "image/webp",
            ImageType::Jpeg => "image/jpeg",
        }
    }

    /// Sniff the type from the bytes (`None`: not a photo linli stores).
    pub fn sniff(bytes: &[u8]) -> Option<ImageType> {
        if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(ImageType::Webp)
        } else if bytes.len() >= 3 && bytes[..3] == [0xFF, 0xD8, 0xFF] {
            Some(ImageType::Jpeg)
        } else {
            None
        }
    }
}

/// The photos of `wish`, in log order (empty if none).
pub fn of<'a>(state: &'a State, wish: &WishId) -> &'a [Photo] {
    state.photos.get(wish).map_or(&[], Vec::as_slice)
}

/// Which photos a timeline entry of `wish` shows beside it: the request
/// photos at its filing, the completion photos at the completion that
/// stands (`Wish::completion`); none elsewhere or on a void entry.
pub fn stage_of_entry(wish: &Wish, entry: &crate::model::TimelineEntry) -> Option<Stage> {
    use crate::lifecycle::Step;
    match entry.step {
        _ if entry.void.is_some() => None,
        Step::Create => Some(Stage::Request),
        Step::Complete if wish.completion.as_ref().is_some_and(|c| c.op == entry.op) => {
            Some(Stage::Completion)
        }
        _ => None,
    }
}

/// The photo (and its wish) whose full image or thumbnail has `sha256`:
/// what the endpoint looks up before it takes or hands out bytes.
pub fn find<'a>(state: &'a State, sha256: &str) -> Option<(&'a WishId, &'a Photo, Part)> {
    state.photos.iter().find_map(|(w, list)| {
        list.iter().find_map(|p| {
            if p.photo.sha256 == sha256 {
                Some((w, p, Part::Full))
            } else if p.photo.thumb == sha256 {
                Some((w, p, Part::Thumb))
            } else {
                None
            }
        })
    })
}

/// Who sees a photo — THE rule, for the endpoint's GET and for what a
/// device keeps. A request photo: whoever may see the wish's contact
/// details (`private::may_see`), and active volunteers, grid workers and
/// partner members too when the filer marked it fine to show to
/// volunteers. A completion photo: coordinators, the requester, the
/// holder and whoever completed the work. Once the wish is closed,
/// rejected, merged or cancelled: coordinators only.
pub fn may_see(state: &State, member: &MemberId, wish: &WishId, photo: &Photo) -> bool {
    let (Some(m), Some(w)) = (state.members.get(member), state.wishes.get(wish)) else {
        return false;
    };
    if !m.active {
        return false;
    }
    if w.status.is_terminal() {
        return m.role == Role::Coordinator;
    }
    match photo.stage {
        Stage::Request => {
            crate::private::may_see(state, member, wish)
                || (photo.photo.volunteers
                    && matches!(
                        m.role,
                        Role::Volunteer | Role::GridWorker | Role::Partner | Role::Coordinator
                    ))
        }
        Stage::Completion => {
            m.role == Role::Coordinator
                || w.requester.as_ref() == Some(member)
                || state.holds(member, w)
                || w.completion.as_ref().is_some_and(|c| &c.by == member)
        }
    }
}

/// Whether `member` may upload the bytes of `photo` on `wish`: who
/// attached it (a kiosk too: it never reads them back) or who may see it.
pub fn may_upload(state: &State, member: &MemberId, wish: &WishId, photo: &Photo) -> bool {
    let open = state
        .wishes
        .get(wish)
        .is_some_and(|w| !w.status.is_terminal());
    (open && &photo.by == member) || may_see(state, member, wish, photo)
}

/// The hashes (full and thumbnail) a device of `member` may hold: every
/// object of every photo `may_see` allows. A device drops the rest.
pub fn keep(state: &State, member: &MemberId) -> Vec<String> {
    let mut out = Vec::new();
    for (w, list) in &state.photos {
        for p in list {
            if may_see(state, member, w, p) {
                out.push(p.photo.sha256.clone());
                out.push(p.photo.thumb.clone());
            }
        }
    }
    out
}

/// The order a device frees photos in under storage pressure: thumbnails
/// of closed wishes first, then full images of closed wishes, then full
/// images of open wishes (oldest wish first); thumbnails of open wishes
/// are never evicted (they are what the pages show).
pub fn eviction_order(state: &State) -> Vec<String> {
    let closed = |w: &WishId| state.wishes.get(w).is_none_or(|w| w.status.is_terminal());
    let by_age = |a: &&WishId| state.wishes.get(*a).map_or(0, |w| w.created_at);
    let mut wishes: Vec<&WishId> = state.photos.keys().collect();
    crate::lean::sort_by_key(&mut wishes, by_age);
    let mut out = Vec::new();
    for w in wishes.iter().filter(|w| closed(w)) {
        out.extend(of(state, w).iter().map(|p| p.photo.thumb.clone()));
    }
    for w in wishes.iter().filter(|w| closed(w)) {
        out.extend(of(state, w).iter().map(|p| p.photo.sha256.clone()));
    }
    for w in wishes.iter().filter(|w| !closed(w)) {
        out.extend(of(state, w).iter().map(|p| p.photo.sha256.clone()));
    }
    out
}

/// The reducer's `AttachPhotos`: request photos by whoever may set the
/// wish's contact details (`private::may_write`), while it is open;
/// completion photos by whoever completed it, while it waits for its
/// evaluation. At most `MAX_PHOTOS` per stage; a hash already on the
/// wish is not added twice.
pub(crate) fn exec(state: &mut State, op: &Op, author: &MemberId) -> Result<(), VoidReason> {
    use VoidReason as V;
    let OpKind::AttachPhotos {
        wish,
        stage,
        photos,
    } = &op.kind
    else {
        return Err(V::Invalid);
    };
    let w: &Wish = state.wishes.get(wish).ok_or(V::UnknownWish)?;
    if w.status.is_terminal() {
        return Err(V::WishClosed);
    }
    match stage {
        Stage::Request => {
            if !crate::private::may_write(state, author, wish) {
                return Err(V::Forbidden);
            }
        }
        Stage::Completion => {
            if w.status != Status::Completed {
                return Err(V::WrongStatus);
            }
            if w.completion.as_ref().is_none_or(|c| &c.by != author) {
                return Err(V::NotHolder);
            }
        }
    }
    let list = state.photos.entry(wish.clone()).or_default();
    let new: Vec<&PhotoRef> = photos
        .iter()
        .filter(|p| !list.iter().any(|q| q.photo.sha256 == p.sha256))
        .collect();
    let count = list.iter().filter(|p| p.stage == *stage).count();
    if count + new.len() > MAX_PHOTOS {
        return Err(V::TooManyPhotos);
    }
    for p in new {
        list.push(Photo {
            stage: *stage,
            by: author.clone(),
            op: op.id.clone(),
            photo: PhotoRef {
                volunteers: p.volunteers && *stage == Stage::Request,
                ..p.clone()
            },
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_webp_and_jpeg_only() {
        assert_eq!(
            ImageType::sniff(b"RIFF\x10\0\0\0WEBPVP8 "),
            Some(ImageType::Webp)
        );
        assert_eq!(
            ImageType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(ImageType::Jpeg)
        );
        assert_eq!(ImageType::sniff(b"\x89PNG\r\n\x1a\n"), None);
        assert_eq!(ImageType::sniff(b"RIFF"), None);
        assert_eq!(ImageType::sniff(b""), None);
    }

    #[test]
    fn sha256_hex_of_known_input() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(is_sha256(&sha256_hex(b"")));
    }

    #[test]
    fn sha256_is_64_lowercase_hex() {
        assert!(is_sha256(&"a".repeat(64)));
        assert!(is_sha256(&"0123456789abcdef".repeat(4)));
        assert!(!is_sha256(&"A".repeat(64)));
        assert!(!is_sha256(&"a".repeat(63)));
        assert!(!is_sha256(&"g".repeat(64)));
    }
}
