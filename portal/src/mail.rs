//! E-mail: each participant whose step opens (digital and electronic signers with an address)
//! is sent their signing link once, through the configured SMTP relay; disabled when no relay
//! is configured. A failed send is logged and retried at the next change of the document.

use crate::Portal;
use crate::db;
use lettre::message::Mailbox;
use lettre::{Message, SmtpTransport, Transport};

/// The SMTP relay.
#[derive(Clone, Debug)]
pub struct SmtpConfig {
    /// Host.
    pub host: String,
    /// Port.
    pub port: u16,
    /// The From address.
    pub from: String,
}

fn message(
    smtp: &SmtpConfig,
    to_name: &str,
    to: &str,
    document: &str,
    link: &str,
) -> Result<Message, String> {
    let from: Mailbox = smtp
        .from
        .parse()
        .map_err(|e| format!("From {}: {e}", smtp.from))?;
    let to = Mailbox::new(
        Some(to_name.to_string()),
        to.parse().map_err(|e| format!("To {to}: {e}"))?,
    );
    Message::builder()
        .from(from)
        .to(to)
        .subject(format!("Document to sign: {document}"))
        .body(format!(
            "Hello {to_name},\r\n\r\nYou are asked to sign {document}.\r\nOpen your signing link:\r\n\r\n{link}\r\n\r\nThis link is yours alone: do not forward it.\r\n"
        ))
        .map_err(|e| e.to_string())
}

/// Sends the link to every participant of the open step not yet notified.
pub async fn notify_open_step(portal: &Portal, document_id: &str) {
    let Some(smtp) = portal.config.smtp.clone() else {
        return;
    };
    if let Err(e) = notify(portal, &smtp, document_id).await {
        eprintln!("sigform-portal: e-mail for document {document_id}: {e}");
    }
}

async fn notify(portal: &Portal, smtp: &SmtpConfig, document_id: &str) -> Result<(), String> {
    let doc = db::document(&portal.db, document_id)
        .await
        .map_err(|e| e.message)?;
    let parts = db::participants(&portal.db, document_id)
        .await
        .map_err(|e| e.message)?;
    let Some(open) = db::open_step(&parts) else {
        return Ok(());
    };
    let due: Vec<_> = parts
        .iter()
        .filter(|p| p.step == open && !p.signed() && p.kind != "server")
        .filter(|p| p.notified_at.is_none())
        .filter_map(|p| p.email.clone().map(|e| (p.key.clone(), p.name.clone(), e)))
        .collect();
    for (key, name, email) in due {
        let link = format!("{}/sign/{key}", portal.config.public_url);
        let msg = message(smtp, &name, &email, &doc.name, &link)?;
        let (host, port) = (smtp.host.clone(), smtp.port);
        tokio::task::spawn_blocking(move || {
            SmtpTransport::builder_dangerous(host)
                .port(port)
                .timeout(Some(std::time::Duration::from_secs(20)))
                .build()
                .send(&msg)
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| e.to_string())??;
        sqlx::query(
            "UPDATE participants SET notified_at = $1 WHERE key = $2 AND notified_at IS NULL",
        )
        .bind(sigform::time::format_rfc3339(std::time::SystemTime::now()))
        .bind(&key)
        .execute(&portal.db)
        .await
        .map_err(|e| e.to_string())?;
    }
    Ok(())
}
