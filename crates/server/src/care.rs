//! `…/care`: the care list's private records — household records (name,
//! address, phone, notes) and visit notes. Never in the log; served and
//! accepted only as `linli_core::care::may_see` / `may_edit` / `may_visit`
//! allow, judged on the log as this instance has it now (docs/care.md).
use axum::body::Body;
use axum::response::Response;
use linli_core::care::{HouseholdRecord, VisitNote, may_edit, may_see, may_visit};
use linli_core::ids::{HouseholdId, VisitId};
use linli_core::model::Role;
use linli_core::protocol::{CareRecords, codes};

use crate::api::ApiError;
use crate::hub::{Auth, Now};
use crate::store;
use crate::v1::{Hubs, P, json_body, no_store};

/// `GET …/care`: every household record and visit note the caller may see.
pub(crate) async fn list(hub: Hubs, Auth(caller): Now) -> Result<Response, ApiError> {
    let hub = hub.0;
    let listed = store::list(&hub.store, &store::care_dir(&caller.community)).await?;
    // (household, path, is a note) from the object names alone.
    let found: Vec<(HouseholdId, object_store::path::Path, bool)> = listed
        .into_iter()
        .filter_map(|m| {
            let parts: Vec<_> = m.location.parts().collect();
            let n = parts.len();
            let (kind, household) = match n {
                _ if n >= 3 && parts[n - 3].as_ref() == "notes" => ("note", parts[n - 2].as_ref()),
                _ if n >= 2 && parts[n - 2].as_ref() == "households" => {
                    ("household", parts[n - 1].as_ref().strip_suffix(".json")?)
                }
                _ => return None,
            };
            let household = HouseholdId(store::percent_decode(household)?);
            Some((household, m.location, kind == "note"))
        })
        .collect();
    let visible: Vec<(object_store::path::Path, bool)> = caller
        .log
        .with_state(|s| {
            found
                .into_iter()
                .filter(|(h, _, _)| may_see(s, &caller.member, h))
                .map(|(_, p, note)| (p, note))
                .collect()
        })
        .await?;
    let mut out = CareRecords::default();
    for (p, note) in visible {
        if note {
            out.notes
                .extend(store::get_json::<VisitNote>(&hub.store, &p).await?);
        } else {
            out.households
                .extend(store::get_json::<HouseholdRecord>(&hub.store, &p).await?);
        }
    }
    out.households.sort_by(|a, b| a.household.cmp(&b.household));
    out.notes
        .sort_by(|a, b| (&a.household, &a.visit).cmp(&(&b.household, &b.visit)));
    Ok(no_store(&out))
}

fn invalid(e: linli_core::care::RecordError) -> ApiError {
    ApiError::new(codes::INVALID, e.to_string()).with_reason(e.code())
}

fn unknown() -> ApiError {
    ApiError::new(
        codes::UNKNOWN_HOUSEHOLD,
        "the household or visit is not in the log yet; push its ops first",
    )
}

/// `PUT …/care/households/{household}`: set a household's private record
/// (coordinators and the grid's grid workers: `care::may_edit`).
pub(crate) async fn put_household(
    hub: Hubs,
    Auth(caller): Now,
    P((_, household)): P<(String, String)>,
    body: Body,
) -> Result<Response, ApiError> {
    let hub = hub.0;
    let rec: HouseholdRecord = json_body(body).await?;
    if rec.household.as_str() != household {
        return Err(ApiError::new(
            codes::BAD_REQUEST,
            "the record's household is not the household in the path",
        ));
    }
    rec.validate().map_err(invalid)?;
    let verdict = caller
        .log
        .with_state(|s| {
            s.households
                .contains_key(&rec.household)
                .then(|| may_edit(s, &caller.member, &rec.household))
        })
        .await?;
    match verdict {
        None => Err(unknown()),
        Some(false) => Err(ApiError::new(
            codes::FORBIDDEN,
            "only a coordinator or a grid worker of the household's grid may set its details",
        )),
        Some(true) => {
            let key = store::care_record(&caller.community, rec.household.as_str());
            store::overwrite_json(&hub.store, &key, &rec).await?;
            Ok(no_store(&rec))
        }
    }
}

/// `PUT …/care/notes/{visit}`: the note of a visit, by whoever recorded the
/// visit or a coordinator, while they may visit the household.
pub(crate) async fn put_note(
    hub: Hubs,
    Auth(caller): Now,
    P((_, visit)): P<(String, String)>,
    body: Body,
) -> Result<Response, ApiError> {
    let hub = hub.0;
    let note: VisitNote = json_body(body).await?;
    if note.visit.as_str() != visit {
        return Err(ApiError::new(
            codes::BAD_REQUEST,
            "the note's visit is not the visit in the path",
        ));
    }
    note.validate().map_err(invalid)?;
    let visit = VisitId(visit);
    let verdict = caller
        .log
        .with_state(|s| {
            let h = s.visits.get(&visit).filter(|h| **h == note.household)?;
            let by = s
                .households
                .get(h)?
                .visits
                .iter()
                .find(|v| v.id == visit)
                .map(|v| v.by.clone())?;
            let coordinator = s
                .members
                .get(&caller.member)
                .is_some_and(|m| m.role == Role::Coordinator);
            Some(
                may_visit(s, &caller.member, &note.household)
                    && (by == caller.member || coordinator),
            )
        })
        .await?;
    match verdict {
        None => Err(unknown()),
        Some(false) => Err(ApiError::new(
            codes::FORBIDDEN,
            "only the member who recorded the visit, or a coordinator, may write its note",
        )),
        Some(true) => {
            let key = store::care_note(
                &caller.community,
                note.household.as_str(),
                note.visit.as_str(),
            );
            store::overwrite_json(&hub.store, &key, &note).await?;
            Ok(no_store(&note))
        }
    }
}
