//! The endpoint, as the sync engine sees it: typed calls that tell "offline"
//! (no answer, or an answer that is not ours, such as a captive portal's
//! HTML page) from errors the endpoint gave with a code.
use futures::future::LocalBoxFuture;
use gloo_net::http::{Request, Response};
use linli_core::protocol::{
    self, ErrorBody, Head, JoinRequest, JoinResponse, PrivateRecords, PushRequest, PushResponse,
    Segment,
};
use serde::de::DeserializeOwned;

#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// No usable answer: no network, server down, or not our server.
    Offline,
    /// The endpoint answered with an error code.
    Api {
        status: u16,
        detail: protocol::ErrorDetail,
    },
}

impl ApiError {
    pub fn code(&self) -> &str {
        match self {
            ApiError::Offline => "offline",
            ApiError::Api { detail, .. } => &detail.code,
        }
    }

    /// The reason in words: the first `<prefix>.<code>` key that exists, else
    /// "the server refused ({code})".
    pub fn reason(&self, prefixes: &[&str]) -> crate::status::Text {
        crate::status::Text::code(prefixes, self.code(), crate::i18n::k::SYNC_REASON_OTHER)
    }

    /// Worth retrying later without the user doing anything.
    pub fn is_transient(&self) -> bool {
        match self {
            ApiError::Offline => true,
            ApiError::Api { status, .. } => *status >= 500 || *status == 429 || *status == 408,
        }
    }
}

fn is_json(res: &Response) -> bool {
    res.headers()
        .get("content-type")
        .is_some_and(|t| t.starts_with("application/json"))
}

/// Sends `req` and reads the answer, typed as `T`.
async fn read<T: DeserializeOwned>(req: Result<Request, gloo_net::Error>) -> Result<T, ApiError> {
    let text = exchange(req).await?;
    serde_json::from_str(&text).map_err(|_| ApiError::Offline)
}

/// The JSON text of a good answer, or the endpoint's error. Boxed and not
/// generic: one copy of the fetch in the wasm instead of one per call.
fn exchange(
    req: Result<Request, gloo_net::Error>,
) -> LocalBoxFuture<'static, Result<String, ApiError>> {
    Box::pin(async move {
        let res = req
            .map_err(|_| ApiError::Offline)?
            .send()
            .await
            .map_err(|_| ApiError::Offline)?;
        if !is_json(&res) {
            return Err(ApiError::Offline);
        }
        let status = res.status();
        let text = res.text().await.map_err(|_| ApiError::Offline)?;
        if res.ok() {
            return Ok(text);
        }
        match serde_json::from_str::<ErrorBody>(&text) {
            Ok(body) => Err(ApiError::Api {
                status,
                detail: body.error,
            }),
            Err(_) => Err(ApiError::Offline),
        }
    })
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

pub async fn join(code: &str, display_name: &str) -> Result<JoinResponse, ApiError> {
    let body = JoinRequest {
        code: code.to_owned(),
        display_name: display_name.to_owned(),
    };
    let req = Request::post(&format!("{}/join", protocol::API_PREFIX)).json(&body);
    read(req).await
}

pub async fn demo() -> Result<protocol::Demo, ApiError> {
    read(Request::get(&format!("{}/demo", protocol::API_PREFIX)).build()).await
}

/// A street's name and linked communities (`GET /api/v1/streets/{S}`,
/// any active member of the street).
pub async fn street(street: &str, token: &str) -> Result<protocol::StreetInfo, ApiError> {
    let req = Request::get(&format!("{}/streets/{street}", protocol::API_PREFIX))
        .header("Authorization", &bearer(token))
        .build();
    read(req).await
}

/// `GET /streets/{S}/heads`: the linked communities' log seqs, as soon as
/// one is past `held` (or after `wait_ms`): a street device's live channel.
pub async fn street_heads(
    street: &str,
    token: &str,
    held: &[(linli_core::CommunityId, u64)],
    wait_ms: u32,
) -> Result<protocol::StreetHeads, ApiError> {
    let since = protocol::street_since(held);
    let req = Request::get(&format!(
        "{}/streets/{street}/heads?since={since}&wait={wait_ms}",
        protocol::API_PREFIX
    ))
    .header("Authorization", &bearer(token))
    .build();
    read(req).await
}

pub struct Client<'a> {
    pub community: &'a str,
    pub token: &'a str,
}

impl Client<'_> {
    fn url(&self, rest: &str) -> String {
        protocol::community_path(self.community, rest)
    }

    pub async fn push(&self, ops: &[linli_core::Op]) -> Result<PushResponse, ApiError> {
        let body = PushRequest { ops: ops.to_vec() };
        let req = Request::post(&self.url("ops"))
            .header("Authorization", &bearer(self.token))
            .json(&body);
        read(req).await
    }

    pub async fn head(&self, since: u64) -> Result<Head, ApiError> {
        let req = Request::get(&self.url(&format!("head?since={since}")))
            .header("Authorization", &bearer(self.token))
            .build();
        read(req).await
    }

    /// The live channel: a head that waits up to `wait_ms` for the log to
    /// pass `since` (the endpoint's long poll).
    pub async fn head_wait(&self, since: u64, wait_ms: u32) -> Result<Head, ApiError> {
        let req = Request::get(&self.url(&format!("head?since={since}&wait={wait_ms}")))
            .header("Authorization", &bearer(self.token))
            .build();
        read(req).await
    }

    pub async fn segment(&self, name: &str) -> Result<Segment, ApiError> {
        let req = Request::get(&self.url(&format!("segments/{name}")))
            .header("Authorization", &bearer(self.token))
            .build();
        read(req).await
    }

    pub async fn create_code(
        &self,
        req: &protocol::CreateCodeRequest,
    ) -> Result<protocol::CreateCodeResponse, ApiError> {
        let req = Request::post(&self.url("codes"))
            .header("Authorization", &bearer(self.token))
            .json(req);
        read(req).await
    }

    pub async fn codes(&self) -> Result<protocol::CodeList, ApiError> {
        read(
            Request::get(&self.url("codes"))
                .header("Authorization", &bearer(self.token))
                .build(),
        )
        .await
    }

    pub async fn revoke_code(&self, code_id: &str) -> Result<protocol::CodeInfo, ApiError> {
        let req = Request::delete(&self.url(&format!("codes/{code_id}")))
            .header("Authorization", &bearer(self.token))
            .build();
        read(req).await
    }

    /// The community's Open311 API keys (coordinators; docs/open311.md).
    pub async fn open311_keys(&self) -> Result<linli_core::open311::KeyList, ApiError> {
        read(
            Request::get(&self.url("open311/keys"))
                .header("Authorization", &bearer(self.token))
                .build(),
        )
        .await
    }

    /// A new Open311 API key, returned this once.
    pub async fn create_open311_key(
        &self,
        name: &str,
    ) -> Result<linli_core::open311::KeyCreated, ApiError> {
        let req = Request::post(&self.url("open311/keys"))
            .header("Authorization", &bearer(self.token))
            .json(&linli_core::open311::NewKey {
                name: name.to_owned(),
            });
        read(req).await
    }

    /// Revokes an Open311 API key.
    pub async fn revoke_open311_key(
        &self,
        key_id: &str,
    ) -> Result<linli_core::open311::KeyInfo, ApiError> {
        let req = Request::delete(&self.url(&format!("open311/keys/{key_id}")))
            .header("Authorization", &bearer(self.token))
            .build();
        read(req).await
    }

    pub async fn devices(&self) -> Result<protocol::DeviceList, ApiError> {
        read(
            Request::get(&self.url("devices"))
                .header("Authorization", &bearer(self.token))
                .build(),
        )
        .await
    }

    /// Names this device at the endpoint (its own entry in the device list).
    pub async fn name_device(
        &self,
        device: &str,
        name: &protocol::DeviceName,
    ) -> Result<protocol::DeviceName, ApiError> {
        let req = Request::put(&self.url(&format!("devices/{device}/name")))
            .header("Authorization", &bearer(self.token))
            .json(name);
        read(req).await
    }

    pub async fn revoke_device(&self, device: &str) -> Result<protocol::Revoked, ApiError> {
        let req = Request::delete(&self.url(&format!("devices/{device}")))
            .header("Authorization", &bearer(self.token))
            .build();
        read(req).await
    }

    /// A kiosk's state instead of the log (`GET …/kiosk`).
    pub async fn kiosk(&self) -> Result<protocol::KioskView, ApiError> {
        let req = Request::get(&self.url("kiosk"))
            .header("Authorization", &bearer(self.token))
            .build();
        read(req).await
    }

    /// A coordinator sets the PIN that leaves kiosk mode.
    pub async fn set_kiosk_pin(&self, pin: &str) -> Result<protocol::KioskPinSet, ApiError> {
        let req = Request::put(&self.url("kiosk/pin"))
            .header("Authorization", &bearer(self.token))
            .json(&protocol::KioskPin {
                pin: pin.to_owned(),
            });
        read(req).await
    }

    pub async fn private(&self) -> Result<PrivateRecords, ApiError> {
        let req = Request::get(&self.url("private"))
            .header("Authorization", &bearer(self.token))
            .build();
        read(req).await
    }

    /// The care records this member may see now.
    pub async fn care(&self) -> Result<protocol::CareRecords, ApiError> {
        let req = Request::get(&self.url("care"))
            .header("Authorization", &bearer(self.token))
            .build();
        read(req).await
    }

    /// Uploads one care record (a household's details or a visit's note).
    pub async fn put_care(
        &self,
        item: &linli_core::care::CareItem,
    ) -> Result<serde_json::Value, ApiError> {
        use linli_core::care::CareItem;
        let req = match item {
            CareItem::Household(r) => Request::put(&self.url(&format!(
                "care/households/{}",
                js_sys::encode_uri_component(r.household.as_str())
            ))),
            CareItem::Note(n) => Request::put(&self.url(&format!(
                "care/notes/{}",
                js_sys::encode_uri_component(n.visit.as_str())
            ))),
        }
        .header("Authorization", &bearer(self.token));
        let req = match item {
            CareItem::Household(r) => req.json(r),
            CareItem::Note(n) => req.json(n),
        };
        read(req).await
    }

    /// Uploads a photo's bytes under their hash (`PUT …/photos/{sha}`).
    pub async fn put_photo(&self, sha: &str, bytes: &[u8]) -> Result<serde_json::Value, ApiError> {
        let req = Request::put(&self.url(&format!("photos/{sha}")))
            .header("Authorization", &bearer(self.token))
            .header("Content-Type", "application/octet-stream")
            .body(js_sys::Uint8Array::from(bytes));
        read(req).await
    }

    /// A photo's bytes and type (`GET …/photos/{sha}`).
    pub async fn photo(&self, sha: &str) -> Result<(Vec<u8>, String), ApiError> {
        let req = Request::get(&self.url(&format!("photos/{sha}")))
            .header("Authorization", &bearer(self.token))
            .build();
        let res = req
            .map_err(|_| ApiError::Offline)?
            .send()
            .await
            .map_err(|_| ApiError::Offline)?;
        let mime = res.headers().get("content-type").unwrap_or_default();
        if res.ok() && mime.starts_with("image/") {
            let bytes = res.binary().await.map_err(|_| ApiError::Offline)?;
            return Ok((bytes, mime));
        }
        if !is_json(&res) {
            return Err(ApiError::Offline);
        }
        let status = res.status();
        let text = res.text().await.map_err(|_| ApiError::Offline)?;
        match serde_json::from_str::<ErrorBody>(&text) {
            Ok(body) => Err(ApiError::Api {
                status,
                detail: body.error,
            }),
            Err(_) => Err(ApiError::Offline),
        }
    }

    /// Uploads the contact record of a wish the endpoint already has.
    pub async fn put_private(
        &self,
        record: &linli_core::private::ContactRecord,
    ) -> Result<serde_json::Value, ApiError> {
        let path = format!(
            "private/{}",
            js_sys::encode_uri_component(record.wish.as_str())
        );
        let req = Request::put(&self.url(&path))
            .header("Authorization", &bearer(self.token))
            .json(record);
        read(req).await
    }

    /// The keys of the activities this member organises.
    pub async fn activity_keys(&self) -> Result<protocol::ActivityKeys, ApiError> {
        let req = Request::get(&self.url("private/activities"))
            .header("Authorization", &bearer(self.token))
            .build();
        read(req).await
    }

    /// Shares an activity's key with its other organisers.
    pub async fn put_activity_key(
        &self,
        key: &linli_core::checkin::ActivityKey,
    ) -> Result<serde_json::Value, ApiError> {
        let path = format!(
            "private/activities/{}",
            js_sys::encode_uri_component(key.activity.as_str())
        );
        let req = Request::put(&self.url(&path))
            .header("Authorization", &bearer(self.token))
            .json(key);
        read(req).await
    }

    /// The member passes this member may read (a kiosk: all).
    pub async fn passes(&self) -> Result<protocol::MemberPasses, ApiError> {
        let req = Request::get(&self.url("private/passes"))
            .header("Authorization", &bearer(self.token))
            .build();
        read(req).await
    }

    /// One member's pass (a kiosk: the member whose QR it just read).
    pub async fn pass(&self, member: &str) -> Result<linli_core::checkin::MemberPass, ApiError> {
        let path = format!("private/passes/{}", js_sys::encode_uri_component(member));
        let req = Request::get(&self.url(&path))
            .header("Authorization", &bearer(self.token))
            .build();
        read(req).await
    }

    /// Sets the member's own pass.
    pub async fn put_pass(
        &self,
        pass: &linli_core::checkin::MemberPass,
    ) -> Result<serde_json::Value, ApiError> {
        let path = format!(
            "private/passes/{}",
            js_sys::encode_uri_component(pass.member.as_str())
        );
        let req = Request::put(&self.url(&path))
            .header("Authorization", &bearer(self.token))
            .json(pass);
        read(req).await
    }
}
