//! `GET /sign/{key}`: the signing page. It shows the document first (name, SHA-256, a view),
//! then, for a digital signer, the two-step through WebCrypto (the page of a real deployment
//! would call a token plugin or a mobile signer instead; the demo fills in the test key), for an
//! electronic signer a canvas for the graphism.

use crate::Portal;
use crate::db;
use crate::error::ApiResult;
use axum::extract::{Path, State};
use axum::response::Html;
use std::sync::Arc;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

const STYLE: &str = "body{font-family:sans-serif;max-width:46em;margin:2em auto}\
textarea{width:100%;height:6em;font-size:70%}canvas{border:1px solid #888;touch-action:none}\
iframe{width:100%;height:24em;border:1px solid #ccc}";

/// The digital two-step. The signer is `window.sigformSigner` when a token plugin, a local
/// agent's bridge or a mobile signer's script defines it (`chain()`: the certificate chain as
/// PEM text, signer first; `sign(prepared)`: the signature value over `prepared.toBeSigned`
/// with `prepared.signatureAlgorithm`); without one, the test signer below signs with
/// WebCrypto and the PKCS#8 key in the page (the demo PKI fills it in).
const DIGITAL_JS: &str = r#"
const b64 = b => btoa(String.fromCharCode(...new Uint8Array(b)));
const unb64 = s => Uint8Array.from(atob(s), c => c.charCodeAt(0));
const pemBody = p => unb64(p.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''));
async function post(path, body) {
  const r = await fetch(location.pathname + path, {method: 'POST',
    headers: {'content-type': 'application/json'}, body: JSON.stringify(body)});
  const j = await r.json();
  if (!r.ok) throw new Error(j.error.code + ': ' + j.error.message);
  return j;
}
// sigform's algorithm names (RSA-PKCS1v15-SHA-256, RSA-PSS-SHA-256-salt32, ECDSA-P-256-SHA-256)
// as WebCrypto's [import, sign] parameters.
function webCryptoAlgorithm(name) {
  const hash = (name.match(/SHA-(?:256|384|512)/) || ['SHA-256'])[0];
  if (name.startsWith('RSA-PKCS1v15-'))
    return [{name: 'RSASSA-PKCS1-v1_5', hash}, {name: 'RSASSA-PKCS1-v1_5'}];
  const pss = name.match(/^RSA-PSS-SHA-\d+-salt(\d+)$/);
  if (pss) return [{name: 'RSA-PSS', hash}, {name: 'RSA-PSS', saltLength: Number(pss[1])}];
  const ec = name.match(/^ECDSA-(P-256|P-384|P-521)-/);
  if (ec) return [{name: 'ECDSA', namedCurve: ec[1]}, {name: 'ECDSA', hash}];
  throw new Error('no WebCrypto algorithm for ' + name);
}
const testSigner = {
  async chain() { return document.getElementById('chain').value; },
  async sign(prepared) {
    const [importAlg, signAlg] = webCryptoAlgorithm(prepared.signatureAlgorithm);
    const key = await crypto.subtle.importKey('pkcs8',
      pemBody(document.getElementById('key').value), importAlg, false, ['sign']);
    return crypto.subtle.sign(signAlg, key, unb64(prepared.toBeSigned));
  },
};
async function signDigital() {
  const out = document.getElementById('result');
  const button = document.getElementById('sign');
  button.disabled = true;
  out.textContent = 'signing';
  try {
    const signer = window.sigformSigner || testSigner;
    const prepared = await post('/prepare', {certificateChain: await signer.chain()});
    const value = await signer.sign(prepared);
    await post('/finish', {signature: b64(value)});
    out.textContent = 'signed';
  } catch (e) { out.textContent = 'error: ' + e.message; button.disabled = false; }
}
"#;

const ELECTRONIC_JS: &str = r#"
const c = document.getElementById('pad'), g = c.getContext('2d');
let down = false, drawn = false;
g.lineWidth = 3; g.strokeStyle = '#14288c'; g.lineCap = 'round';
const at = e => { const r = c.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };
c.addEventListener('pointerdown', e => { down = true; g.beginPath(); g.moveTo(...at(e)); });
c.addEventListener('pointermove', e => { if (down) { g.lineTo(...at(e)); g.stroke(); drawn = true; } });
addEventListener('pointerup', () => { down = false; });
async function signElectronic() {
  const out = document.getElementById('result');
  if (!drawn) { out.textContent = 'draw your signature first'; return; }
  const r = await fetch(location.pathname + '/electronic', {method: 'POST',
    headers: {'content-type': 'application/json'},
    body: JSON.stringify({graphism: c.toDataURL('image/png'),
      documentSha256: document.getElementById('sha').textContent})});
  const j = await r.json();
  out.textContent = r.ok ? 'signed' : 'error: ' + j.error.code + ': ' + j.error.message;
}
"#;

/// The page.
pub async fn sign_page(
    State(portal): State<Arc<Portal>>,
    Path(key): Path<String>,
) -> ApiResult<Html<String>> {
    let p = db::participant(&portal.db, &key).await?;
    let doc = db::document(&portal.db, &p.document_id).await?;
    let parts = db::participants(&portal.db, &doc.id).await?;
    let turn = crate::signing::check_turn(&p, &parts);
    let mut html = format!(
        "<!doctype html><html><head><meta charset=utf-8><title>Sign {name}</title>\
         <style>{STYLE}</style></head><body><h1>{name}</h1>\
         <p>{who}, step {step} ({kind} signature). Document SHA-256: <code id=sha>{sha}</code></p>\
         <p><a href=\"{key}/document\" target=_blank>Open the document</a></p>",
        name = escape(&doc.name),
        who = escape(&p.name),
        step = p.step,
        kind = escape(&p.kind),
        sha = doc.original_sha256,
        key = escape(&format!("/sign/{}", p.key)),
    );
    if doc.media_type == "application/pdf" {
        html.push_str(&format!(
            "<iframe src=\"/sign/{}/document\"></iframe>",
            escape(&p.key)
        ));
    }
    match (turn, p.kind.as_str()) {
        (Err(e), _) => html.push_str(&format!("<p id=result>{}</p>", escape(&e.message))),
        (Ok(()), "digital") => {
            let (chain, key) = portal
                .config
                .demo_signer
                .as_ref()
                .map(|d| (d.chain_pem.clone(), d.key_pem.clone()))
                .unwrap_or_default();
            html.push_str(&format!(
                "<p>Certificate chain (PEM, signer first):</p><textarea id=chain>{}</textarea>\
                 <p>Test key (PKCS#8 PEM; demo only: a real page calls the token plugin):</p>\
                 <textarea id=key>{}</textarea>\
                 <p><button id=sign onclick=signDigital()>Sign</button> <span id=result></span></p>\
                 <script>{DIGITAL_JS}</script>",
                escape(&chain),
                escape(&key)
            ));
        }
        (Ok(()), "electronic") => html.push_str(&format!(
            "<p>Draw your signature:</p><canvas id=pad width=360 height=120></canvas>\
             <p><button id=sign onclick=signElectronic()>Sign</button> <span id=result></span></p>\
             <script>{ELECTRONIC_JS}</script>"
        )),
        (Ok(()), _) => html.push_str("<p id=result>The server signs automatically.</p>"),
    }
    html.push_str("</body></html>");
    Ok(Html(html))
}
