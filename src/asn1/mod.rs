//! ASN.1 types the RustCrypto crates lack, with der 0.8 derives.

pub mod ocsp;
