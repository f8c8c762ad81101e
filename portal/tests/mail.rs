//! Signing-link e-mails, received by a local SMTP sink: the participants of step 1 get theirs
//! at creation, the next step's after step 1 signs, each once; server signers get none.

mod common;

use axum::http::StatusCode;
use common::*;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// A minimal SMTP server on 127.0.0.1 that keeps every message (RFC 5321 happy path).
async fn smtp_sink() -> (u16, Arc<Mutex<Vec<(String, String)>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = received.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                let _ = w.write_all(b"220 sink ESMTP\r\n").await;
                let (mut rcpt, mut data, mut in_data) = (String::new(), String::new(), false);
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            store
                                .lock()
                                .expect("lock")
                                .push((rcpt.clone(), data.clone()));
                            let _ = w.write_all(b"250 queued\r\n").await;
                        } else {
                            data.push_str(&line);
                            data.push('\n');
                        }
                        continue;
                    }
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250 sink\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        rcpt = line[8..].trim().to_string();
                        b"250 ok\r\n"
                    } else if upper.starts_with("DATA") {
                        in_data = true;
                        data.clear();
                        b"354 go\r\n"
                    } else if upper.starts_with("QUIT") {
                        let _ = w.write_all(b"221 bye\r\n").await;
                        break;
                    } else {
                        b"250 ok\r\n"
                    };
                    let _ = w.write_all(reply).await;
                }
            });
        }
    });
    (port, received)
}

/// The message bodies sent to `to`, quoted-printable soft breaks undone.
fn mails_to(received: &Mutex<Vec<(String, String)>>, to: &str) -> Vec<String> {
    received
        .lock()
        .expect("lock")
        .iter()
        .filter(|(r, _)| r.contains(to))
        .map(|(_, d)| d.replace("=\n", ""))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_links_are_mailed_when_steps_open() {
    let (port, received) = smtp_sink().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = config(dir.path(), true);
    config.smtp = Some(sigform_portal::mail::SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        from: "portal@example.com".into(),
    });
    let (router, portal, worker) = sigform_portal::start(config).await.expect("start");
    let app = App {
        router,
        portal,
        worker,
    };
    let upload = app.upload(sample_pdf()).await;
    let doc = app.create_three(&upload, "CAdES").await;
    let (joao, maria) = (key_of(&doc, "digital"), key_of(&doc, "electronic"));

    let to_joao = mails_to(&received, "joao.silva@example.com");
    assert_eq!(to_joao.len(), 1, "{to_joao:?}");
    assert!(
        to_joao[0].contains(&format!("http://portal.test/sign/{joao}")),
        "{}",
        to_joao[0]
    );
    assert!(
        mails_to(&received, "maria@example.com").is_empty(),
        "step 2 is not open yet"
    );

    let (s, v) = app.sign_digital(&joao).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let to_maria = mails_to(&received, "maria@example.com");
    assert_eq!(to_maria.len(), 1, "{to_maria:?}");
    assert!(to_maria[0].contains(&format!("http://portal.test/sign/{maria}")));
    let (s, v) = app
        .sign_electronic(&maria, doc["sha256"].as_str().expect("sha"))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    app.wait_signed(doc["id"].as_str().expect("id")).await;
    assert_eq!(
        mails_to(&received, "joao.silva@example.com").len(),
        1,
        "once each"
    );
    assert!(
        mails_to(&received, "contato@example.com").is_empty(),
        "no mail to the server"
    );
    app.stop().await;
}
