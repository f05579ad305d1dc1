//! Browser tests of a street device's per-community databases
//! (wasm-bindgen-test, headless Chromium, real IndexedDB): one database per
//! linked community (`linli-c-{id}`), each with its own writer (the street
//! token's device, seqs from 1 in each log), outbox and log.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use linli::store::{Store, community_db_name, keys};
use linli_core::replica::Writer;
use linli_core::{CommunityId, LogEntry, Op, OpKind};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const START: u64 = 1_700_000_000_000;

fn mint(writer: &mut Writer, n: usize, tag: &str) -> Vec<Op> {
    (0..n)
        .map(|i| {
            let kind = OpKind::ExpireLease {
                wish: format!("{tag}-w{i}").into(),
            };
            writer
                .mint("street-m1".into(), kind, START + i as u64)
                .unwrap()
        })
        .collect()
}

async fn fresh(id: &CommunityId) -> Store {
    Store::delete(&community_db_name(id)).await.unwrap();
    Store::community(id).await.unwrap()
}

#[wasm_bindgen_test]
async fn two_communities_keep_their_own_writer_outbox_and_log() {
    let (a, b): (CommunityId, CommunityId) = ("test-street-a".into(), "test-street-b".into());
    assert_eq!(community_db_name(&a), "linli-c-test-street-a");
    let (store_a, store_b) = (fresh(&a).await, fresh(&b).await);
    // Opened once per page: the same connection again.
    assert_eq!(
        Store::community(&a).await.unwrap().store_names(),
        store_a.store_names()
    );

    // One device (the street token's), a writer per community: seqs from 1 in each.
    let mut wa = Writer::new("dev-street".into());
    let mut wb = Writer::new("dev-street".into());
    let ops_a = mint(&mut wa, 3, "a");
    let ops_b = mint(&mut wb, 2, "b");
    store_a
        .append_local_all(&ops_a, &wa, None, &[])
        .await
        .unwrap();
    store_b
        .append_local_all(&ops_b, &wb, None, &[])
        .await
        .unwrap();
    let seqs = |ops: &[Op]| ops.iter().map(|o| o.id.seq).collect::<Vec<_>>();
    assert_eq!(seqs(&ops_a), [1, 2, 3]);
    assert_eq!(seqs(&ops_b), [1, 2]);

    // A pulled entry of A (its own op 1 sequenced) leaves A's outbox only.
    let entry = LogEntry {
        seq: 1,
        op: ops_a[0].clone(),
    };
    let device = "dev-street".into();
    store_a
        .append_log(std::slice::from_ref(&entry), Some(&device))
        .await
        .unwrap();
    store_a.close();
    store_b.close();

    // After a reload each database has exactly its own.
    let la = Store::open(&community_db_name(&a))
        .await
        .unwrap()
        .load()
        .await
        .unwrap();
    let lb = Store::open(&community_db_name(&b))
        .await
        .unwrap()
        .load()
        .await
        .unwrap();
    assert_eq!(la.writer.as_ref().map(|w| w.next_seq), Some(4));
    assert_eq!(lb.writer.as_ref().map(|w| w.next_seq), Some(3));
    assert_eq!(seqs(&la.outbox), [2, 3]);
    assert_eq!(seqs(&lb.outbox), [1, 2]);
    assert_eq!(la.confirmed.seq, 1);
    assert_eq!(lb.confirmed.seq, 0);
    assert!(la.session.is_none() && lb.session.is_none());
}

#[wasm_bindgen_test]
async fn a_new_device_takes_over_a_community_outbox_with_seqs_from_one() {
    let c: CommunityId = "test-street-adopt".into();
    let store = fresh(&c).await;
    let mut old = Writer::new("dev-old".into());
    let ops = mint(&mut old, 2, "c");
    store.append_local_all(&ops, &old, None, &[]).await.unwrap();
    store.put_meta(keys::PUSHED_THROUGH, &1u64).await.unwrap();

    let mut new = Writer::new("dev-new".into());
    let again: Vec<Op> = ops
        .iter()
        .map(|op| {
            new.mint("street-m1".into(), op.kind.clone(), START)
                .unwrap()
        })
        .collect();
    store.adopt_writer(&new, &again).await.unwrap();
    let loaded = store.load().await.unwrap();
    let w = loaded.writer.unwrap();
    assert_eq!((w.device.as_str(), w.next_seq), ("dev-new", 3));
    let ids: Vec<_> = loaded
        .outbox
        .iter()
        .map(|o| (o.id.device.to_string(), o.id.seq))
        .collect();
    assert_eq!(ids, [("dev-new".into(), 1), ("dev-new".into(), 2)]);
    // The push cursor starts over for the new device.
    assert_eq!(
        store.get_meta::<u64>(keys::PUSHED_THROUGH).await.unwrap(),
        None
    );
}

/// `StreetState` over the real databases: the cached street info opens one
/// database per community; ops dispatched into each get seqs from 1 there,
/// under the street token's device, and survive a reload.
#[wasm_bindgen_test]
async fn street_state_loads_each_community_and_dispatches_into_its_own_outbox() {
    use linli::street::StreetState;
    use linli_core::protocol::{StreetCommunity, StreetInfo};
    let (a, b): (CommunityId, CommunityId) = ("test-state-a".into(), "test-state-b".into());
    fresh(&a).await.close();
    fresh(&b).await.close();
    let info = StreetInfo {
        street: "test-street".into(),
        name: "西关街道".into(),
        communities: vec![
            StreetCommunity {
                id: a.clone(),
                name: "长寿路社区".into(),
            },
            StreetCommunity {
                id: b.clone(),
                name: "柳荫街社区".into(),
            },
        ],
    };
    let main = Store::default_db().await.unwrap();
    main.put_meta(keys::STREET_INFO, &info).await.unwrap();
    let (device, member) = ("dev-street".into(), "street-m1".into());
    let street = StreetState::new();
    street.reload(&device, &member).await.unwrap();
    let ids: Vec<String> = street
        .linked
        .get_untracked()
        .iter()
        .map(|c| c.id.to_string())
        .collect();
    assert_eq!(ids, ["test-state-a", "test-state-b"]);

    let nudge = |w: &str| OpKind::ExpireLease { wish: w.into() };
    for w in ["a1", "a2"] {
        street.dispatch(&a, member.clone(), nudge(w)).await.unwrap();
    }
    street
        .dispatch(&b, member.clone(), nudge("b1"))
        .await
        .unwrap();
    let pending = |id: &CommunityId| {
        street
            .find(id)
            .unwrap()
            .at
            .replica
            .with_untracked(|r| r.pending().iter().map(|o| o.id.seq).collect::<Vec<_>>())
    };
    assert_eq!(pending(&a), [1, 2]);
    assert_eq!(pending(&b), [1]);

    // Read again from IndexedDB (another tab wrote, or a restart).
    let again = StreetState::new();
    again.reload(&device, &member).await.unwrap();
    let outbox = |id: &CommunityId| {
        again.find(id).unwrap().at.replica.with_untracked(|r| {
            r.pending()
                .iter()
                .map(|o| (o.id.device.to_string(), o.id.seq))
                .collect::<Vec<_>>()
        })
    };
    assert_eq!(
        outbox(&a),
        [("dev-street".into(), 1), ("dev-street".into(), 2)]
    );
    assert_eq!(outbox(&b), [("dev-street".into(), 1)]);
}

#[wasm_bindgen_test]
async fn the_inbox_last_shown_paints_before_the_communities_are_read() {
    use linli::street::StreetState;
    use linli_core::protocol::{StreetCommunity, StreetInfo};
    let a: CommunityId = "test-cache-a".into();
    let store = fresh(&a).await;
    // A community with escalated wishes in its log (pulled earlier).
    let log = linli_core::demo::small_community(3, START, "test-cache-a", "西门里社区", 24).log;
    store.append_log(&log, None).await.unwrap();
    store.close();
    let info = StreetInfo {
        street: "test-street".into(),
        name: "西关街道".into(),
        communities: vec![StreetCommunity {
            id: a.clone(),
            name: "西门里社区".into(),
        }],
    };
    let main = Store::default_db().await.unwrap();
    main.put_meta(keys::STREET_INFO, &info).await.unwrap();
    main.put_meta(
        keys::STREET_INBOX,
        &Vec::<linli_core::street::InboxRow>::new(),
    )
    .await
    .unwrap();
    let (device, member) = ("dev-street".into(), "street-m1".into());

    let street = StreetState::new();
    // Nothing read yet: the (empty) cache is the inbox.
    assert!(!street.ready.get_untracked());
    street.reload(&device, &member).await.unwrap();
    assert!(street.ready.get_untracked());
    let shown = untrack(|| street.inbox());
    assert!(!shown.is_empty(), "the demo community escalates wishes");
    assert!(shown.iter().all(|r| r.community == a));

    // The next start: the cache holds what was shown, before any database is read.
    let cached: Vec<linli_core::street::InboxRow> =
        main.get_meta(keys::STREET_INBOX).await.unwrap().unwrap();
    assert_eq!(cached, shown);
    let next = StreetState::new();
    assert_eq!(next.paint_cached().await.unwrap(), Some(info));
    assert_eq!(untrack(|| next.inbox()), shown);
    assert!(next.linked.get_untracked().is_empty());
    // Once read, the replicas answer (the same rows).
    next.reload(&device, &member).await.unwrap();
    assert_eq!(untrack(|| next.inbox()), shown);
    assert_eq!(next.linked.get_untracked().len(), 1);
}
