//! Headless Chromium through chromedriver's W3C WebDriver HTTP API, over the tests' tiny HTTP
//! client: open a page, find an element, click it, read its text, draw with the mouse. Debian's
//! `chromium` and `chromium-driver` (`scripts/install-deps.sh`); [`Browser::start`] answers
//! `None` with a printed NOTICE when they are missing, and panics under `SIGFORM_INTEROP=1`.

#![allow(dead_code)]

use super::http;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The W3C key of an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A browser session.
pub struct Browser {
    driver: Child,
    port: u16,
    session: String,
    _profile: tempfile::TempDir,
}

fn which(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|n| {
        std::env::split_paths(&path)
            .map(|d| d.join(n))
            .find(|p| p.is_file())
    })
}

impl Browser {
    /// chromedriver on a free port and a headless Chromium session.
    pub fn start() -> Option<Self> {
        let (Some(driver), Some(chromium)) = (
            which(&["chromedriver"]),
            which(&["chromium", "chromium-browser"]),
        ) else {
            let interop = std::env::var("SIGFORM_INTEROP").is_ok_and(|v| v == "1");
            assert!(
                !interop,
                "SIGFORM_INTEROP=1 but chromium / chromedriver are not installed \
                 (scripts/install-deps.sh)"
            );
            eprintln!("NOTICE: chromium or chromedriver not installed: skipped");
            return None;
        };
        let port = http::free_port();
        let driver = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn chromedriver");
        let profile = tempfile::tempdir().expect("profile dir");
        let mut b = Self {
            driver,
            port,
            session: String::new(),
            _profile: profile,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while http::request(port, "GET", "/status", None, b"").0 != 200 {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "timeouts": { "pageLoad": 60000, "script": 30000 },
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--no-first-run",
                         format!("--user-data-dir={}", b._profile.path().display())]
            }
        }}});
        let v = b.call("POST", "/session", Some(caps));
        b.session = v["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {v}"))
            .to_string();
        Some(b)
    }

    /// One WebDriver command; answers its `value` (panics on a WebDriver error).
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (s, v) = http::json(self.port, method, path, None, body.as_ref());
        assert_eq!(s, 200, "WebDriver {method} {path}: {v}");
        v["value"].clone()
    }

    fn session_call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.call(method, &format!("/session/{}{path}", self.session), body)
    }

    /// Opens a URL.
    pub fn goto(&self, url: &str) {
        self.session_call("POST", "/url", Some(json!({ "url": url })));
    }

    /// Runs `script` in the page (a promise it returns is awaited) and answers its value.
    pub fn execute(&self, script: &str) -> Value {
        self.session_call(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
    }

    /// Waits until the page has drawn two frames: Chromium may drop pointer input that comes
    /// before the page's first frames (seen: a stroke right after loading left no trace).
    pub fn wait_for_frames(&self) {
        self.execute(
            "return new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))",
        );
    }

    /// The element matching a CSS selector.
    pub fn find(&self, css: &str) -> String {
        let v = self.session_call(
            "POST",
            "/element",
            Some(json!({ "using": "css selector", "value": css })),
        );
        v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {v}"))
            .to_string()
    }

    /// Clicks an element.
    pub fn click(&self, element: &str) {
        self.session_call(
            "POST",
            &format!("/element/{element}/click"),
            Some(json!({})),
        );
    }

    /// An element's visible text.
    pub fn text(&self, element: &str) -> String {
        self.session_call("GET", &format!("/element/{element}/text"), None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Waits (up to `secs`) until the element's text is no longer `busy` (nor empty); answers it.
    pub fn wait_text(&self, css: &str, busy: &str, secs: u64) -> String {
        let element = self.find(css);
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let t = self.text(&element);
            if (!t.is_empty() && t != busy) || Instant::now() > deadline {
                return t;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Draws a stroke with the mouse through `points` (offsets from the element's centre).
    pub fn draw(&self, element: &str, points: &[(i64, i64)]) {
        let origin = json!({ ELEMENT: element });
        let mut actions = Vec::new();
        for (i, (x, y)) in points.iter().enumerate() {
            actions.push(
                json!({ "type": "pointerMove", "origin": origin, "x": x, "y": y,
                                 "duration": if i == 0 { 0 } else { 50 } }),
            );
            if i == 0 {
                actions.push(json!({ "type": "pointerDown", "button": 0 }));
            }
        }
        actions.push(json!({ "type": "pointerUp", "button": 0 }));
        self.session_call(
            "POST",
            "/actions",
            Some(json!({ "actions": [{ "type": "pointer", "id": "mouse",
                "parameters": { "pointerType": "mouse" }, "actions": actions }] })),
        );
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = http::request(
                self.port,
                "DELETE",
                &format!("/session/{}", self.session),
                None,
                b"",
            );
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
