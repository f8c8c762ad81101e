//! The widget of a signature: the page it sits on, its rectangle (as asked, or the existing
//! widget's), and its appearance stream (text lines, an optional image; empty when invisible).

use super::form::FormField;
use super::{PadesOptions, Visible};
use crate::error::{Error, Result};
use crate::pades::appearance;
use crate::pdf::PageNode;
use crate::pdf::object::{Dictionary, ObjRef, Object, Stream};
use crate::pdf::reader::Reader;
use crate::pdf::writer::IncrementalWriter;
use std::io::{Read, Seek};
use std::time::SystemTime;

/// Who signs and when, as the appearance shows it.
pub(super) struct Signing<'a> {
    pub(super) name: &'a str,
    pub(super) time: SystemTime,
}

/// Where the widget goes and what it shows.
pub(super) struct Placement {
    /// The page the widget is on.
    pub(super) page: ObjRef,
    /// Its rectangle (zeros when invisible).
    pub(super) rect: [f64; 4],
    /// Its appearance dictionary (`/N` to the appearance stream).
    pub(super) ap: Dictionary,
}

/// Places the widget and writes its appearance.
pub(super) fn place<R: Read + Seek>(
    reader: &Reader<R>,
    writer: &mut IncrementalWriter,
    existing: Option<&FormField>,
    options: &PadesOptions,
    signing: &Signing<'_>,
) -> Result<Placement> {
    let shown = shown(reader, options, existing)?;
    let rect = shown.as_ref().map(|v| v.rect).unwrap_or([0.0; 4]);
    let page_index = options
        .visible
        .as_ref()
        .map_or(0, |v| v.page.saturating_sub(1));
    // The fast way first: one page found by descending with /Count (a large document is not
    // walked); a tree it cannot use (a direct page among the kids) gets the tolerant walk.
    let page = match reader.page_ref(page_index) {
        Ok(Some(page)) => page,
        _ => {
            let pages = reader.pages()?;
            let node = *pages.get(page_index).ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "page {} does not exist (the document has {})",
                    page_index + 1,
                    pages.len()
                ))
            })?;
            widget_page(&pages, node, page_index, shown.is_some())?
        }
    };
    let ap = appearance_stream(writer, shown.as_ref(), rect, options, signing)?;
    let mut ap_dict = Dictionary::new();
    ap_dict.insert("N", Object::Reference(ap));
    Ok(Placement {
        page,
        rect,
        ap: ap_dict,
    })
}

/// The page that gets the widget. A page given directly in `/Kids` cannot get `/Annots` by an
/// update of its own: an invisible widget goes to the first page that is an object of its
/// own; a visible one is refused (pyHanko refuses such files altogether).
fn widget_page(pages: &[PageNode], node: PageNode, index: usize, visible: bool) -> Result<ObjRef> {
    if let Some(r) = node.indirect() {
        return Ok(r);
    }
    let refuse = |why: &str| {
        Error::Unsupported(format!(
            "page {} is a direct dictionary in the page tree's /Kids (ISO 32000-2 §7.7.3.2 wants a reference), so it cannot carry the signature widget{why}",
            index + 1
        ))
    };
    if visible {
        return Err(refuse(": place the visible signature on another page"));
    }
    pages
        .iter()
        .find_map(|p| p.indirect())
        .ok_or_else(|| refuse(", and no page of the document is an object of its own"))
}

/// What is shown: as asked, or, for an invisible signature into an existing widget with a
/// real rectangle, the default appearance in that rectangle.
fn shown<R: Read + Seek>(
    reader: &Reader<R>,
    options: &PadesOptions,
    existing: Option<&FormField>,
) -> Result<Option<Visible>> {
    if options.visible.is_some() {
        return Ok(options.visible.clone());
    }
    let Some(d) = existing.map(|f| &f.dict) else {
        return Ok(None);
    };
    if d.get_name("Subtype") != Some(b"Widget".as_slice()) {
        return Ok(None);
    }
    let Some(r) = d.get("Rect") else {
        return Ok(None);
    };
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
        return Ok(Some(Visible {
            page: 1,
            rect: [x1.min(*x2), y1.min(*y2), x1.max(*x2), y1.max(*y2)],
            image_png: None,
            lines: None,
        }));
    }
    Ok(None)
}

/// Writes the appearance stream (a form XObject of the rectangle's size, empty when nothing
/// is shown) and the image and font it uses.
fn appearance_stream(
    writer: &mut IncrementalWriter,
    shown: Option<&Visible>,
    rect: [f64; 4],
    options: &PadesOptions,
    signing: &Signing<'_>,
) -> Result<ObjRef> {
    let (w, h) = ((rect[2] - rect[0]).abs(), (rect[3] - rect[1]).abs());
    let mut resources = Dictionary::new();
    let content = match shown {
        None => Vec::new(),
        Some(v) => {
            let lines = v
                .lines
                .clone()
                .unwrap_or_else(|| default_lines(signing, options.reason.as_deref()));
            let mut image_size = None;
            if let Some(png) = &v.image_png {
                let (img_ref, size) = add_image(writer, png)?;
                image_size = Some(size);
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
    Ok(writer.add(Object::Stream(Stream::flate(ap, &content)?)))
}

/// The default text: who signed, when, and why.
fn default_lines(signing: &Signing<'_>, reason: Option<&str>) -> Vec<String> {
    let mut l = vec![format!("Assinado digitalmente por {}", signing.name)];
    let when = der::DateTime::from_system_time(signing.time)
        .map(|d| {
            crate::time::rfc3339(&d)
                .replace('T', " ")
                .replace('Z', " UTC")
        })
        .unwrap_or_default();
    l.push(format!("Data: {when}"));
    if let Some(r) = reason {
        l.push(format!("Motivo: {r}"));
    }
    l
}

/// Writes a PNG as an image XObject (with its alpha channel as a soft mask); returns it and
/// its size in pixels.
fn add_image(writer: &mut IncrementalWriter, png: &[u8]) -> Result<(ObjRef, (u32, u32))> {
    let img = appearance::decode_png(png)?;
    let image_dict = |color_space: &str| {
        let mut d = Dictionary::new();
        d.insert("Type", Object::name("XObject"));
        d.insert("Subtype", Object::name("Image"));
        d.insert("Width", Object::Integer(img.width.into()));
        d.insert("Height", Object::Integer(img.height.into()));
        d.insert("ColorSpace", Object::name(color_space));
        d.insert("BitsPerComponent", Object::Integer(8));
        d
    };
    let mut idict = image_dict(if img.rgb { "DeviceRGB" } else { "DeviceGray" });
    if let Some(alpha) = &img.alpha {
        let smask = writer.add(Object::Stream(Stream::flate(
            image_dict("DeviceGray"),
            alpha,
        )?));
        idict.insert("SMask", Object::Reference(smask));
    }
    let img_ref = writer.add(Object::Stream(Stream::flate(idict, &img.samples)?));
    Ok((img_ref, (img.width, img.height)))
}
