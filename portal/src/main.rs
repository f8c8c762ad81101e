//! `sigform-portal [--listen 127.0.0.1:8080] [--data DIR] [--database-url URL]
//! [--public-url URL] [--smtp HOST:PORT] [--mail-from ADDRESS] [--lease-seconds N] [--tsa URL] [--server-p12 ID=FILE:PASSWORD]...`
//!
//! With no arguments: SQLite under `./portal-data`, the demo PKI, a generated API token
//! (`SIGFORM_PORTAL_TOKEN` sets it); prints the URL and the token.

use sigform_portal::Config;
use std::net::SocketAddr;
use std::path::PathBuf;

struct Args {
    listen: String,
    data: PathBuf,
    database_url: Option<String>,
    public_url: Option<String>,
    p12: Vec<String>,
    pkcs11: Vec<String>,
    smtp: Option<String>,
    mail_from: String,
    lease_seconds: Option<i64>,
    tsa: Option<String>,
}

const USAGE: &str = "usage: sigform-portal [--listen ADDR:PORT] [--data DIR] [--database-url URL] \
[--public-url URL] [--smtp HOST:PORT] [--mail-from ADDRESS] [--lease-seconds N] [--tsa URL] [--server-p12 ID=FILE:PASSWORD]... \
[--server-pkcs11 ID=MODULE:TOKEN:KEY[:CERT.pem]]... (feature pkcs11; PIN in SIGFORM_PORTAL_PKCS11_PIN)";

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        listen: "127.0.0.1:8080".into(),
        data: PathBuf::from("portal-data"),
        database_url: std::env::var("DATABASE_URL").ok(),
        public_url: None,
        p12: Vec::new(),
        pkcs11: Vec::new(),
        smtp: None,
        mail_from: "sigform-portal@localhost".into(),
        lease_seconds: None,
        tsa: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| format!("{a} needs a value\n{USAGE}"))
        };
        match a.as_str() {
            "--listen" => args.listen = value()?,
            "--data" => args.data = PathBuf::from(value()?),
            "--database-url" => args.database_url = Some(value()?),
            "--public-url" => args.public_url = Some(value()?),
            "--server-p12" => args.p12.push(value()?),
            "--server-pkcs11" => args.pkcs11.push(value()?),
            "--smtp" => args.smtp = Some(value()?),
            "--mail-from" => args.mail_from = value()?,
            "--tsa" => args.tsa = Some(value()?),
            "--lease-seconds" => {
                let v = value()?;
                args.lease_seconds =
                    Some(v.parse().map_err(|e| format!("--lease-seconds {v}: {e}"))?);
            }
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(args)
}

async fn run() -> Result<(), String> {
    let args = parse_args()?;
    let addr: SocketAddr = args
        .listen
        .parse()
        .map_err(|e| format!("--listen {}: {e}", args.listen))?;
    std::fs::create_dir_all(&args.data).map_err(|e| format!("{}: {e}", args.data.display()))?;
    let database_url = args
        .database_url
        .unwrap_or_else(|| format!("sqlite://{}", args.data.join("portal.sqlite3").display()));
    let token = match std::env::var("SIGFORM_PORTAL_TOKEN") {
        Ok(t) if !t.is_empty() => t,
        _ => sigform_portal::config::random_hex(24).map_err(|e| e.to_string())?,
    };
    let mut config =
        Config::demo(args.data.clone(), database_url, token).map_err(|e| e.to_string())?;
    for spec in &args.p12 {
        let (id, rest) = spec
            .split_once('=')
            .ok_or_else(|| format!("--server-p12 {spec}: ID=FILE:PASSWORD"))?;
        let (file, password) = rest.rsplit_once(':').unwrap_or((rest, ""));
        config
            .add_pkcs12(id, file, password)
            .map_err(|e| e.to_string())?;
    }
    add_pkcs11(&mut config, &args.pkcs11)?;
    if let Some(url) = &args.tsa {
        config.set_tsa_url(url).map_err(|e| e.to_string())?;
    }
    if let Some(l) = args.lease_seconds {
        config.lease_seconds = l;
    }
    if let Some(smtp) = &args.smtp {
        let (host, port) = smtp
            .rsplit_once(':')
            .and_then(|(h, p)| Some((h.to_string(), p.parse().ok()?)))
            .ok_or_else(|| format!("--smtp {smtp}: HOST:PORT"))?;
        config.smtp = Some(sigform_portal::mail::SmtpConfig {
            host,
            port,
            from: args.mail_from.clone(),
        });
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("listening on {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    config.public_url = args.public_url.unwrap_or_else(|| format!("http://{local}"));
    let token = config.token.clone();
    let url = config.public_url.clone();
    let (router, _portal, _worker) = sigform_portal::start(config)
        .await
        .map_err(|e| e.to_string())?;
    println!("sigform-portal listening on {url}");
    println!("API token: {token}");
    println!("demo PKI: trust anchor at {url}/api/trust; server certificate id: demo-server");
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .map_err(|e| e.to_string())
}

#[cfg(feature = "pkcs11")]
fn add_pkcs11(config: &mut Config, specs: &[String]) -> Result<(), String> {
    for spec in specs {
        let (id, rest) = spec
            .split_once('=')
            .ok_or_else(|| format!("--server-pkcs11 {spec}: ID=MODULE:TOKEN:KEY[:CERT.pem]"))?;
        let parts: Vec<&str> = rest.split(':').collect();
        let (module, token, key, cert) = match parts.as_slice() {
            [m, t, k] => (*m, *t, *k, None),
            [m, t, k, c] => (*m, *t, *k, Some(*c)),
            _ => {
                return Err(format!(
                    "--server-pkcs11 {spec}: ID=MODULE:TOKEN:KEY[:CERT.pem]"
                ));
            }
        };
        let pem = cert
            .map(|c| std::fs::read(c).map_err(|e| format!("{c}: {e}")))
            .transpose()?;
        config
            .add_pkcs11(
                id,
                module,
                token,
                key,
                "SIGFORM_PORTAL_PKCS11_PIN",
                pem.as_deref(),
            )
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

#[cfg(not(feature = "pkcs11"))]
fn add_pkcs11(_: &mut Config, specs: &[String]) -> Result<(), String> {
    match specs.first() {
        Some(s) => Err(format!(
            "--server-pkcs11 {s}: this build has no PKCS#11 support (feature pkcs11)"
        )),
        None => Ok(()),
    }
}

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("sigform-portal: {e}");
        std::process::exit(2);
    }
}
