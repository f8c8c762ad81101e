//! [`HttpTimestampAuthority`]: RFC 3161 over HTTP (RFC 3161 §3.4): a POST of the DER request
//! with Content-Type `application/timestamp-query`, answered by a DER response with
//! Content-Type `application/timestamp-reply`. Blocking (`ureq`, TLS through rustls), with
//! connect and overall timeouts, no redirects, and a bound on the answer's size.

use super::asn1::{TimeStampReq, TimeStampResp};
use super::authority::TimestampAuthority;
use super::error::TspError;
use super::token::{MAX_RESPONSE_SIZE, TimestampToken};
use crate::alg::DigestAlgorithm;
use der::asn1::ObjectIdentifier;
use std::time::Duration;

/// Default time to establish the connection (TCP and TLS).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time for the whole exchange.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// A TSA reached over HTTP(S). The network is used only when [`TimestampAuthority::timestamp`]
/// or [`HttpTimestampAuthority::exchange`] is called.
#[derive(Clone, Debug)]
pub struct HttpTimestampAuthority {
    url: String,
    policy: Option<ObjectIdentifier>,
    cert_req: bool,
    connect_timeout: Duration,
    timeout: Duration,
    max_response_size: usize,
    headers: Vec<(String, String)>,
}

impl HttpTimestampAuthority {
    /// A TSA at `url` (`http://` or `https://`), asking for its certificate in the token, with
    /// the default timeouts and the 1 MiB answer bound.
    pub fn new(url: impl Into<String>) -> Result<Self, TspError> {
        let url = url.into();
        let lower = url.to_ascii_lowercase();
        if !(lower.starts_with("http://") || lower.starts_with("https://")) {
            return Err(TspError::InvalidRequest(format!(
                "TSA URL {url:?} is not http:// or https://"
            )));
        }
        Ok(Self {
            url,
            policy: None,
            cert_req: true,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            max_response_size: MAX_RESPONSE_SIZE,
            headers: Vec::new(),
        })
    }

    /// Asks for the TSA policy `policy` (the token must then carry it).
    pub fn with_policy(mut self, policy: ObjectIdentifier) -> Self {
        self.policy = Some(policy);
        self
    }

    /// Sets `certReq` (default true: the TSA certificate is in the token).
    pub fn with_cert_req(mut self, cert_req: bool) -> Self {
        self.cert_req = cert_req;
        self
    }

    /// Sets the connect timeout and the timeout of the whole exchange.
    pub fn with_timeouts(mut self, connect: Duration, total: Duration) -> Self {
        self.connect_timeout = connect;
        self.timeout = total;
        self
    }

    /// Lowers the bound on the answer's size (it never exceeds 1 MiB).
    pub fn with_max_response_size(mut self, bytes: usize) -> Self {
        self.max_response_size = bytes.min(MAX_RESPONSE_SIZE);
        self
    }

    /// Adds a header to every request (e.g. an API key some TSAs want, or certomancer's
    /// `X-Certomancer-Fake-Time` in tests).
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The request this TSA is sent for `digest`: a fresh nonce, `certReq`, the policy.
    pub fn request_for(
        &self,
        algorithm: DigestAlgorithm,
        digest: &[u8],
    ) -> Result<TimeStampReq, TspError> {
        let req = TimeStampReq::new(algorithm, digest)?.with_cert_req(self.cert_req);
        Ok(match self.policy {
            Some(p) => req.with_policy(p),
            None => req,
        })
    }

    /// Sends `request` and returns the response's bytes, unparsed (status 200, the reply
    /// Content-Type and the size bound checked).
    pub fn exchange(&self, request: &TimeStampReq) -> Result<Vec<u8>, TspError> {
        let body = request.to_der()?;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_connect(Some(self.connect_timeout))
            .timeout_global(Some(self.timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(concat!("sigform/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        let mut post = agent
            .post(&self.url)
            .header("Content-Type", "application/timestamp-query")
            .header("Accept", "application/timestamp-reply");
        for (name, value) in &self.headers {
            post = post.header(name.as_str(), value.as_str());
        }
        let mut response = post.send(&body[..]).map_err(transport)?;
        let status = response.status().as_u16();
        if status != 200 {
            return Err(TspError::HttpStatus(status));
        }
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        if !is_reply_type(&content_type) {
            return Err(TspError::ContentType(content_type));
        }
        let limit = self.max_response_size;
        response
            .body_mut()
            .with_config()
            .limit(limit as u64)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => TspError::TooLarge { limit },
                other => transport(other),
            })
    }
}

impl TimestampAuthority for HttpTimestampAuthority {
    fn timestamp(
        &self,
        algorithm: DigestAlgorithm,
        digest: &[u8],
    ) -> Result<TimestampToken, TspError> {
        let request = self.request_for(algorithm, digest)?;
        let response = self.exchange(&request)?;
        let token = TimeStampResp::from_der(&response)?.into_token()?;
        token.check_answers(&request)?;
        Ok(token)
    }
}

/// `application/timestamp-reply`, parameters ignored; `application/timestamp-response` (the
/// draft name some older TSAs still send) is accepted too.
fn is_reply_type(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    matches!(
        essence.as_str(),
        "application/timestamp-reply" | "application/timestamp-response"
    )
}

fn transport(e: ureq::Error) -> TspError {
    match e {
        ureq::Error::Timeout(t) => TspError::Timeout(t.to_string()),
        other => TspError::Transport(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_content_types() {
        assert!(HttpTimestampAuthority::new("ftp://x").is_err());
        assert!(HttpTimestampAuthority::new("HTTPS://tsa.example/").is_ok());
        assert!(is_reply_type("application/timestamp-reply"));
        assert!(is_reply_type("Application/Timestamp-Reply; charset=binary"));
        assert!(!is_reply_type("text/html"));
        assert!(!is_reply_type(""));
    }

    #[test]
    fn refused_connection_is_a_transport_error() {
        // A port nothing listens on (bound, then released).
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or(9);
        let tsa = HttpTimestampAuthority::new(format!("http://127.0.0.1:{port}/"))
            .unwrap()
            .with_timeouts(Duration::from_secs(2), Duration::from_secs(5));
        let d = DigestAlgorithm::Sha256.digest(b"x");
        assert!(matches!(
            tsa.timestamp(DigestAlgorithm::Sha256, &d),
            Err(TspError::Transport(_) | TspError::Timeout(_))
        ));
    }
}
