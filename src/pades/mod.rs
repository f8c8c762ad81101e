//! PAdES signatures (ETSI EN 319 142-1, ISO 32000-2 §12.8): signing PDFs by incremental update.

pub(crate) mod appearance;
pub mod cms_profile;
pub mod diff;
pub mod levels;
mod ranges;
pub mod sign;
pub mod verify;

pub use cms_profile::{PdfCmsProfile, verify_pdf_cms};
pub use verify::{verify_pdf, verify_pdf_file};
