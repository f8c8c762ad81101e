//! The shared corpora beside the checkout (`../shared/...`, e.g. pyHanko's PDF test files in
//! `../shared/corpus/pdf`): a test that needs a file there skips with a notice when it is absent.

use std::path::PathBuf;

/// Where the shared folder is looked for: beside the checkout, then `/work/shared` (the shared
/// folder of a checkout elsewhere on the build machine).
fn shared_roots() -> [PathBuf; 2] {
    [
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"),
        PathBuf::from("/work/shared"),
    ]
}

/// Path of `rel` under the shared folder, or `None` after a skip notice when it is absent.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let found = shared_roots()
        .into_iter()
        .map(|root| root.join(rel))
        .find(|p| p.exists());
    if found.is_none() {
        eprintln!("NOTICE: skipping: ../shared/{rel} not found");
    }
    found
}

/// Path of `rel` under the shared PDF corpus (`../shared/corpus/pdf`; `""` for the folder
/// itself), or `None` after a skip notice when it is absent.
pub fn corpus_pdf(rel: &str) -> Option<PathBuf> {
    if rel.is_empty() {
        shared("corpus/pdf")
    } else {
        shared(&format!("corpus/pdf/{rel}"))
    }
}
