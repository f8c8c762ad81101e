//! PAdES signing by incremental update (ISO 32000-2 §12.8, ETSI EN 319 142-1).
//!
//! The original bytes are copied to the output unchanged; the update appends the signature
//! dictionary (a fixed-width `/ByteRange` and a zero-filled `/Contents` placeholder), the field
//! and widget, the changed AcroForm and page, and an xref section of the file's kind. The two
//! byte ranges are then hashed from the output, signed as a detached CAdES signature, and the
//! CMS is written into the placeholder. Memory stays bounded whatever the file size.

use super::appearance;
use crate::alg::{EcCurve, SignatureAlgorithm};
use crate::asn1::ess::SignaturePolicy;
use crate::cades::{self, CadesOptions, SigningState, SigningTime};
use crate::error::{Error, Result};
use crate::pdf::object::{Dictionary, ObjRef, Object, PdfString, Stream};
use crate::pdf::reader::Reader;
use crate::pdf::writer::IncrementalWriter;
use crate::signer::{Signer, SignerIdentity};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::SystemTime;

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
    /// Bytes reserved for the CMS in `/Contents` (default: estimated from the chain and key).
    pub contents_size: Option<usize>,
}

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

/// The output of [`prepare`]: what to sign and the state.
#[derive(Debug, Clone)]
pub struct PreparedPdf {
    /// The bytes to sign (DER of the CMS signed attributes).
    pub to_be_signed: Vec<u8>,
    /// Their digest.
    pub digest: Vec<u8>,
    /// The state for [`finish`].
    pub state: PdfSigningState,
}

const BYTE_RANGE_PLACEHOLDER: &str = "[0 0000000000 0000000000 0000000000]";

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
            crate::crypto::PublicKeyKind::Ec(_) => 112,
        })
        .unwrap_or(1024),
    };
    certs + sig + 2048
}

fn refuse(msg: impl Into<String>) -> Error {
    Error::NotPermitted(msg.into())
}

/// The DocMDP permission of a certified document, if any.
fn docmdp_p<R: Read + Seek>(reader: &Reader<R>, catalog: &Dictionary) -> Result<Option<i64>> {
    let Some(perms) = catalog.get("Perms") else {
        return Ok(None);
    };
    let perms = reader.resolve(perms)?;
    let Some(sig) = perms.as_dict().and_then(|d| d.get("DocMDP")) else {
        return Ok(None);
    };
    let sig = reader.resolve(sig)?;
    let Some(refs) = sig.as_dict().and_then(|d| d.get("Reference")) else {
        return Ok(Some(2));
    };
    let refs = reader.resolve(refs)?;
    for r in refs.as_array().unwrap_or_default() {
        let r = reader.resolve(r)?;
        let Some(d) = r.as_dict() else { continue };
        if d.get_name("TransformMethod") == Some(b"DocMDP".as_slice()) {
            let params = match d.get("TransformParams") {
                Some(p) => reader.resolve(p)?,
                None => return Ok(Some(2)),
            };
            let p = params.as_dict().and_then(|p| p.get_int("P")).unwrap_or(2);
            return Ok(Some(p));
        }
    }
    Ok(Some(2))
}

/// Every field of the AcroForm (depth-first, bounded), with its name.
fn collect_fields<R: Read + Seek>(
    reader: &Reader<R>,
    fields: &[Object],
    prefix: &str,
    depth: usize,
    out: &mut Vec<(String, Option<ObjRef>, Dictionary)>,
) -> Result<()> {
    if depth > 32 || out.len() > 10_000 {
        return Err(Error::malformed(
            "AcroForm",
            "field tree too deep or too large",
        ));
    }
    for f in fields {
        let r = f.as_reference();
        let obj = reader.resolve(f)?;
        let Some(d) = obj.as_dict() else { continue };
        if let Some(rr) = r
            && out.iter().any(|(_, seen, _)| *seen == Some(rr))
        {
            return Err(Error::malformed("AcroForm", "the field tree has a loop"));
        }
        let part = d.get("T").and_then(|t| t.as_string()).map(|s| s.to_text());
        let name = match (&part, prefix.is_empty()) {
            (Some(p), true) => p.clone(),
            (Some(p), false) => format!("{prefix}.{p}"),
            (None, _) => prefix.to_string(),
        };
        out.push((name.clone(), r, d.clone()));
        if let Some(kids) = d.get("Kids") {
            let kids = reader.resolve(kids)?;
            if let Some(k) = kids.as_array() {
                collect_fields(reader, k, &name, depth + 1, out)?;
            }
        }
    }
    Ok(())
}

fn common_name(identity: &SignerIdentity) -> String {
    crate::x509::signer_report(identity.certificate())
        .common_name
        .unwrap_or_else(|| identity.certificate().subject())
}

/// A Read over two ranges of a file: what the signature covers.
struct RangesReader<'a, F: Read + Seek> {
    file: &'a mut F,
    ranges: [(u64, u64); 2],
    idx: usize,
    pos: u64,
}

impl<F: Read + Seek> Read for RangesReader<'_, F> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while let Some(&(start, len)) = self.ranges.get(self.idx) {
            if self.pos >= len {
                self.idx += 1;
                self.pos = 0;
                continue;
            }
            self.file.seek(SeekFrom::Start(start + self.pos))?;
            let want = usize::try_from(len - self.pos)
                .unwrap_or(usize::MAX)
                .min(buf.len());
            let n = self.file.read(buf.get_mut(..want).unwrap_or_default())?;
            if n == 0 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "signed range beyond the end of the file",
                ));
            }
            self.pos += n as u64;
            return Ok(n);
        }
        Ok(0)
    }
}

/// First step: writes `input` plus the signature update (with an empty `/Contents`) to
/// `output`, and returns the bytes to sign and the state for [`finish`].
pub fn prepare<R: Read + Seek, W: Read + Write + Seek>(
    mut input: R,
    output: &mut W,
    identity: &SignerIdentity,
    algorithm: SignatureAlgorithm,
    options: &PadesOptions,
) -> Result<PreparedPdf> {
    input
        .seek(SeekFrom::Start(0))
        .map_err(|e| Error::io("reading the PDF", e))?;
    let reader = Reader::from_reader(&mut input)?;
    if reader.is_encrypted() {
        return Err(Error::Unsupported("encrypted PDF not supported".into()));
    }
    let catalog_ref = reader
        .catalog_ref()
        .ok_or_else(|| Error::malformed("PDF trailer", "no /Root reference"))?;
    let mut catalog = reader.catalog()?;
    let existing_p = docmdp_p(&reader, &catalog)?;
    if existing_p == Some(1) {
        return Err(refuse(
            "the document is certified with DocMDP P=1: no changes, not even signatures, are allowed",
        ));
    }

    // AcroForm and fields.
    let acroform_ref = catalog.get("AcroForm").and_then(Object::as_reference);
    let mut acroform = match catalog.get("AcroForm") {
        Some(a) => reader.resolve(a)?.as_dict().cloned().unwrap_or_default(),
        None => Dictionary::new(),
    };
    let fields_obj = match acroform.get("Fields") {
        Some(f) => reader.resolve(f)?,
        None => Object::Array(Vec::new()),
    };
    let fields_ref = acroform.get("Fields").and_then(Object::as_reference);
    let top_fields: Vec<Object> = fields_obj
        .as_array()
        .map(<[Object]>::to_vec)
        .unwrap_or_default();
    let mut all = Vec::new();
    collect_fields(&reader, &top_fields, "", 0, &mut all)?;
    let signed_before = all.iter().any(|(_, _, d)| {
        d.get_name("FT") == Some(b"Sig".as_slice()) && d.get("V").is_some_and(|v| !v.is_null())
    });
    if options.certify.is_some() && (signed_before || existing_p.is_some()) {
        return Err(refuse(
            "a certification signature must be the document's first signature",
        ));
    }

    let pages = reader.page_refs()?;
    let mut writer = IncrementalWriter::new(&reader)?;
    let sig_ref = writer.allocate();

    // Which field: an existing signature field of that name (or, without a name, the first
    // empty one), or a new one.
    let is_sig = |d: &Dictionary| d.get_name("FT") == Some(b"Sig".as_slice());
    let is_signed = |d: &Dictionary| d.get("V").is_some_and(|v| !v.is_null());
    let existing_field = match &options.field_name {
        Some(name) => all
            .iter()
            .find(|(n, r, d)| n == name && r.is_some() && is_sig(d)),
        None => all
            .iter()
            .find(|(_, r, d)| r.is_some() && is_sig(d) && !is_signed(d)),
    };
    if let Some((name, _, d)) = existing_field
        && d.get("V").is_some_and(|v| !v.is_null())
    {
        return Err(refuse(format!(
            "the signature field {name:?} is already signed"
        )));
    }
    if existing_field.is_none()
        && let Some(name) = &options.field_name
        && all.iter().any(|(n, _, _)| n == name)
    {
        return Err(refuse(format!(
            "a non-signature field is already named {name:?}"
        )));
    }

    let signer_name = options
        .name
        .clone()
        .unwrap_or_else(|| common_name(identity));
    let signing_time = options.signing_time.unwrap_or_else(SystemTime::now);

    // The appearance: as asked, or in the existing widget's rectangle.
    let mut effective_visible = options.visible.clone();
    if effective_visible.is_none()
        && let Some((_, _, d)) = existing_field
        && d.get_name("Subtype") == Some(b"Widget".as_slice())
        && let Some(r) = d.get("Rect")
    {
        let r = reader.resolve(r)?;
        let nums: Vec<f64> = r
            .as_array()
            .unwrap_or_default()
            .iter()
            .filter_map(Object::as_number)
            .collect();
        if let [x1, y1, x2, y2] = nums.as_slice()
            && (x2 - x1).abs() > 1.0
            && (y2 - y1).abs() > 1.0
        {
            effective_visible = Some(Visible {
                page: 1,
                rect: [x1.min(*x2), y1.min(*y2), x1.max(*x2), y1.max(*y2)],
                image_png: None,
                lines: None,
            });
        }
    }
    let rect = effective_visible
        .as_ref()
        .map(|v| v.rect)
        .unwrap_or([0.0; 4]);
    let (page_index, _) = match &options.visible {
        Some(v) => (v.page.saturating_sub(1), v.rect),
        None => (0, [0.0; 4]),
    };
    let page_ref = *pages.get(page_index).ok_or_else(|| {
        Error::InvalidArgument(format!(
            "page {} does not exist (the document has {})",
            page_index + 1,
            pages.len()
        ))
    })?;
    let (w, h) = ((rect[2] - rect[0]).abs(), (rect[3] - rect[1]).abs());
    let mut resources = Dictionary::new();
    let content = match &effective_visible {
        None => Vec::new(),
        Some(v) => {
            let lines = v.lines.clone().unwrap_or_else(|| {
                let mut l = vec![format!("Assinado digitalmente por {signer_name}")];
                let when = der::DateTime::from_system_time(signing_time)
                    .map(|d| {
                        crate::time::rfc3339(&d)
                            .replace('T', " ")
                            .replace('Z', " UTC")
                    })
                    .unwrap_or_default();
                l.push(format!("Data: {when}"));
                if let Some(r) = &options.reason {
                    l.push(format!("Motivo: {r}"));
                }
                l
            });
            let mut image_size = None;
            if let Some(png) = &v.image_png {
                let img = appearance::decode_png(png)?;
                image_size = Some((img.width, img.height));
                let mut idict = Dictionary::new();
                idict.insert("Type", Object::name("XObject"));
                idict.insert("Subtype", Object::name("Image"));
                idict.insert("Width", Object::Integer(img.width.into()));
                idict.insert("Height", Object::Integer(img.height.into()));
                idict.insert(
                    "ColorSpace",
                    Object::name(if img.rgb { "DeviceRGB" } else { "DeviceGray" }),
                );
                idict.insert("BitsPerComponent", Object::Integer(8));
                if let Some(alpha) = &img.alpha {
                    let mut sdict = Dictionary::new();
                    sdict.insert("Type", Object::name("XObject"));
                    sdict.insert("Subtype", Object::name("Image"));
                    sdict.insert("Width", Object::Integer(img.width.into()));
                    sdict.insert("Height", Object::Integer(img.height.into()));
                    sdict.insert("ColorSpace", Object::name("DeviceGray"));
                    sdict.insert("BitsPerComponent", Object::Integer(8));
                    let smask = writer.add(Object::Stream(Stream::flate(sdict, alpha)?));
                    idict.insert("SMask", Object::Reference(smask));
                }
                let img_ref = writer.add(Object::Stream(Stream::flate(idict, &img.samples)?));
                let mut xo = Dictionary::new();
                xo.insert("Img", Object::Reference(img_ref));
                resources.insert("XObject", Object::Dictionary(xo));
            }
            let mut font = Dictionary::new();
            font.insert("Type", Object::name("Font"));
            font.insert("Subtype", Object::name("Type1"));
            font.insert("BaseFont", Object::name("Helvetica"));
            font.insert("Encoding", Object::name("WinAnsiEncoding"));
            let font_ref = writer.add(Object::Dictionary(font));
            let mut fonts = Dictionary::new();
            fonts.insert("F1", Object::Reference(font_ref));
            resources.insert("Font", Object::Dictionary(fonts));
            appearance::content_stream(w, h, &lines, image_size)
        }
    };
    let mut ap = Dictionary::new();
    ap.insert("Type", Object::name("XObject"));
    ap.insert("Subtype", Object::name("Form"));
    ap.insert(
        "BBox",
        Object::Array(vec![
            Object::Integer(0),
            Object::Integer(0),
            Object::Real(w),
            Object::Real(h),
        ]),
    );
    ap.insert("Resources", Object::Dictionary(resources));
    let ap_ref = writer.add(Object::Stream(Stream::flate(ap, &content)?));
    let mut ap_dict = Dictionary::new();
    ap_dict.insert("N", Object::Reference(ap_ref));

    // The field (merged with its widget when new).
    let rect_obj = Object::Array(rect.iter().map(|v| Object::Real(*v)).collect());
    let mut new_annot: Option<ObjRef> = None;
    let field_ref = match existing_field {
        Some((_, Some(r), d)) => {
            let mut d = d.clone();
            d.insert("V", Object::Reference(sig_ref));
            if d.get_name("Subtype") == Some(b"Widget".as_slice()) {
                d.insert("AP", Object::Dictionary(ap_dict.clone()));
                if options.visible.is_some() {
                    d.insert("Rect", rect_obj.clone());
                }
            }
            writer.update(*r, Object::Dictionary(d));
            *r
        }
        _ => {
            let name = match &options.field_name {
                Some(n) => n.clone(),
                None => (1..)
                    .map(|i| format!("Signature{i}"))
                    .find(|n| !all.iter().any(|(e, _, _)| e == n))
                    .unwrap_or_else(|| "Signature".into()),
            };
            let mut d = Dictionary::new();
            d.insert("FT", Object::name("Sig"));
            d.insert("T", Object::String(PdfString::text(&name)));
            d.insert("V", Object::Reference(sig_ref));
            d.insert("Type", Object::name("Annot"));
            d.insert("Subtype", Object::name("Widget"));
            d.insert("F", Object::Integer(132)); // Print + Locked
            d.insert("Rect", rect_obj);
            d.insert("P", Object::Reference(page_ref));
            d.insert("AP", Object::Dictionary(ap_dict));
            let r = writer.add(Object::Dictionary(d));
            new_annot = Some(r);
            r
        }
    };

    // AcroForm /Fields and /SigFlags; the page's /Annots.
    let mut catalog_changed = false;
    if new_annot.is_some() {
        let mut fields = top_fields.clone();
        fields.push(Object::Reference(field_ref));
        match fields_ref {
            Some(r) => writer.update(r, Object::Array(fields)),
            None => {
                acroform.insert("Fields", Object::Array(fields));
            }
        }
    }
    acroform.insert("SigFlags", Object::Integer(3));
    match acroform_ref {
        Some(r) => writer.update(r, Object::Dictionary(acroform)),
        None => {
            let r = writer.add(Object::Dictionary(acroform));
            catalog.insert("AcroForm", Object::Reference(r));
            catalog_changed = true;
        }
    }
    if let Some(annot) = new_annot {
        let mut page = reader
            .get(page_ref)?
            .as_dict()
            .cloned()
            .ok_or_else(|| Error::malformed("page", "not a dictionary"))?;
        match page.get("Annots").cloned() {
            Some(Object::Reference(r)) => {
                let mut arr = reader
                    .get(r)?
                    .as_array()
                    .map(<[Object]>::to_vec)
                    .unwrap_or_default();
                arr.push(Object::Reference(annot));
                writer.update(r, Object::Array(arr));
            }
            Some(Object::Array(mut arr)) => {
                arr.push(Object::Reference(annot));
                page.insert("Annots", Object::Array(arr));
                writer.update(page_ref, Object::Dictionary(page));
            }
            _ => {
                page.insert("Annots", Object::Array(vec![Object::Reference(annot)]));
                writer.update(page_ref, Object::Dictionary(page));
            }
        }
    }

    // The signature dictionary, serialised here so the placeholders' places are known.
    let contents_size = options
        .contents_size
        .unwrap_or_else(|| estimate_contents_size(identity, algorithm));
    let hex_len = contents_size * 2;
    let mut body = Vec::with_capacity(hex_len + 1024);
    body.extend_from_slice(b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /");
    body.extend_from_slice(options.subfilter.name().as_bytes());
    body.extend_from_slice(b"\n/ByteRange ");
    let br_rel = body.len();
    body.extend_from_slice(BYTE_RANGE_PLACEHOLDER.as_bytes());
    body.extend_from_slice(b"\n/Contents <");
    let contents_rel = body.len();
    body.resize(body.len() + hex_len, b'0');
    body.extend_from_slice(b">\n/M ");
    Object::String(PdfString::literal(
        crate::time::format_pdf_date(signing_time).into_bytes(),
    ))
    .write_pdf(&mut body);
    body.extend_from_slice(b" /Name ");
    Object::String(PdfString::text(&signer_name)).write_pdf(&mut body);
    for (key, value) in [
        ("Reason", &options.reason),
        ("Location", &options.location),
        ("ContactInfo", &options.contact_info),
    ] {
        if let Some(v) = value {
            body.extend_from_slice(format!(" /{key} ").as_bytes());
            Object::String(PdfString::text(v)).write_pdf(&mut body);
        }
    }
    if let Some(c) = options.certify {
        body.extend_from_slice(
            format!(
                "\n/Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P {} /V /1.2 >> >>]",
                c.p()
            )
            .as_bytes(),
        );
        let mut perms = match catalog.get("Perms") {
            Some(p) => reader.resolve(p)?.as_dict().cloned().unwrap_or_default(),
            None => Dictionary::new(),
        };
        perms.insert("DocMDP", Object::Reference(sig_ref));
        catalog.insert("Perms", Object::Dictionary(perms));
        catalog_changed = true;
    }
    body.extend_from_slice(b" >>");
    writer.put_raw(sig_ref, body);
    if catalog_changed {
        writer.update(catalog_ref, Object::Dictionary(catalog));
    }
    let separator = reader.append_separator();
    let base_len = reader.file_len();
    drop(reader);

    // Copy the original, append the update.
    let io = |e| Error::io("writing the signed PDF", e);
    input.seek(SeekFrom::Start(0)).map_err(io)?;
    output.seek(SeekFrom::Start(0)).map_err(io)?;
    let copied = std::io::copy(&mut input.by_ref().take(base_len), output).map_err(io)?;
    if copied != base_len {
        return Err(Error::io(
            "copying the PDF",
            std::io::Error::from(std::io::ErrorKind::UnexpectedEof),
        ));
    }
    output.write_all(separator).map_err(io)?;
    let report = writer.write(output, base_len + separator.len() as u64)?;
    output.flush().map_err(io)?;
    let written = report
        .object(sig_ref)
        .ok_or_else(|| Error::malformed("PDF update", "signature dictionary not written"))?;
    let contents_start = written.body_offset + contents_rel as u64 - 1; // the '<'
    let contents_end = written.body_offset + contents_rel as u64 + hex_len as u64 + 1; // after '>'
    let total = report.total_len;
    let br = format!(
        "[0 {} {} {}]",
        contents_start,
        contents_end,
        total - contents_end
    );
    if br.len() > BYTE_RANGE_PLACEHOLDER.len() {
        return Err(Error::Unsupported(
            "file too large for the /ByteRange placeholder".into(),
        ));
    }
    let br_padded = format!("{br:<width$}", width = BYTE_RANGE_PLACEHOLDER.len());
    output
        .seek(SeekFrom::Start(written.body_offset + br_rel as u64))
        .map_err(io)?;
    output.write_all(br_padded.as_bytes()).map_err(io)?;
    output.flush().map_err(io)?;

    // Hash the two ranges from the output and prepare the CMS.
    let cades_options = CadesOptions {
        attached: false,
        signing_time: match options.subfilter {
            SubFilter::EtsiCadesDetached => SigningTime::Omit,
            SubFilter::AdbePkcs7Detached => SigningTime::At(signing_time),
        },
        policy: options.policy.clone(),
        ..CadesOptions::default()
    };
    let ranges = RangesReader {
        file: output,
        ranges: [(0, contents_start), (contents_end, total - contents_end)],
        idx: 0,
        pos: 0,
    };
    let prepared = cades::prepare(ranges, identity, algorithm, &cades_options)?;
    Ok(PreparedPdf {
        to_be_signed: prepared.to_be_signed,
        digest: prepared.digest,
        state: PdfSigningState {
            cades: prepared.state,
            contents_offset: written.body_offset + contents_rel as u64,
            contents_capacity: hex_len,
        },
    })
}

/// Second step: writes the CMS made from `signature` into the `/Contents` placeholder of the
/// file [`prepare`] wrote.
pub fn finish<W: Write + Seek>(
    output: &mut W,
    state: &PdfSigningState,
    signature: &[u8],
) -> Result<()> {
    let cms = cades::finish(&state.cades, signature)?;
    let hex = hex::encode(&cms);
    if hex.len() > state.contents_capacity {
        return Err(Error::ContentsTooSmall {
            needed: cms.len(),
            reserved: state.contents_capacity / 2,
        });
    }
    let io = |e| Error::io("writing the signature into the PDF", e);
    output
        .seek(SeekFrom::Start(state.contents_offset))
        .map_err(io)?;
    output.write_all(hex.as_bytes()).map_err(io)?;
    output.flush().map_err(io)
}

/// Signs `input` into `output` in one call (retrying once with a larger `/Contents` when the
/// estimate was too small).
pub fn sign<R: Read + Seek, W: Read + Write + Seek>(
    mut input: R,
    output: &mut W,
    signer: &dyn Signer,
    options: &PadesOptions,
) -> Result<()> {
    let mut opts = options.clone();
    for _ in 0..2 {
        let prepared = prepare(
            &mut input,
            output,
            signer.identity(),
            signer.algorithm(),
            &opts,
        )?;
        let value = signer.sign(&prepared.to_be_signed)?;
        match finish(output, &prepared.state, &value) {
            Err(Error::ContentsTooSmall { needed, .. }) => {
                opts.contents_size = Some(needed + 1024);
            }
            other => return other,
        }
    }
    Err(Error::ContentsTooSmall {
        needed: 0,
        reserved: opts.contents_size.unwrap_or(0),
    })
}

/// Signs the file at `input` into a new file at `output` (written through a temporary file in
/// the same directory: a failure leaves nothing behind).
pub fn sign_file(
    input: &Path,
    output: &Path,
    signer: &dyn Signer,
    options: &PadesOptions,
) -> Result<()> {
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
        sign(std::io::BufReader::new(inp), &mut out, signer, options)?;
        out.sync_all()
            .map_err(|e| Error::io("syncing the output", e))?;
        std::fs::rename(&tmp, output)
            .map_err(|e| Error::io(format!("writing {}", output.display()), e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
