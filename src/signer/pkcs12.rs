//! PKCS#12 placeholder (being written).
/// Errors from PKCS#12.
#[derive(Debug, thiserror::Error)]
pub enum Pkcs12Error {
    /// No key.
    #[error("no private key")]
    NoPrivateKey,
}
/// Contents.
pub struct Pkcs12Contents {
    /// keys
    pub keys: Vec<Pkcs12Key>,
    /// certs
    pub certificates: Vec<Pkcs12Cert>,
}
/// key
pub struct Pkcs12Key {
    /// der
    pub pkcs8_der: zeroize::Zeroizing<Vec<u8>>,
    /// id
    pub local_key_id: Option<Vec<u8>>,
}
/// cert
pub struct Pkcs12Cert {
    /// der
    pub der: Vec<u8>,
    /// id
    pub local_key_id: Option<Vec<u8>>,
}
/// parse
pub fn parse_pkcs12(_data: &[u8], _password: &str) -> Result<Pkcs12Contents, Pkcs12Error> {
    Err(Pkcs12Error::NoPrivateKey)
}
