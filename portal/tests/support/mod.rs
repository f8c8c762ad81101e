//! Support shared by the tests that run the portal as a process (and, for `http`, by the load
//! example): a small HTTP client, the portal binary as a child, a throw-away PostgreSQL server, headless
//! Chromium through WebDriver, the openssl-ts TSA over HTTP.

pub mod http;
pub mod postgres;
pub mod process;
pub mod tsa;
pub mod webdriver;
