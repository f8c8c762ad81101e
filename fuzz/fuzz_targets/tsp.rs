//! RFC 3161: TimeStampResp, timestamp token and TSTInfo parsing, then token verification
//! (against the token's own imprint, so every later check runs) with the test root as anchor;
//! TimeStampReq parsing and re-encoding.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sigform::tsp::{
    TimeStampReq, TimeStampResp, TimestampToken, TokenVerifyOptions, verify_token_digest,
};
use sigform::x509::TrustStore;
use std::sync::OnceLock;

fn options() -> &'static TokenVerifyOptions {
    static OPTIONS: OnceLock<TokenVerifyOptions> = OnceLock::new();
    OPTIONS.get_or_init(|| {
        let root = include_bytes!("../../test-vectors/pki/root-ca.pem");
        TokenVerifyOptions::new(TrustStore::from_pem(root).unwrap_or_default())
    })
}

fn exercise(token: &TimestampToken) {
    let t = token.tst_info();
    let _ = (t.gen_time.rfc3339(), t.accuracy.map(|a| a.duration()));
    if let Some(alg) = token.imprint_algorithm() {
        let _ = verify_token_digest(token, alg, token.imprint(), options());
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(resp) = TimeStampResp::from_der(data) {
        let _ = (resp.status.failures(), resp.status.text());
        if let Ok(token) = resp.into_token() {
            exercise(&token);
        }
    }
    if let Ok(token) = TimestampToken::from_der(data) {
        exercise(&token);
    }
    if let Ok(req) = TimeStampReq::from_der(data) {
        let _ = req.to_der();
    }
});
