//! The signing pages in headless Chromium (chromedriver, W3C WebDriver): João's digital
//! signature through the page's two-step (prepare, WebCrypto signs with the test key in the
//! page, finish) and Maria's electronic signature drawn on the canvas with the mouse; the server
//! signs step 3. Afterwards the API reports both signed, and `sigform package verify` says
//! FULLY SIGNED for the downloaded package. Skips with a NOTICE without chromium and
//! chromedriver, fails under SIGFORM_INTEROP=1.

mod common;
mod support;

use common::{key_of, sample_pdf, three_steps, vector};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};
use support::http::free_port;
use support::process::{PortalProcess, TOKEN};
use support::webdriver::Browser;

/// The `sigform` CLI next to the portal binary (built when missing).
fn sigform_cli() -> PathBuf {
    let portal = PathBuf::from(env!("CARGO_BIN_EXE_sigform-portal"));
    let cli = portal.with_file_name("sigform");
    if !cli.exists() {
        let ok = Command::new(env!("CARGO"))
            .args(["build", "-q", "-p", "sigform", "--bin", "sigform"])
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok && cli.exists(), "building the sigform CLI");
    }
    cli
}

fn sign_on_page(browser: &Browser, link: &str, draw: bool) {
    let t = Instant::now();
    browser.goto(link);
    eprintln!("page loaded in {:?}", t.elapsed());
    let button = browser.find("#sign");
    // The page refuses an electronic signature with no stroke drawn ("draw your signature
    // first"); a stroke the browser dropped is drawn again, as a user would (at most 3 times).
    for attempt in 1..=3 {
        if draw {
            browser.wait_for_frames();
            let pad = browser.find("#pad");
            browser.draw(
                &pad,
                &[(-120, 10), (-60, -25), (0, 20), (60, -20), (120, 15)],
            );
        }
        browser.click(&button);
        let result = browser.wait_text("#result", "signing", 30);
        if draw && result == "draw your signature first" && attempt < 3 {
            eprintln!("the stroke was not registered (attempt {attempt}): drawing again");
            continue;
        }
        assert_eq!(result, "signed", "{link}");
        return;
    }
}

#[test]
fn digital_and_electronic_signatures_in_headless_chromium() {
    let t = Instant::now();
    let Some(browser) = Browser::start() else {
        return;
    };
    eprintln!("browser started in {:?}", t.elapsed());
    let dir = tempfile::tempdir().expect("tempdir");
    let portal = PortalProcess::start(&dir.path().join("data"), free_port(), &[]);
    let (s, out) = portal.request("POST", "/api/uploads", Some(TOKEN), Some(&sample_pdf()));
    assert_eq!(s, 201, "{}", String::from_utf8_lossy(&out));
    let upload: Value = serde_json::from_slice(&out).expect("json");
    let upload = upload["uploadId"].as_str().expect("uploadId");
    let (s, doc) = portal.json(
        "POST",
        "/api/documents",
        true,
        Some(three_steps(upload, "CAdES")),
    );
    assert_eq!(s, 201, "{doc}");
    let id = doc["id"].as_str().expect("id");
    let link = |kind: &str| {
        format!(
            "http://127.0.0.1:{}/sign/{}",
            portal.port,
            key_of(&doc, kind)
        )
    };

    sign_on_page(&browser, &link("digital"), false);
    sign_on_page(&browser, &link("electronic"), true);
    drop(browser);

    let deadline = Instant::now() + Duration::from_secs(60);
    let done = loop {
        let (_, v) = portal.json("GET", &format!("/api/documents/{id}"), true, None);
        if v["status"] == "signed" || Instant::now() > deadline {
            break v;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(done["verdict"], "FULLY SIGNED (3 of 3)", "{done}");
    for kind in ["digital", "electronic"] {
        let p = done["participants"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["kind"] == kind))
            .expect("participant");
        assert_eq!(p["status"], "signed", "{p}");
    }
    let (s, zip) = portal.request("GET", &format!("/api/packages/{id}"), Some(TOKEN), None);
    assert_eq!(s, 200);
    let file = dir.path().join("package.zip");
    std::fs::write(&file, zip).expect("write package");
    let out = Command::new(sigform_cli())
        .args(["package", "verify"])
        .arg(&file)
        .arg("--trust")
        .arg(vector("pki/root-ca.pem"))
        .output()
        .expect("run sigform");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("FULLY SIGNED"),
        "sigform package verify: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    portal.kill();
}
