//! Browser tests of the IndexedDB store (wasm-bindgen-test, headless Chromium).
#![cfg(target_arch = "wasm32")]

use linli::store::{Store, StoreError};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn meta_round_trip_survives_reopening() {
    let name = "linli-test-round-trip";
    Store::delete(name).await.unwrap();
    let store = Store::open(name).await.unwrap();
    assert_eq!(store.get_meta::<String>("device_name").await.unwrap(), None);
    store
        .put_meta("device_name", &"三网格王阿姨的手机".to_string())
        .await
        .unwrap();
    store
        .put_meta("device_name", &"服务中心平板".to_string())
        .await
        .unwrap();
    store.close();

    // A second connection (as after a reload) reads what the first wrote.
    let reopened = Store::open(name).await.unwrap();
    assert_eq!(
        reopened
            .get_meta::<String>("device_name")
            .await
            .unwrap()
            .as_deref(),
        Some("服务中心平板")
    );
    reopened.close();
    Store::delete(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_value_of_another_shape_is_reported_not_misread() {
    let name = "linli-test-corrupt";
    Store::delete(name).await.unwrap();
    let store = Store::open(name).await.unwrap();
    store.put_meta("count", &42u32).await.unwrap();
    match store.get_meta::<String>("count").await {
        Err(StoreError::Corrupt(msg)) => assert!(msg.contains("count"), "{msg}"),
        other => panic!("expected Corrupt, got {other:?}"),
    }
    // The record is still there for a reader that understands it.
    assert_eq!(store.get_meta::<u32>("count").await.unwrap(), Some(42));
    store.close();
    Store::delete(name).await.unwrap();
}

mod log_and_outbox {
    use linli::store::{Backup, ImportError, SCHEMA_HISTORY, Store, keys};
    use linli_core::replica::Writer;
    use linli_core::{LogEntry, Op, OpKind, demo, fold};
    use wasm_bindgen_test::*;

    const START: u64 = 1_700_000_000_000;

    async fn fresh(name: &str) -> Store {
        Store::delete(name).await.unwrap();
        Store::open(name).await.unwrap()
    }

    /// Ops a device would mint: nudges of leases (valid, cheap to make).
    fn mint(writer: &mut Writer, n: usize) -> Vec<Op> {
        (0..n)
            .map(|i| {
                let kind = OpKind::ExpireLease {
                    wish: format!("w{i}").into(),
                };
                writer.mint("m1".into(), kind, START + i as u64).unwrap()
            })
            .collect()
    }

    #[wasm_bindgen_test]
    async fn outbox_and_writer_survive_reopening_and_a_seq_is_never_written_twice() {
        let name = "linli-test-outbox";
        let store = fresh(name).await;
        let mut writer = Writer::new("dev-a".into());
        let ops = mint(&mut writer.clone(), 3);
        for op in &ops {
            writer
                .mint("m1".into(), op.kind.clone(), op.hlc.ms)
                .unwrap();
            store.append_local(op, &writer).await.unwrap();
        }
        // A retried write of seq 2 with other content is refused whole:
        // neither the op nor the writer record changes.
        let mut forged = ops[1].clone();
        forged.kind = OpKind::ExpireLease {
            wish: "other".into(),
        };
        let stale_writer = Writer::new("dev-a".into());
        assert!(store.append_local(&forged, &stale_writer).await.is_err());
        store.close();

        let store = Store::open(name).await.unwrap();
        let loaded = store.load().await.unwrap();
        assert_eq!(loaded.outbox, ops);
        assert_eq!(loaded.writer, Some(writer));
        store.close();
        Store::delete(name).await.unwrap();
    }

    #[wasm_bindgen_test]
    async fn a_phone_is_kept_with_its_wish_until_the_endpoint_settles_it() {
        use linli_core::private::ContactRecord;
        let name = "linli-test-private-outbox";
        let store = fresh(name).await;
        let mut writer = Writer::new("dev-a".into());
        let op = mint(&mut writer, 1).remove(0);
        let phone = |p: &str| ContactRecord {
            wish: "w0".into(),
            phone: p.into(),
            address: String::new(),
            ..ContactRecord::default()
        };
        store
            .append_local_with(&op, &writer, Some(&phone("13800138000")))
            .await
            .unwrap();
        // A retry of the same seq is refused whole: the phone is not replaced.
        assert!(
            store
                .append_local_with(&op, &writer, Some(&phone("110")))
                .await
                .is_err()
        );
        store.close();
        let store = Store::open(name).await.unwrap();
        assert_eq!(store.load().await.unwrap().outbox, vec![op]);
        assert_eq!(
            store.pending_private().await.unwrap(),
            vec![phone("13800138000")]
        );
        // Pending beats pulled; a replace from the endpoint keeps it, and
        // says whether it changed anything (pages read them again if so).
        let pulled = [
            ContactRecord {
                wish: "w9".into(),
                ..phone("020-2")
            },
            phone("010-1"),
        ];
        assert!(store.replace_private(&pulled).await.unwrap());
        assert!(!store.replace_private(&pulled).await.unwrap());
        assert!(store.replace_private(&pulled[..1]).await.unwrap());
        assert!(store.replace_private(&pulled).await.unwrap());
        let mut shown = store.private_records().await.unwrap();
        shown.sort_by(|a, b| a.wish.cmp(&b.wish));
        assert_eq!(shown[0], phone("13800138000"));
        assert_eq!(shown.len(), 2);
        // Settling an older record leaves a newer one for the same wish.
        store.settle_private(&phone("999")).await.unwrap();
        assert_eq!(store.pending_private().await.unwrap().len(), 1);
        store.settle_private(&phone("13800138000")).await.unwrap();
        assert_eq!(store.pending_private().await.unwrap(), vec![]);
        store.close();
        Store::delete(name).await.unwrap();
    }

    #[wasm_bindgen_test]
    async fn snapshot_plus_tail_equals_full_replay() {
        let name = "linli-test-snapshot";
        let store = fresh(name).await;
        let log = demo::community_log(3, START);
        let (head, tail) = log.split_at(log.len() / 2);
        store.append_log(head, None).await.unwrap();
        store.write_snapshot(&fold(head)).await.unwrap();
        store.append_log(tail, None).await.unwrap();

        let loaded = store.load().await.unwrap();
        assert_eq!(loaded.replayed, tail.len(), "only the tail is replayed");
        assert_eq!(loaded.confirmed.hash(), fold(&log).hash());
        assert_eq!(loaded.confirmed.seq, log.last().unwrap().seq);
        // Without a snapshot the same log gives the same state.
        assert_eq!(store.log_after(0).await.unwrap(), log);
        store.close();
        Store::delete(name).await.unwrap();
    }

    /// A build of an older schema folded the newer ops it could not read
    /// as void; after an update its snapshot is not used: the log is
    /// replayed (a device without a log, a kiosk, keeps it).
    #[wasm_bindgen_test]
    async fn a_snapshot_of_another_schema_is_replayed_from_the_log() {
        let name = "linli-test-snapshot-schema";
        let store = fresh(name).await;
        let log = demo::community_log(3, START);
        let (head, tail) = log.split_at(log.len() / 2);
        store.append_log(head, None).await.unwrap();
        let older = linli_core::SCHEMA_VERSION - 1;
        store
            .write_snapshot_of_schema(&fold(head), older)
            .await
            .unwrap();
        store.append_log(tail, None).await.unwrap();
        let loaded = store.load().await.unwrap();
        assert_eq!(loaded.replayed, log.len(), "the whole log is replayed");
        assert_eq!(loaded.confirmed.hash(), fold(&log).hash());
        // This schema's snapshot is used again.
        store.write_snapshot(&fold(head)).await.unwrap();
        assert_eq!(store.load().await.unwrap().replayed, tail.len());
        store.close();
        Store::delete(name).await.unwrap();

        let store = fresh(name).await;
        store
            .write_snapshot_of_schema(&fold(&log), older)
            .await
            .unwrap();
        let loaded = store.load().await.unwrap();
        assert_eq!(loaded.replayed, 0);
        assert_eq!(
            loaded.confirmed.hash(),
            fold(&log).hash(),
            "no log: the snapshot is all there is"
        );
        store.close();
        Store::delete(name).await.unwrap();
    }

    #[wasm_bindgen_test]
    async fn pulled_entries_take_this_devices_ops_out_of_the_outbox() {
        let name = "linli-test-pull";
        let store = fresh(name).await;
        let mut writer = Writer::new("dev-a".into());
        let ops = mint(&mut writer, 3);
        for op in &ops {
            store.append_local(op, &writer).await.unwrap();
        }
        // The endpoint sequenced the first two (among another device's op).
        let other = Writer::new("dev-b".into())
            .mint("m2".into(), ops[0].kind.clone(), START)
            .unwrap();
        let entries: Vec<LogEntry> = [ops[0].clone(), other, ops[1].clone()]
            .into_iter()
            .enumerate()
            .map(|(i, op)| LogEntry {
                seq: i as u64 + 1,
                op,
            })
            .collect();
        store
            .append_log(&entries, Some(&"dev-a".into()))
            .await
            .unwrap();
        assert_eq!(store.outbox().await.unwrap(), vec![ops[2].clone()]);
        assert_eq!(store.log_after(1).await.unwrap(), entries[1..].to_vec());
        store.close();
        Store::delete(name).await.unwrap();
    }

    /// Writes `entries` the way schema 2–4 did: one JSON record per entry
    /// in `log`, key = seq (straight through idb: today's code writes chunks).
    async fn put_legacy_log(name: &str, version: u32, entries: &[LogEntry]) {
        use idb::{Factory, TransactionMode};
        use wasm_bindgen::JsValue;
        let db = Factory::new()
            .unwrap()
            .open(name, Some(version))
            .unwrap()
            .await
            .unwrap();
        let tx = db
            .transaction(&[linli::store::LOG], TransactionMode::ReadWrite)
            .unwrap();
        let log = tx.object_store(linli::store::LOG).unwrap();
        for e in entries {
            let text = serde_json::to_string(e).unwrap();
            log.put(
                &JsValue::from_str(&text),
                Some(&JsValue::from_f64(e.seq as f64)),
            )
            .unwrap()
            .await
            .unwrap();
        }
        tx.await.unwrap();
        db.close();
    }

    #[wasm_bindgen_test]
    async fn a_per_entry_log_of_schema_4_moves_into_chunks_on_upgrade() {
        let name = "linli-test-legacy-log";
        Store::delete(name).await.unwrap();
        Store::open_version(name, 4).await.unwrap().close();
        // The demo, then more than one chunk's worth (1000) of small ops,
        // so the move splits it.
        let mut log = demo::community_log(40, START);
        let mut writer = Writer::new("dev-z".into());
        let first = log.len() as u64 + 1;
        log.extend(
            mint(&mut writer, 1500)
                .into_iter()
                .enumerate()
                .map(|(i, op)| LogEntry {
                    seq: first + i as u64,
                    op,
                }),
        );
        put_legacy_log(name, 4, &log).await;

        let store = Store::open(name).await.unwrap();
        assert_eq!(store.log_after(0).await.unwrap(), log);
        assert_eq!(store.log_after(700).await.unwrap(), log[700..].to_vec());
        let loaded = store.load().await.unwrap();
        assert_eq!(loaded.confirmed.hash(), fold(&log).hash());
        store.close();
        // The old store is empty now: a second open moves nothing twice.
        let again = Store::open(name).await.unwrap();
        assert_eq!(again.log_after(0).await.unwrap(), log);
        again.close();
        Store::delete(name).await.unwrap();
    }

    #[wasm_bindgen_test]
    async fn overlapping_chunks_read_as_one_log_in_order() {
        let name = "linli-test-chunks";
        let store = fresh(name).await;
        let log = demo::community_log(2, START);
        let n = log.len();
        assert!(n > 20);
        // A re-pulled range overlapping the first, then an earlier gap.
        store.append_log(&log[..10], None).await.unwrap();
        store.append_log(&log[5..n - 3], None).await.unwrap();
        store.append_log(&log[n - 3..], None).await.unwrap();
        assert_eq!(store.log_after(0).await.unwrap(), log);
        assert_eq!(store.log_after(7).await.unwrap(), log[7..].to_vec());
        store.close();
        Store::delete(name).await.unwrap();
    }

    #[wasm_bindgen_test]
    async fn every_released_schema_upgrades_with_its_data() {
        for &(version, stores) in SCHEMA_HISTORY {
            let name = &format!("linli-test-migrate-{version}");
            Store::delete(name).await.unwrap();
            let old = Store::open_version(name, version).await.unwrap();
            assert_eq!(old.store_names().len(), stores.len());
            old.put_meta(keys::DEVICE_NAME, &"三网格王阿姨的手机".to_string())
                .await
                .unwrap();
            if stores.contains(&linli::store::OUTBOX) {
                let mut writer = Writer::new("dev-a".into());
                let op = mint(&mut writer, 1).remove(0);
                old.append_local(&op, &writer).await.unwrap();
            }
            old.close();

            let new = Store::open(name).await.unwrap();
            let mut names = new.store_names();
            names.sort();
            let mut want: Vec<String> = SCHEMA_HISTORY
                .last()
                .unwrap()
                .1
                .iter()
                .map(|s| s.to_string())
                .collect();
            want.sort();
            assert_eq!(names, want, "upgrade from v{version} creates every store");
            assert_eq!(
                new.get_meta::<String>(keys::DEVICE_NAME)
                    .await
                    .unwrap()
                    .as_deref(),
                Some("三网格王阿姨的手机"),
                "data of v{version} survives"
            );
            let loaded = new.load().await.unwrap();
            assert_eq!(
                loaded.outbox.len(),
                usize::from(stores.contains(&linli::store::OUTBOX))
            );
            new.close();
            Store::delete(name).await.unwrap();
        }
    }

    #[wasm_bindgen_test]
    async fn backup_moves_a_device_and_imports_are_deduplicated() {
        let (a, b) = ("linli-test-backup-a", "linli-test-backup-b");
        let old_phone = fresh(a).await;
        let log = demo::community_log(5, START);
        old_phone.append_log(&log, None).await.unwrap();
        let mut writer = Writer::new("dev-a".into());
        let pending = mint(&mut writer, 2);
        for op in &pending {
            old_phone.append_local(op, &writer).await.unwrap();
        }
        let backup = old_phone.export().await.unwrap();
        let text = serde_json::to_string(&backup).unwrap();

        let new_phone = fresh(b).await;
        // A new phone has minted its own writer at first start, but has not joined.
        new_phone
            .put_meta(keys::WRITER, &Writer::new("dev-new".into()))
            .await
            .unwrap();
        let parsed = Backup::parse(&text).unwrap();
        let report = new_phone.import(&parsed).await.unwrap();
        assert!(report.adopted_identity);
        assert_eq!(
            (
                report.log_added,
                report.outbox_added,
                report.foreign_pending
            ),
            (log.len(), 2, 0)
        );
        let loaded = new_phone.load().await.unwrap();
        assert_eq!(loaded.writer, Some(writer));
        assert_eq!(loaded.outbox, pending);
        assert_eq!(loaded.confirmed.hash(), fold(&log).hash());

        // The same file again adds nothing.
        let again = new_phone.import(&parsed).await.unwrap();
        assert_eq!((again.log_added, again.outbox_added), (0, 0));

        // A log that disagrees is refused whole.
        let mut other = parsed.clone();
        other.log[0].op.id.device = "someone-else".into();
        other.log.push(LogEntry {
            seq: 999_999,
            op: other.log[1].op.clone(),
        });
        assert!(matches!(
            new_phone.import(&other).await,
            Err(ImportError::Conflict(1))
        ));
        assert!(
            new_phone.log_after(999_998).await.unwrap().is_empty(),
            "nothing of a refused import stays"
        );

        assert!(matches!(
            Backup::parse("{\"format\":\"x\"}"),
            Err(ImportError::NotABackup)
        ));
        assert!(matches!(
            Backup::parse("not json"),
            Err(ImportError::NotABackup)
        ));
        let newer = text.replacen("\"version\":1", "\"version\":99", 1);
        assert!(matches!(
            Backup::parse(&newer),
            Err(ImportError::TooNew(99))
        ));
        old_phone.close();
        new_phone.close();
        Store::delete(a).await.unwrap();
        Store::delete(b).await.unwrap();
    }
}

/// The wishes page kept for the next start is painted only for the member
/// who is joined on this device, and a join elsewhere forgets it.
#[wasm_bindgen_test]
async fn the_wishes_page_kept_is_painted_only_for_the_joined_member() {
    use linli::store::{Session, keys};
    use linli_core::model::Role;
    use linli_core::replica::Writer;
    use linli_core::views;
    let name = "linli-test-first-page";
    Store::delete(name).await.unwrap();
    let store = Store::open(name).await.unwrap();
    let state = linli_core::demo::demo_builder(1, 1_700_000_000_000).state;
    let page = views::first_page(&state, &"c1".into(), Role::Coordinator, views::PAGE);
    assert!(!page.wishes.is_empty());
    store.keep_first_page(&page).await.unwrap();
    assert_eq!(store.first_page().await.unwrap(), None, "no session yet");
    let session = |member: &str, street: bool| Session {
        community: "demo".into(),
        member: member.into(),
        token: "t".into(),
        street,
    };
    store
        .put_meta(keys::SESSION, &session("c1", false))
        .await
        .unwrap();
    assert_eq!(store.first_page().await.unwrap(), Some(page.clone()));
    store
        .put_meta(keys::SESSION, &session("v1", false))
        .await
        .unwrap();
    assert_eq!(store.first_page().await.unwrap(), None, "another member");
    store
        .put_meta(keys::SESSION, &session("c1", true))
        .await
        .unwrap();
    assert_eq!(store.first_page().await.unwrap(), None, "a street device");
    // Joining another community (a fresh log) forgets the page.
    store
        .set_identity(
            &Writer::new("dev-b".into()),
            &session("c1", false),
            &[],
            true,
        )
        .await
        .unwrap();
    assert_eq!(store.first_page().await.unwrap(), None, "joined elsewhere");
    store.close();
}
