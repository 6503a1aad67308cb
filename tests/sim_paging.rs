//! Paging over real HTTP: `index`/`size` with the `{data, metadata}` envelope,
//! the page cap, the defaults, `sort` (one and two keys), the 400s for bad
//! paging parameters, the `type` and `organization_id` filters, listings that
//! stay consistent while keys come and go, and a 5,000-key world.

mod common;

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashSet};

use common::{Sim, key_set, small_config, text};
use r7keys::simulator::SimConfig;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const KEYS: &str = "/account/api/1/api-keys";
const ORGS: &str = "/account/api/1/organizations";
const MANAGED: &str = "/account/api/1/managed-organizations";

fn id(item: &Value) -> String {
    item["id"].as_str().expect("an id").to_string()
}

fn ids(items: &[Value]) -> Vec<String> {
    items.iter().map(id).collect()
}

/// ASCII-case-insensitive comparison, as the platform sorts names.
fn caseless(a: &str, b: &str) -> Ordering {
    a.to_ascii_lowercase().cmp(&b.to_ascii_lowercase())
}

/// The small world with more keys, so the platform admin sees a few pages of them.
async fn roomy() -> Sim {
    Sim::start(SimConfig {
        keys: 400,
        ..small_config()
    })
    .await
}

fn metadata_u64(body: &Value, field: &str) -> usize {
    body["metadata"][field]
        .as_u64()
        .unwrap_or_else(|| panic!("metadata.{field} in {body}")) as usize
}

/// Walks every page of `path` at `size`, checking the envelope and the
/// metadata of each page; answers the items and the page-0 `total_data`.
async fn walk(sim: &Sim, who: &str, path: &str, size: usize) -> (Vec<Value>, usize) {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut items = Vec::new();
    let mut index = 0;
    let mut total = None;
    loop {
        let (status, body) = sim
            .get_json(who, &format!("{path}{sep}index={index}&size={size}"))
            .await;
        assert_eq!(status, StatusCode::OK, "{path} page {index}: {body}");
        assert_eq!(key_set(&body), ["data", "metadata"], "the envelope: {body}");
        let total_data = metadata_u64(&body, "total_data");
        let total_pages = metadata_u64(&body, "total_pages");
        assert_eq!(metadata_u64(&body, "index"), index);
        assert_eq!(metadata_u64(&body, "size"), size);
        assert_eq!(total_pages, total_data.div_ceil(size), "{body}");
        assert_eq!(
            *total.get_or_insert(total_data),
            total_data,
            "stable totals"
        );
        let data = body["data"].as_array().expect("data");
        let expected = size.min(total_data - index * size);
        assert_eq!(data.len(), expected, "{path} page {index} length");
        items.extend(data.iter().cloned());
        index += 1;
        if index >= total_pages {
            return (items, total_data);
        }
    }
}

fn assert_distinct(items: &[Value], total: usize, what: &str) {
    let unique: HashSet<String> = ids(items).into_iter().collect();
    assert_eq!(items.len(), total, "{what}: as many items as total_data");
    assert_eq!(unique.len(), total, "{what}: no id twice");
}

#[tokio::test]
async fn index_and_size_page_the_enveloped_lists() {
    let sim = roomy().await;
    let (status, body) = sim
        .get_json("platform-admin", &format!("{KEYS}?index=0&size=10"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(key_set(&body), ["data", "metadata"]);
    assert_eq!(
        key_set(&body["metadata"]),
        ["index", "size", "total_data", "total_pages"],
        "no sort echo without sort"
    );
    let total = metadata_u64(&body, "total_data");
    assert!(
        total > 100,
        "the platform admin sees a few pages of keys: {total}"
    );
    assert_eq!(metadata_u64(&body, "total_pages"), total.div_ceil(10));
    let keys = body["data"].as_array().unwrap();
    assert_eq!(keys.len(), 10);
    assert_eq!(
        key_set(&keys[0]),
        [
            "generated_on",
            "id",
            "name",
            "organization_id",
            "organization_name",
            "type",
            "user_email",
            "user_id"
        ],
        "a listed key carries no secret"
    );

    let (items, walked_total) = walk(&sim, "platform-admin", KEYS, 10).await;
    assert_eq!(walked_total, total);
    assert_distinct(&items, total, "api-keys at size 10");
    let by_hundred: BTreeSet<String> = ids(&sim.all_pages("platform-admin", KEYS).await)
        .into_iter()
        .collect();
    let by_ten: BTreeSet<String> = ids(&items).into_iter().collect();
    assert_eq!(
        by_ten, by_hundred,
        "the page size does not change what is listed"
    );

    let (orgs, total) = walk(&sim, "platform-admin", ORGS, 2).await;
    assert_eq!(total, 3, "the primary account's three organizations");
    assert_distinct(&orgs, 3, "organizations");
    assert_eq!(key_set(&orgs[0]), ["id", "name", "region"]);

    let (tenants, total) = walk(&sim, "mt-admin", MANAGED, 3).await;
    assert_eq!(total, 8, "small_config seeds 8 tenants");
    assert_distinct(&tenants, 8, "managed-organizations");
    let (as_admin, _) = walk(&sim, "platform-admin", MANAGED, 5).await;
    assert_eq!(ids(&as_admin), ids(&tenants), "same tenants, same order");
}

#[tokio::test]
async fn size_is_capped_at_the_page_cap() {
    let sim = roomy().await;
    let (status, body) = sim
        .get_json("platform-admin", &format!("{KEYS}?size=1000"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let total = metadata_u64(&body, "total_data");
    assert!(total > 100);
    assert_eq!(body["data"].as_array().unwrap().len(), 100);
    assert_eq!(
        metadata_u64(&body, "size"),
        100,
        "metadata tells the capped size"
    );
    assert_eq!(metadata_u64(&body, "total_pages"), total.div_ceil(100));

    let sim = Sim::start(SimConfig {
        page_cap: 7,
        ..small_config()
    })
    .await;
    let (_, body) = sim
        .get_json("platform-admin", &format!("{KEYS}?size=1000"))
        .await;
    let total = metadata_u64(&body, "total_data");
    assert_eq!(body["data"].as_array().unwrap().len(), 7);
    assert_eq!(metadata_u64(&body, "size"), 7);
    assert_eq!(metadata_u64(&body, "total_pages"), total.div_ceil(7));
    let (_, body) = sim
        .get_json("platform-admin", &format!("{KEYS}?size=5"))
        .await;
    assert_eq!(
        body["data"].as_array().unwrap().len(),
        5,
        "below the cap, as asked"
    );
    assert_eq!(metadata_u64(&body, "size"), 5);
    let (_, body) = sim.get_json("platform-admin", KEYS).await;
    assert_eq!(
        body["data"].as_array().unwrap().len(),
        7,
        "the default 20 is capped too"
    );
    assert_eq!(metadata_u64(&body, "size"), 7);

    let (_, body) = sim
        .get_json("mt-admin", &format!("{MANAGED}?size=1000"))
        .await;
    assert_eq!(body["data"].as_array().unwrap().len(), 7);
    assert_eq!(metadata_u64(&body, "size"), 7);
    assert_eq!(metadata_u64(&body, "total_data"), 8);
    assert_eq!(metadata_u64(&body, "total_pages"), 2);
    let (_, body) = sim
        .get_json("mt-admin", &format!("{MANAGED}?size=1000&index=1"))
        .await;
    assert_eq!(body["data"].as_array().unwrap().len(), 1, "the 8th tenant");
}

#[tokio::test]
async fn defaults_and_pages_past_the_end() {
    let sim = Sim::small().await;
    let (status, body) = sim.get_json("platform-admin", KEYS).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"].as_array().unwrap().len(), 20);
    assert_eq!(metadata_u64(&body, "size"), 20);
    assert_eq!(metadata_u64(&body, "index"), 0);
    let total = metadata_u64(&body, "total_data");
    let pages = metadata_u64(&body, "total_pages");
    assert_eq!(pages, total.div_ceil(20));

    let (status, body) = sim
        .get_json("platform-admin", &format!("{KEYS}?index=999"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"], json!([]));
    assert_eq!(metadata_u64(&body, "index"), 999);
    assert_eq!(metadata_u64(&body, "size"), 20);
    assert_eq!(metadata_u64(&body, "total_data"), total);
    assert_eq!(metadata_u64(&body, "total_pages"), pages);

    let (_, body) = sim
        .get_json("platform-admin", &format!("{KEYS}?index={pages}&size=20"))
        .await;
    assert_eq!(
        body["data"],
        json!([]),
        "the page just past the last is empty"
    );

    let (status, body) = sim
        .get_json("mt-admin", &format!("{MANAGED}?index=3&size=4"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"], json!([]));
    assert_eq!(
        body["metadata"],
        json!({"index": 3, "size": 4, "total_data": 8, "total_pages": 2})
    );
}

/// Asserts that `items` are in the order `cmp` describes (each pair in order).
fn assert_ordered(items: &[Value], what: &str, cmp: impl Fn(&Value, &Value) -> Ordering) {
    for pair in items.windows(2) {
        assert_ne!(
            cmp(&pair[0], &pair[1]),
            Ordering::Greater,
            "{what}: {} before {}",
            pair[0],
            pair[1]
        );
    }
}

#[tokio::test]
async fn sort_orders_every_page_and_is_echoed() {
    let sim = roomy().await;
    let by_name = sim
        .all_pages("platform-admin", &format!("{KEYS}?sort=name,ASC"))
        .await;
    assert!(by_name.len() > 100, "the check spans several pages");
    assert_ordered(&by_name, "name,ASC", |a, b| {
        caseless(text(a, "name"), text(b, "name"))
    });
    let by_date = sim
        .all_pages("platform-admin", &format!("{KEYS}?sort=generated_on,DESC"))
        .await;
    assert_ordered(&by_date, "generated_on,DESC", |a, b| {
        text(b, "generated_on").cmp(text(a, "generated_on"))
    });
    let oldest_first = sim
        .all_pages("platform-admin", &format!("{KEYS}?sort=generated_on,ASC"))
        .await;
    assert_ordered(&oldest_first, "generated_on,ASC", |a, b| {
        text(a, "generated_on").cmp(text(b, "generated_on"))
    });
    assert_ne!(ids(&by_name), ids(&by_date), "name order is not date order");

    let two_keys = sim
        .all_pages("platform-admin", &format!("{KEYS}?sort=type,ASC,name,DESC"))
        .await;
    assert_ordered(&two_keys, "type,ASC,name,DESC", |a, b| {
        text(a, "type")
            .cmp(text(b, "type"))
            .then_with(|| caseless(text(b, "name"), text(a, "name")))
    });
    let types: BTreeSet<&str> = two_keys.iter().map(|k| text(k, "type")).collect();
    assert_eq!(
        types.into_iter().collect::<Vec<_>>(),
        [
            "MULTI_TENANT_ADMIN",
            "MULTI_TENANT_USER",
            "ORGANIZATION",
            "USER"
        ],
        "every type is listed, so the second key matters within each"
    );
    let sorted: BTreeSet<String> = ids(&two_keys).into_iter().collect();
    let unsorted: BTreeSet<String> = ids(&by_name).into_iter().collect();
    assert_eq!(sorted, unsorted, "sorting does not change what is listed");

    for (sort, echo) in [
        ("name,ASC", "name,ASC"),
        ("generated_on,DESC", "generated_on,DESC"),
        ("type,ASC,name,DESC", "type,ASC,name,DESC"),
        ("type,asc,name,desc", "type,ASC,name,DESC"),
    ] {
        let (status, body) = sim
            .get_json("platform-admin", &format!("{KEYS}?sort={sort}"))
            .await;
        assert_eq!(status, StatusCode::OK, "{sort}");
        assert_eq!(body["metadata"]["sort"], echo, "{sort}");
    }

    let tenants = sim
        .all_pages("mt-admin", &format!("{MANAGED}?sort=name,DESC"))
        .await;
    assert_eq!(tenants.len(), 8);
    assert_ordered(&tenants, "tenants name,DESC", |a, b| {
        caseless(text(b, "name"), text(a, "name"))
    });
    let (_, body) = sim
        .get_json("mt-admin", &format!("{MANAGED}?sort=region,ASC"))
        .await;
    assert_eq!(body["metadata"]["sort"], "region,ASC");
    assert_ordered(
        body["data"].as_array().unwrap(),
        "tenants region,ASC",
        |a, b| text(a, "region").cmp(text(b, "region")),
    );
}

#[tokio::test]
async fn bad_paging_parameters_are_400_with_a_message() {
    let sim = Sim::small().await;
    let cases = [
        (KEYS, "sort=colour,ASC", "colour"),
        (KEYS, "sort=name,UP", "UP"),
        (KEYS, "size=0", "size"),
        (KEYS, "index=-1", "index"),
        (KEYS, "size=ten", "size"),
        (ORGS, "sort=generated_on,ASC", "generated_on"),
        (ORGS, "size=0", "size"),
        (MANAGED, "index=-1", "index"),
    ];
    for (path, query, named) in cases {
        let who = if path == MANAGED {
            "mt-admin"
        } else {
            "platform-admin"
        };
        let (status, body) = sim.get_json(who, &format!("{path}?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}?{query}: {body}");
        assert_eq!(body["status"], 400, "{body}");
        let message = body["message"]
            .as_str()
            .unwrap_or_else(|| panic!("a message: {body}"));
        assert!(
            message.contains(named),
            "{query}: the message names {named:?}: {message}"
        );
    }
}

#[tokio::test]
async fn type_and_organization_filters_restrict_the_list() {
    let sim = Sim::small().await;
    let all = sim.all_pages("platform-admin", KEYS).await;
    let expect = |keep: &dyn Fn(&Value) -> bool| -> BTreeSet<String> {
        all.iter().filter(|k| keep(k)).map(id).collect()
    };

    let org_keys = sim
        .all_pages("platform-admin", &format!("{KEYS}?type=ORGANIZATION"))
        .await;
    assert!(!org_keys.is_empty() && org_keys.len() < all.len());
    assert!(org_keys.iter().all(|k| k["type"] == "ORGANIZATION"));
    let got: BTreeSet<String> = ids(&org_keys).into_iter().collect();
    assert_eq!(got, expect(&|k| k["type"] == "ORGANIZATION"));

    let abroad = sim.principal("org-admin").organization_id.clone();
    let home = sim.principal("platform-admin").organization_id.clone();
    assert_ne!(abroad, home);
    let abroad_keys = sim
        .all_pages(
            "platform-admin",
            &format!("{KEYS}?organization_id={abroad}"),
        )
        .await;
    assert!(!abroad_keys.is_empty() && abroad_keys.len() < all.len());
    let got: BTreeSet<String> = ids(&abroad_keys).into_iter().collect();
    assert_eq!(got, expect(&|k| k["organization_id"] == abroad.as_str()));

    let both = sim
        .all_pages(
            "platform-admin",
            &format!("{KEYS}?type=USER&organization_id={home}"),
        )
        .await;
    assert!(!both.is_empty());
    let got: BTreeSet<String> = ids(&both).into_iter().collect();
    assert_eq!(
        got,
        expect(&|k| k["type"] == "USER" && k["organization_id"] == home.as_str())
    );

    let (status, body) = sim
        .get_json("platform-admin", &format!("{KEYS}?type=NOPE"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

/// Fetches one page of the name-sorted listing at size 10.
async fn name_page(sim: &Sim, index: usize) -> Value {
    let (status, body) = sim
        .get_json(
            "platform-admin",
            &format!("{KEYS}?sort=name,ASC&index={index}&size=10"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// The ids on pages `from..to` of the name-sorted listing at size 10; each
/// page must report `total_data` (the snapshot's size) and `total_pages` = `to`.
async fn name_walk(sim: &Sim, from: usize, to: usize, total_data: usize) -> Vec<String> {
    let mut seen = Vec::new();
    for index in from..to {
        let page = name_page(sim, index).await;
        assert_eq!(
            metadata_u64(&page, "total_data"),
            total_data,
            "page {index}"
        );
        assert_eq!(metadata_u64(&page, "total_pages"), to, "page {index}");
        seen.extend(ids(page["data"].as_array().expect("data")));
    }
    seen
}

#[tokio::test]
async fn pages_stay_consistent_while_keys_come_and_go() {
    let sim = roomy().await;
    // What exists before the walk (a different page size is a different listing).
    let before = sim
        .all_pages("platform-admin", &format!("{KEYS}?sort=name,ASC"))
        .await;
    let existing: BTreeSet<String> = ids(&before).into_iter().collect();

    let first = name_page(&sim, 0).await;
    let total_pages = metadata_u64(&first, "total_pages");
    assert_eq!(metadata_u64(&first, "total_data"), existing.len());
    assert!(total_pages > 10);
    let page_zero = ids(first["data"].as_array().unwrap());
    assert_eq!(
        page_zero,
        ids(&before[..10]),
        "page 0 is the head of the same order"
    );

    let mut new_ids = BTreeSet::new();
    for n in 1..=5 {
        let (status, created) = sim
            .generate(
                "platform-admin",
                json!({"name": format!("aaa-consistency-{n}"), "type": "USER"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        new_ids.insert(id(&created));
    }
    let mut revoked = BTreeSet::new();
    for key in [&before[12], &before[47], &before[before.len() - 2]] {
        assert!(
            !text(key, "name").starts_with("r7keys "),
            "not a principal: {key}"
        );
        assert!(!page_zero.contains(&id(key)), "on a later page");
        assert_eq!(
            sim.revoke("platform-admin", &id(key)).await,
            StatusCode::NO_CONTENT
        );
        revoked.insert(id(key));
    }
    assert_eq!(revoked.len(), 3);

    // Later pages come from the page-0 snapshot: its totals, its order.
    let mut seen = page_zero.clone();
    seen.extend(name_walk(&sim, 1, total_pages, existing.len()).await);
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(
        unique.len(),
        seen.len(),
        "no key appears twice across the walk"
    );
    assert!(
        seen.iter().all(|k| !new_ids.contains(k)),
        "keys added mid-walk wait for the next listing"
    );
    assert!(
        seen.iter().all(|k| !revoked.contains(k)),
        "revoked keys are left out"
    );
    let expected: BTreeSet<String> = existing.difference(&revoked).cloned().collect();
    let got: BTreeSet<String> = seen.iter().cloned().collect();
    assert_eq!(got, expected, "every other key appears exactly once");
    assert_eq!(seen.len(), existing.len() - 3);

    // A new walk from page 0 takes a new snapshot: the new keys come first.
    let fresh = name_page(&sim, 0).await;
    let fresh_total = existing.len() + 5 - 3;
    assert_eq!(metadata_u64(&fresh, "total_data"), fresh_total);
    let head: Vec<&str> = fresh["data"].as_array().unwrap()[..5]
        .iter()
        .map(|k| text(k, "name"))
        .collect();
    assert_eq!(
        head,
        [
            "aaa-consistency-1",
            "aaa-consistency-2",
            "aaa-consistency-3",
            "aaa-consistency-4",
            "aaa-consistency-5"
        ]
    );
    let mut again = ids(fresh["data"].as_array().unwrap());
    again.extend(name_walk(&sim, 1, fresh_total.div_ceil(10), fresh_total).await);
    let again_set: BTreeSet<String> = again.iter().cloned().collect();
    assert_eq!(again_set.len(), again.len());
    let expected: BTreeSet<String> = expected.union(&new_ids).cloned().collect();
    assert_eq!(again_set, expected);
}

#[tokio::test]
async fn a_five_thousand_key_world_walks_in_total_pages_requests() {
    let sim = Sim::start(SimConfig {
        keys: 5000,
        ..small_config()
    })
    .await;
    let cleared = sim
        .http
        .delete(sim.control("/requests"))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), StatusCode::NO_CONTENT);

    let mut items = Vec::new();
    let mut index = 0;
    let total_pages = loop {
        let (status, body) = sim
            .get_json("platform-admin", &format!("{KEYS}?index={index}&size=100"))
            .await;
        assert_eq!(status, StatusCode::OK);
        items.extend(body["data"].as_array().unwrap().iter().cloned());
        index += 1;
        let pages = metadata_u64(&body, "total_pages");
        if index >= pages {
            assert_eq!(metadata_u64(&body, "total_data"), items.len());
            break pages;
        }
    };
    let log = sim.request_log().await;
    assert_eq!(log.len(), total_pages, "one request per page");
    assert!(
        log.iter()
            .all(|e| e["status"] == 200 && e["method"] == "GET")
    );
    assert_eq!(items.len().div_ceil(100), total_pages);
    let admin_view = items.len();
    assert!(
        admin_view > 2500,
        "the partner's own share of 5,000 keys: {admin_view}"
    );
    assert_distinct(&items, admin_view, "5,000-key world");

    // The rest of the 5,000 live in the tenants; each is seen by the multi-tenant admin there.
    let mt = sim.principal("mt-admin").api_key.clone();
    let tenants = sim.all_pages("mt-admin", MANAGED).await;
    let mut tenant_view = 0;
    for tenant in &tenants {
        let response = sim
            .request(
                Method::GET,
                &mt,
                text(tenant, "region"),
                &format!("{KEYS}?size=1"),
                tenant["id"].as_str(),
            )
            .send()
            .await
            .unwrap();
        let (status, body) = common::status_json(response).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        tenant_view += metadata_u64(&body, "total_data");
    }
    assert_eq!(
        admin_view + tenant_view,
        5000 + 6,
        "every seeded key and the six principals' own"
    );
}
