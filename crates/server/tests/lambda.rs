//! The serverless build in-process: API Gateway events (HTTP API v2 and
//! REST API v1 with a stage, as the Lambda runtime delivers them) through
//! lambda_http's adapter — what `lambda_http::run` does in `linli-lambda` —
//! into `serverless::app`, on every store (SeaweedFS under ./dev test). A
//! plain HTTP instance on the same store then sees the same log.
mod common;

use common::*;
use lambda_http::request::LambdaRequest;
use lambda_http::tower::ServiceExt;
use lambda_http::{Adapter, Context, LambdaEvent, Service};
use linli_core::protocol::JoinResponse;
use serde_json::{Value, json};

on_each_store!(api_gateway_events_reach_the_endpoint);

const HOST: &str = "abc123.execute-api.cn-north-1.amazonaws.com.cn";

/// An HTTP API (payload 2.0) or function URL event.
fn http_api(
    method: &str,
    path: &str,
    query: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Value {
    let mut headers = json!({"host": HOST, "user-agent": "linli-test"});
    if body.is_some() {
        headers["content-type"] = "application/json".into();
    }
    if let Some(t) = token {
        headers["authorization"] = format!("Bearer {t}").into();
    }
    json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": HOST,
            "domainPrefix": "abc123",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1",
                     "sourceIp": "203.0.113.7", "userAgent": "linli-test"},
            "requestId": "req-v2",
            "routeKey": "$default",
            "stage": "$default",
            "time": "02/Dec/2026:08:00:00 +0000",
            "timeEpoch": 1796198400000u64
        },
        "body": body.map(|b| b.to_string()),
        "isBase64Encoded": false
    })
}

/// A REST API (payload 1.0) proxy event on stage `prod`: lambda_http puts
/// the stage in front of the path, `serverless::app` takes it off.
fn rest_api(method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Value {
    let mut headers = json!({"Host": HOST, "User-Agent": "linli-test"});
    if body.is_some() {
        headers["Content-Type"] = "application/json".into();
    }
    if let Some(t) = token {
        headers["Authorization"] = format!("Bearer {t}").into();
    }
    let multi: serde_json::Map<String, Value> = headers
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), json!([v])))
        .collect();
    json!({
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": multi,
        "queryStringParameters": null,
        "multiValueQueryStringParameters": null,
        "pathParameters": {"proxy": path.trim_start_matches('/')},
        "stageVariables": null,
        "requestContext": {
            "accountId": "123456789012",
            "resourceId": "r1",
            "stage": "prod",
            "requestId": "req-v1",
            "identity": {"sourceIp": "203.0.113.7", "userAgent": "linli-test"},
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "apiId": "abc123",
            "path": format!("/prod{path}")
        },
        "body": body.map(|b| b.to_string()),
        "isBase64Encoded": false
    })
}

/// One event through the function: status, JSON body, headers (lowercase names).
async fn call<S>(function: &mut S, event: Value) -> (u64, Value, Value)
where
    S: Service<LambdaEvent<LambdaRequest>>,
    S::Response: serde::Serialize,
    S::Error: std::fmt::Debug,
{
    let req: LambdaRequest = serde_json::from_value(event).unwrap();
    let res = function
        .ready()
        .await
        .unwrap()
        .call(LambdaEvent::new(req, Context::default()))
        .await
        .unwrap();
    let v = serde_json::to_value(&res).unwrap();
    assert_eq!(v["isBase64Encoded"], false, "{v}");
    let body = v["body"].as_str().unwrap_or("null");
    let body = serde_json::from_str(body).unwrap_or_else(|_| Value::String(body.into()));
    // REST API responses carry their headers in multiValueHeaders.
    let mut headers = v["headers"].clone();
    if let Some(multi) = v["multiValueHeaders"].as_object() {
        for (k, vals) in multi {
            headers[k.to_lowercase()] = vals[0].clone();
        }
    }
    (v["statusCode"].as_u64().unwrap(), body, headers)
}

async fn api_gateway_events_reach_the_endpoint(s: TestStore) {
    let (c, code) = create_community(&s.store, "fn1").await;
    let dist = tempfile::tempdir().unwrap();
    let config = linli_server::Config {
        dist: dist.path().into(),
        store: Some(s.store.clone()),
        ..Default::default()
    };
    let app = linli_server::serverless::app::<lambda_http::Body>(&config)
        .await
        .unwrap();
    let mut function = Adapter::from(app);

    // Join (HTTP API), push (REST API on a stage), head and a segment.
    let join = json!({"code": code, "display_name": "主任的手机"});
    let (st, j, _) = call(
        &mut function,
        http_api("POST", "/api/v1/join", "", None, Some(join)),
    )
    .await;
    assert_eq!(st, 200, "{j}");
    let j: JoinResponse = serde_json::from_value(j).unwrap();
    let mut d = Device::joined("", j);
    let ops = vec![d.wish_op("楼道灯坏了"), d.wish_op("水管漏水")];
    let path = format!("/api/v1/communities/{c}/ops");
    let push = json!({ "ops": ops });
    let (st, j, _) = call(
        &mut function,
        rest_api("POST", &path, Some(&d.token), Some(push)),
    )
    .await;
    assert_eq!(st, 200, "{j}");
    assert_eq!(j["accepted_through"], 2, "{j}");
    let head_path = format!("/api/v1/communities/{c}/head");
    let (st, head, h) = call(
        &mut function,
        http_api("GET", &head_path, "since=0", Some(&d.token), None),
    )
    .await;
    assert_eq!(st, 200, "{head}");
    assert_eq!(head["seq"], 3, "create_community and two wishes: {head}");
    assert_eq!(h["cache-control"], "no-store");
    let name = head["segments"][1]["name"].as_str().unwrap();
    let seg_path = format!("/api/v1/communities/{c}/segments/{name}");
    let (st, seg, h) = call(
        &mut function,
        rest_api("GET", &seg_path, Some(&d.token), None),
    )
    .await;
    assert_eq!(st, 200, "{seg}");
    assert_eq!(seg["entries"].as_array().unwrap().len(), 2, "{seg}");
    assert_eq!(h["cache-control"], "private, max-age=31536000, immutable");
    // Errors are the API's JSON errors.
    let (st, j, _) = call(&mut function, http_api("GET", &head_path, "", None, None)).await;
    assert_eq!((st, error_code(&j)), (401, "unauthorized"), "{j}");

    // A plain instance on the same store sees what the function appended.
    let server = Server::start(s.handle()).await;
    d.base = server.url.clone();
    let log = d.pull_after(&http(), 0).await;
    check_log(&log);
    assert_eq!(log.len(), 3);
    assert_eq!(log[2].op, ops[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_function_refuses_a_store_without_create_only_writes() {
    use linli_server::faults::{Fault, Faulty};
    let config = linli_server::Config {
        store: Some(Faulty::wrap(mem_store(), Fault::IgnoresCreate)),
        ..Default::default()
    };
    let res = linli_server::serverless::app::<lambda_http::Body>(&config).await;
    let Err(err) = res else {
        panic!("the function started on a store without create-only writes");
    };
    assert!(err.to_string().contains("If-None-Match"), "{err}");
}
