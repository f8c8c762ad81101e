//! PAdES signing by incremental update (ISO 32000-2 §12.8, ETSI EN 319 142-1).
//!
//! The original bytes are copied to the output unchanged; the update appends the signature
//! dictionary (a fixed-width `/ByteRange` and a zero-filled `/Contents` placeholder), the field
//! and widget, the changed AcroForm and page, and an xref section of the file's kind. The two
//! byte ranges are then hashed from the output, signed as a detached CAdES signature, and the
//! CMS is written into the placeholder. Memory stays bounded whatever the file size.
//!
//! The parts: `form` (the AcroForm as it is, the field to fill, the entries that attach it),
//! `widget` (the page, rectangle and appearance stream), `placeholder` (the signature
//! dictionary, the signed file written around it, the real `/ByteRange`). This file holds the
//! options, [`prepare`] (which runs those steps, then prepares the CMS over the two ranges),
//! [`finish`], [`sign`] and [`sign_file`].

use super::ranges::{Prefix, Seekable, SignedRanges};
use crate::alg::{EcCurve, SignatureAlgorithm};
use crate::asn1::ess::SignaturePolicy;
use crate::cades::{self, CadesOptions, SigningState, SigningTime};
use crate::error::{Error, Result};
use crate::pdf::object::{Dictionary, ObjRef, Object, PdfString};
use crate::pdf::reader::Reader;
use crate::pdf::writer::IncrementalWriter;
use crate::signer::{Signer, SignerIdentity};
pub(crate) use placeholder::{Base, DictKind, Placed, write_appended};

use placeholder::Slots;
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::SystemTime;

mod form;
mod placeholder;
mod widget;

/// The `/SubFilter` of the signature.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SubFilter {
    /// `ETSI.CAdES.detached`: PAdES baseline (no signingTime attribute; signing-certificate-v2).
    #[default]
    EtsiCadesDetached,
    /// `adbe.pkcs7.detached`: the older PDF signature profile.
    AdbePkcs7Detached,
}

impl SubFilter {
    fn name(self) -> &'static str {
        match self {
            Self::EtsiCadesDetached => "ETSI.CAdES.detached",
            Self::AdbePkcs7Detached => "adbe.pkcs7.detached",
        }
    }
}

/// Certification level (DocMDP `/P`), for the first signature of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Certification {
    /// P=1: no changes allowed after this signature.
    NoChanges,
    /// P=2: form filling and further signatures allowed.
    FormFilling,
    /// P=3: as P=2, plus annotations.
    Annotations,
}

impl Certification {
    /// The `/P` value.
    pub fn p(self) -> i64 {
        match self {
            Self::NoChanges => 1,
            Self::FormFilling => 2,
            Self::Annotations => 3,
        }
    }
}

/// A visible signature: where, and what it shows.
#[derive(Debug, Clone, Default)]
pub struct Visible {
    /// Page number, from 1.
    pub page: usize,
    /// Rectangle `[x1, y1, x2, y2]` in default user space (points).
    pub rect: [f64; 4],
    /// A PNG image (e.g. the handwritten graphism) shown left of the text.
    pub image_png: Option<Vec<u8>>,
    /// Text lines; by default the signer's name, the date and the reason.
    pub lines: Option<Vec<String>>,
}

/// Options for a PAdES signature.
#[derive(Debug, Clone, Default)]
pub struct PadesOptions {
    /// Field name: an existing empty signature field of that name is used, else a new one is
    /// made with this name (default: the first free `SignatureN`).
    pub field_name: Option<String>,
    /// A visible signature (default invisible).
    pub visible: Option<Visible>,
    /// `/Reason`.
    pub reason: Option<String>,
    /// `/Location`.
    pub location: Option<String>,
    /// `/ContactInfo`.
    pub contact_info: Option<String>,
    /// `/Name` (default: the certificate's common name).
    pub name: Option<String>,
    /// Signing time written in `/M` (default now).
    pub signing_time: Option<SystemTime>,
    /// Make this a certification signature (first signature only).
    pub certify: Option<Certification>,
    /// `/SubFilter`.
    pub subfilter: SubFilter,
    /// Signature policy (EPES) in the CMS.
    pub policy: Option<SignaturePolicy>,
    /// Bytes reserved for the CMS in `/Contents` (default: estimated from the chain and key,
    /// plus room for a timestamp token when a TSA is named).
    pub contents_size: Option<usize>,
    /// A timestamp authority: [`sign`] adds a signature-time-stamp to the CMS (PAdES B-T).
    /// Two-step signing names it here too (so that [`prepare`] reserves room for the token)
    /// and passes it to [`finish_timestamped`].
    pub timestamp_authority: Option<crate::cades::SharedTsa>,
    /// The user (or owner) password of an encrypted PDF (default: empty, which opens the
    /// common owner-restricted documents). The update's strings and streams are encrypted
    /// with the file's key; the signature's `/Contents` is not (ISO 32000-2 §7.6.2).
    pub pdf_password: Option<Vec<u8>>,
}

/// Bytes reserved in `/Contents` for a signature-time-stamp token (with its TSA's chain).
pub const TIMESTAMP_RESERVE: usize = 12 * 1024;

/// State carried from [`prepare`] to [`finish`] (serde-serialisable).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PdfSigningState {
    /// The CMS state.
    pub cades: SigningState,
    /// Absolute offset of the first hex digit of `/Contents` in the output.
    pub contents_offset: u64,
    /// Number of hex digits reserved.
    pub contents_capacity: usize,
}

/// The output of [`prepare`]: what to sign (the DER of the CMS signed attributes), its digest
/// and the state for [`finish`].
pub type PreparedPdf = crate::cades::Prepared<PdfSigningState>;

/// Bytes to reserve for the CMS: the embedded certificates, the signature, the attributes and
/// room for the unexpected.
pub fn estimate_contents_size(identity: &SignerIdentity, algorithm: SignatureAlgorithm) -> usize {
    let certs: usize = identity.all_certificates().map(|c| c.der().len()).sum();
    let sig = match algorithm {
        SignatureAlgorithm::Ecdsa {
            curve: EcCurve::P256,
            ..
        } => 80,
        SignatureAlgorithm::Ecdsa {
            curve: EcCurve::P384,
            ..
        } => 112,
        _ => crate::crypto::public_key_kind(
            crate::asn1::cert::cert_fields(identity.certificate().der())
                .map(|f| f.spki)
                .unwrap_or_default(),
        )
        .map(|k| match k {
            crate::crypto::PublicKeyKind::Rsa(bits) => bits / 8 + 8,
            crate::crypto::PublicKeyKind::Ec(_) => 144,
            crate::crypto::PublicKeyKind::Ed25519 => 72,
        })
        .unwrap_or(1024),
    };
    certs + sig + 2048
}

fn refuse(msg: impl Into<String>) -> Error {
    Error::NotPermitted(msg.into())
}

fn common_name(identity: &SignerIdentity) -> String {
    crate::x509::signer_report(identity.certificate())
        .common_name
        .unwrap_or_else(|| identity.certificate().subject())
}

/// First step: writes `input` plus the signature update (with an empty `/Contents`) to
/// `output`, and returns the bytes to sign and the state for [`finish`].
pub fn prepare<R: Read + Seek, W: Read + Write + Seek>(
    input: R,
    output: &mut W,
    identity: &SignerIdentity,
    algorithm: SignatureAlgorithm,
    options: &PadesOptions,
) -> Result<PreparedPdf> {
    prepare_with(input, output, identity, algorithm, options, &mut |_, _| {
        Ok(())
    })
}

/// Called once the signed file is written, before its byte ranges are hashed, with the output
/// and its length.
type Written<'a, W> = &'a mut dyn FnMut(&mut W, u64) -> Result<()>;

/// [`prepare`], calling `written` between writing the file and hashing it.
fn prepare_with<R: Read + Seek, W: Read + Write + Seek>(
    mut input: R,
    output: &mut W,
    identity: &SignerIdentity,
    algorithm: SignatureAlgorithm,
    options: &PadesOptions,
    written: Written<'_, W>,
) -> Result<PreparedPdf> {
    let signer_name = options
        .name
        .clone()
        .unwrap_or_else(|| common_name(identity));
    let signing_time = options.signing_time.unwrap_or_else(SystemTime::now);
    let contents_size = options.contents_size.unwrap_or_else(|| {
        let tsa = options
            .timestamp_authority
            .as_ref()
            .map_or(0, |_| TIMESTAMP_RESERVE);
        estimate_contents_size(identity, algorithm) + tsa
    });
    let kind = DictKind::Signature {
        name: &signer_name,
        time: signing_time,
    };
    let placed = write_update(&mut input, output, options, &kind, contents_size)?;
    written(output, placed.total)?;
    let prepared = prepare_cms(output, &placed, identity, algorithm, options, signing_time)?;
    Ok(prepared.map_state(|cades| PdfSigningState {
        cades,
        contents_offset: placed.contents_offset,
        contents_capacity: placed.hex_len,
    }))
}

/// Writes `input` plus an update adding a new dictionary of `kind` (a signature or a document
/// timestamp) with `/ByteRange` filled in and `contents_size` zero bytes in `/Contents`.
pub(crate) fn write_update<R: Read + Seek, W: Write + Seek>(
    input: &mut R,
    output: &mut W,
    options: &PadesOptions,
    kind: &DictKind<'_>,
    contents_size: usize,
) -> Result<Placed> {
    let (update, separator, base_len) = plan_update(input, options, kind, contents_size)?;
    placeholder::write_signed_file(
        Base::Copy(input),
        output,
        update.writer,
        (update.sig_ref, &update.slots),
        &separator,
        base_len,
    )
}

/// [`write_update`] appended in place to `file`, whose first `base_len` bytes are the PDF
/// (anything after them is overwritten).
pub(crate) fn append_update<F: Read + Write + Seek>(
    file: &mut F,
    base_len: u64,
    options: &PadesOptions,
    kind: &DictKind<'_>,
    contents_size: usize,
) -> Result<Placed> {
    let mut pdf = Prefix::new(file, base_len);
    let (update, separator, base_len) = plan_update(&mut pdf, options, kind, contents_size)?;
    placeholder::write_signed_file(
        Base::<F>::InPlace,
        file,
        update.writer,
        (update.sig_ref, &update.slots),
        &separator,
        base_len,
    )
}

/// Reads the PDF `input` and builds the update of [`write_update`]; returns it with the
/// separator to write before it and the length of the PDF it follows.
fn plan_update<R: Read + Seek>(
    input: &mut R,
    options: &PadesOptions,
    kind: &DictKind<'_>,
    contents_size: usize,
) -> Result<(Update, Vec<u8>, u64)> {
    input
        .seek(SeekFrom::Start(0))
        .map_err(|e| Error::io("reading the PDF", e))?;
    let reader = Reader::from_reader_with(
        &mut *input,
        crate::pdf::reader::ReaderOptions {
            password: options.pdf_password.clone().unwrap_or_default(),
            ..Default::default()
        },
    )?;
    let update = build_update(&reader, options, kind, contents_size)?;
    Ok((
        update,
        reader.append_separator().to_vec(),
        reader.file_len(),
    ))
}

/// The incremental update of a signature, ready to be written.
struct Update {
    writer: IncrementalWriter,
    /// The signature dictionary (written raw, with its placeholders).
    sig_ref: ObjRef,
    slots: Slots,
}

/// The signature field's widget: the signature it holds, where it is, what it shows.
struct Widget {
    sig_ref: ObjRef,
    page: ObjRef,
    rect: [f64; 4],
    ap: Dictionary,
}

/// Everything the signature adds or changes: the field and its widget, the form and page
/// entries that attach them, the signature dictionary, and (for a certification) `/Perms`.
/// A document timestamp always gets a new invisible field.
fn build_update<R: Read + Seek>(
    reader: &Reader<R>,
    options: &PadesOptions,
    kind: &DictKind<'_>,
    contents_size: usize,
) -> Result<Update> {
    let (name, time, doc_ts) = match kind {
        DictKind::Signature { name, time } => (*name, *time, false),
        DictKind::DocumentTimestamp => ("", SystemTime::now(), true),
    };
    let mut form = form::read_form(reader, options, doc_ts)?;
    let mut writer = IncrementalWriter::new(reader)?;
    let sig_ref = writer.allocate();
    let existing = match doc_ts {
        false => form::choose_field(&form.all, options)?.cloned(),
        true => None,
    };
    let signing = widget::Signing { name, time };
    let placement = widget::place(reader, &mut writer, existing.as_ref(), options, &signing)?;
    let page = placement.page;
    let widget = Widget {
        sig_ref,
        page,
        rect: placement.rect,
        ap: placement.ap,
    };
    let (field_ref, new_annot) =
        form::write_field(&mut writer, &form.all, existing.as_ref(), widget, options);
    let mut catalog_changed =
        form::attach_field(reader, &mut writer, &mut form, field_ref, new_annot, page)?;
    let string = |s: PdfString| -> Result<PdfString> {
        Ok(match writer.encrypts() {
            true => PdfString::hex(writer.string_bytes(sig_ref, &s.bytes)?),
            false => s,
        })
    };
    let (body, slots) = placeholder::signature_dictionary(options, kind, contents_size, &string)?;
    if options.certify.is_some() && !doc_ts {
        form::point_perms_at(reader, &mut form, sig_ref)?;
        catalog_changed = true;
    }
    writer.put_raw(sig_ref, body);
    if catalog_changed {
        writer.update(form.catalog_ref, Object::Dictionary(form.catalog));
    }
    Ok(Update {
        writer,
        sig_ref,
        slots,
    })
}

/// Hashes the two signed ranges from the output and prepares the CMS over them.
fn prepare_cms<W: Read + Seek>(
    output: &mut W,
    placed: &Placed,
    identity: &SignerIdentity,
    algorithm: SignatureAlgorithm,
    options: &PadesOptions,
    signing_time: SystemTime,
) -> Result<cades::Prepared> {
    let cades_options = CadesOptions {
        attached: false,
        signing_time: match options.subfilter {
            SubFilter::EtsiCadesDetached => SigningTime::Omit,
            SubFilter::AdbePkcs7Detached => SigningTime::At(signing_time),
        },
        policy: options.policy.clone(),
        ..CadesOptions::default()
    };
    let ranges = SignedRanges::new(Seekable(output), placed.ranges());
    cades::prepare(ranges, identity, algorithm, &cades_options)
}

/// Second step: writes the CMS made from `signature` into the `/Contents` placeholder of the
/// file [`prepare`] wrote.
pub fn finish<W: Write + Seek>(
    output: &mut W,
    state: &PdfSigningState,
    signature: &[u8],
) -> Result<()> {
    finish_checked(output, state, signature, true)
}

/// [`finish`], verifying the value against the signer certificate only when `verify` (false
/// for a value from a [`Signer::checks_own_signatures`] signer).
fn finish_checked<W: Write + Seek>(
    output: &mut W,
    state: &PdfSigningState,
    signature: &[u8],
    verify: bool,
) -> Result<()> {
    let cms = cades::sign::finish_checked(&state.cades, signature, verify)?;
    write_contents(output, state.contents_offset, state.contents_capacity, &cms)
}

/// [`finish`] with a signature-time-stamp from `tsa` over the new signature value (PAdES
/// B-T): the token is requested now, at the second step.
pub fn finish_timestamped<W: Write + Seek>(
    output: &mut W,
    state: &PdfSigningState,
    signature: &[u8],
    tsa: &dyn crate::tsp::TimestampAuthority,
) -> Result<()> {
    finish_timestamped_checked(output, state, signature, tsa, true)
}

/// [`finish_timestamped`], verifying the value only when `verify` (see [`finish_checked`]).
fn finish_timestamped_checked<W: Write + Seek>(
    output: &mut W,
    state: &PdfSigningState,
    signature: &[u8],
    tsa: &dyn crate::tsp::TimestampAuthority,
    verify: bool,
) -> Result<()> {
    let cms = cades::sign::finish_timestamped_checked(&state.cades, signature, tsa, verify)?;
    write_contents(output, state.contents_offset, state.contents_capacity, &cms)
}

/// Writes `cms` as hex at `offset`, where `capacity` hex digits are reserved.
pub(crate) fn write_contents<W: Write + Seek>(
    output: &mut W,
    offset: u64,
    capacity: usize,
    cms: &[u8],
) -> Result<()> {
    let hex = hex::encode(cms);
    if hex.len() > capacity {
        return Err(Error::ContentsTooSmall {
            needed: cms.len(),
            reserved: capacity / 2,
        });
    }
    let io = |e| Error::io("writing the signature into the PDF", e);
    output.seek(SeekFrom::Start(offset)).map_err(io)?;
    output.write_all(hex.as_bytes()).map_err(io)?;
    output.flush().map_err(io)
}

/// Signs `input` into `output` in one call (retrying once with a larger `/Contents` when the
/// estimate was too small).
pub fn sign<R: Read + Seek, W: Read + Write + Seek>(
    input: R,
    output: &mut W,
    signer: &dyn Signer,
    options: &PadesOptions,
) -> Result<()> {
    sign_with(input, output, signer, options, &mut |_, _| Ok(()))
}

/// [`sign`], calling `written` each time the file is written, before it is hashed.
fn sign_with<R: Read + Seek, W: Read + Write + Seek>(
    mut input: R,
    output: &mut W,
    signer: &dyn Signer,
    options: &PadesOptions,
    written: Written<'_, W>,
) -> Result<()> {
    let mut opts = options.clone();
    for _ in 0..2 {
        let prepared = prepare_with(
            &mut input,
            output,
            signer.identity(),
            signer.algorithm(),
            &opts,
            &mut *written,
        )?;
        let value = signer.sign(&prepared.to_be_signed)?;
        let verify = !signer.checks_own_signatures();
        let done = match &options.timestamp_authority {
            Some(tsa) => {
                finish_timestamped_checked(output, &prepared.state, &value, &*tsa.0, verify)
            }
            None => finish_checked(output, &prepared.state, &value, verify),
        };
        match done {
            Err(Error::ContentsTooSmall { needed, .. }) => {
                // A token's size varies from one request to the next: leave more room.
                opts.contents_size = Some(needed + 4096);
            }
            other => return other,
        }
    }
    Err(Error::ContentsTooSmall {
        needed: 0,
        reserved: opts.contents_size.unwrap_or(0),
    })
}

/// [`sign_file`] outputs at least this large start their write-back to the disk while their
/// byte ranges are hashed.
const EARLY_SYNC_BYTES: u64 = 8 << 20;

/// Signs the file at `input` into a new file at `output` (written through a temporary file in
/// the same directory: a failure leaves nothing behind).
pub fn sign_file(
    input: impl AsRef<Path>,
    output: impl AsRef<Path>,
    signer: &dyn Signer,
    options: &PadesOptions,
) -> Result<()> {
    let (input, output) = (input.as_ref(), output.as_ref());
    let inp =
        File::open(input).map_err(|e| Error::io(format!("opening {}", input.display()), e))?;
    let dir = output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.sigform-tmp-{}",
        output
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        std::process::id()
    ));
    let result = (|| {
        let mut out = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)
            .map_err(|e| Error::io(format!("creating {}", tmp.display()), e))?;
        // A large file starts going to the disk while its ranges are hashed (one thread
        // syncing a second handle): the last sync then has little left to write.
        let mut early: Option<std::thread::JoinHandle<std::io::Result<()>>> = None;
        let signed = sign_with(
            std::io::BufReader::new(inp),
            &mut out,
            signer,
            options,
            &mut |f: &mut File, len| {
                if len >= EARLY_SYNC_BYTES && early.is_none() {
                    let clone = f.try_clone();
                    early = clone.ok().and_then(|c| {
                        std::thread::Builder::new()
                            .name("sigform-sync".into())
                            .spawn(move || c.sync_data())
                            .ok()
                    });
                }
                Ok(())
            },
        );
        let synced = early.map(|h| h.join());
        signed?;
        let sync_error = |e| Error::io("syncing the output", e);
        match synced {
            Some(Ok(r)) => r.map_err(sync_error)?,
            Some(Err(_)) => return Err(sync_error(std::io::Error::other("sync thread failed"))),
            None => {}
        }
        out.sync_all().map_err(sync_error)?;
        std::fs::rename(&tmp, output)
            .map_err(|e| Error::io(format!("writing {}", output.display()), e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
