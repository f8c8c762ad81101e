//! The server signer with its key in SoftHSM2 (feature `pkcs11`): the seed's flow completes with
//! the server's signature made by the token. Without SoftHSM2 the test is skipped with a notice
//! (a failure under SIGFORM_INTEROP=1).
#![cfg(feature = "pkcs11")]

mod common;

use common::*;
use std::path::Path;
use std::process::Command;

const MODULES: [&str; 2] = [
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
];

fn softhsm(dir: &Path) -> Option<String> {
    let module = MODULES.iter().find(|m| Path::new(m).exists());
    let util = Command::new("softhsm2-util")
        .arg("--version")
        .output()
        .is_ok();
    let (Some(module), true) = (module, util) else {
        assert!(
            std::env::var("SIGFORM_INTEROP").as_deref() != Ok("1"),
            "SIGFORM_INTEROP=1 but SoftHSM2 is missing"
        );
        eprintln!("NOTICE: skipping the portal PKCS#11 test: SoftHSM2 is not installed");
        return None;
    };
    let tokens = dir.join("tokens");
    std::fs::create_dir_all(&tokens).expect("tokens");
    let conf = dir.join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            tokens.display()
        ),
    )
    .expect("conf");
    // SAFETY: set before any thread of this test binary reads the environment (one test here).
    unsafe {
        std::env::set_var("SOFTHSM2_CONF", &conf);
        std::env::set_var("PORTAL_TEST_PIN", "246810");
    }
    let run = |args: &[&str]| {
        let out = Command::new("softhsm2-util")
            .args(args)
            .output()
            .expect("softhsm2-util");
        assert!(out.status.success(), "softhsm2-util {args:?}: {out:?}");
    };
    run(&[
        "--init-token",
        "--free",
        "--label",
        "portal",
        "--pin",
        "246810",
        "--so-pin",
        "13579111",
    ]);
    let key = vector("pki/icp-pj.key.pem");
    run(&[
        "--import",
        key.to_str().expect("path"),
        "--token",
        "portal",
        "--label",
        "server",
        "--id",
        "01",
        "--pin",
        "246810",
    ]);
    Some(module.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_signer_on_softhsm() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(module) = softhsm(dir.path()) else {
        return;
    };
    let data = dir.path().join("data");
    let mut config = config(&data, true);
    let pem = [
        std::fs::read(vector("pki/icp-pj.pem")).expect("cert"),
        std::fs::read(vector("pki/intermediate-ca.pem")).expect("chain"),
    ]
    .concat();
    config
        .add_pkcs11(
            "hsm",
            &module,
            "portal",
            "server",
            "PORTAL_TEST_PIN",
            Some(&pem),
        )
        .expect("pkcs11 signer");
    std::fs::create_dir_all(&data).expect("data");
    let (router, portal, worker) = sigform_portal::start(config).await.expect("start");
    let app = App {
        router,
        portal,
        worker,
    };
    let upload = app.upload(sample_pdf()).await;
    let mut body = three_steps(&upload, "CAdES");
    body["serverSigners"][0]["certificateId"] = "hsm".into();
    let (s, doc) = app.api("POST", "/api/documents", Some(body)).await;
    assert_eq!(s, axum::http::StatusCode::CREATED, "{doc}");
    let id = doc["id"].as_str().expect("id").to_string();
    let (s, v) = app.sign_digital(&key_of(&doc, "digital")).await;
    assert_eq!(s, axum::http::StatusCode::OK, "{v}");
    let (s, v) = app
        .sign_electronic(
            &key_of(&doc, "electronic"),
            doc["sha256"].as_str().expect("sha"),
        )
        .await;
    assert_eq!(s, axum::http::StatusCode::OK, "{v}");
    let done = app.wait_signed(&id).await;
    assert_eq!(done["verdict"], "FULLY SIGNED (3 of 3)", "{done}");
    app.stop().await;
}
