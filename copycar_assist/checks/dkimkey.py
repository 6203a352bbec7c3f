"""DKIM public keys at `<selector>._domainkey.<domain>` (RFC 6376 §3.6.1, RFC 8301, RFC 8463).

The key is parsed by `dkimpy` (`dkim.evaluate_pk`), the verifier many mail filters run, so a key
we call good is one a verifier can load: a truncated or mangled `p=` (a DNS panel that cuts the
field at 255 characters), an unknown `k=`, or a service type other than e-mail is a failure;
so is an RSA key under 1024 bits (RFC 8301 §3.2), a record that allows only SHA-1 (`h=sha1`,
RFC 8301 §3.1) and a revoked key (empty `p=`). Testing mode (`t=y`) makes verifiers treat signed
mail as unsigned: a warning. Ed25519 keys (RFC 8463) are parsed with PyNaCl through dkimpy.
A selector with no record is "cannot determine" (is that the selector the provider signs with?),
never a failure. No signing, no private keys here.
"""

from __future__ import annotations

from dataclasses import dataclass

from .dnsquery import Lookup
from .mailverdict import Bi, Verdict, verdict

MIN_RSA_BITS = 1024  # RFC 8301 §3.2: verifiers must not accept smaller keys
GOOD_RSA_BITS = 2048  # RFC 8301 §3.2: signers should use at least this


@dataclass
class KeyReport:
    verdicts: list[Verdict]
    fact: Bi  # for the evidence line "dkim <selector>"
    algorithm: str = ""  # rsa | ed25519 when the key is usable


def _tags(text: str) -> dict[str, str]:
    tags: dict[str, str] = {}
    for part in text.split(";"):
        key, sep, value = part.partition("=")
        if sep:
            tags.setdefault(key.strip().lower(), "".join(value.split()))
    return tags


def judge_key(selector: str, domain: str, lk: Lookup) -> KeyReport:
    name = f"{selector}._domainkey.{domain}"

    def v(level: str, area: str, ref: str, es: tuple[str, str], en: tuple[str, str]) -> Verdict:
        return verdict(level, area, ref, es, en)

    if lk.void:
        return KeyReport([v("warn", "dkim_missing", "RFC 6376 §3.6.2.1",
                            (f"No hay clave DKIM en {name} ({lk.describe('es')}): no se puede determinar si el correo va firmado",
                             "Comprueba en tu proveedor el selector con el que firma y ponlo en email.dkim_selectors, o publica su clave ahí"),
                            (f"No DKIM key at {name} ({lk.describe()}): cannot determine whether mail is signed",
                             "Look up the selector your provider signs with and set it in email.dkim_selectors, or publish its key there"))],
                         Bi("no encontrado: " + lk.describe("es"), "not found: " + lk.describe()))
    if lk.undetermined:
        return KeyReport([v("warn", "dkim_missing", "RFC 6376 §6.1.2",
                            (f"No se pudo leer {name} ({lk.describe('es')}): los verificadores devuelven un error temporal",
                             "Comprueba que los servidores DNS del dominio responden y repite la comprobación"),
                            (f"Could not read {name} ({lk.describe()}): verifiers get a temporary error",
                             "Check that the domain's DNS servers answer, then run the check again"))],
                         Bi(lk.describe("es"), lk.describe()))
    records = [r for r in lk.records if "p=" in "".join(r.split())]
    if not records:
        return KeyReport([v("fail", "dkim_invalid", "RFC 6376 §3.6.1",
                            (f"El registro de {name} no es una clave DKIM (falta p=): toda firma con el selector «{selector}» falla",
                             "Publica ahí el registro v=DKIM1; k=rsa; p=… que te da tu proveedor"),
                            (f"The record at {name} is not a DKIM key (no p=): every signature with selector '{selector}' fails",
                             "Publish there the v=DKIM1; k=rsa; p=… record your provider gives you"))],
                         Bi("sin etiqueta p=", "no p= tag"))
    out: list[Verdict] = []
    if len(records) > 1:
        out.append(v("warn", "dkim_invalid", "RFC 6376 §3.6.2.2",
                     (f"{name} tiene {len(records)} claves: cada verificador elige una y las firmas con la otra fallan",
                      "Deja una sola clave por selector"),
                     (f"{name} holds {len(records)} keys: each verifier picks one, and signatures made with the other fail",
                      "Keep one key per selector")))
    text = records[0]
    tags = _tags(text)
    if not tags.get("p"):
        out.append(v("fail", "dkim_invalid", "RFC 6376 §3.6.1",
                     (f"La clave DKIM de {name} está revocada (p= vacío): si tu proveedor aún firma con «{selector}», todas esas firmas fallan",
                      "Firma con un selector activo y quita este de email.dkim_selectors, o publica de nuevo la clave"),
                     (f"The DKIM key at {name} is revoked (empty p=): if your provider still signs with '{selector}', every such signature fails",
                      "Sign with an active selector and drop this one from email.dkim_selectors, or publish the key again")))
        return KeyReport(out, Bi("revocada (p= vacío)", "revoked (empty p=)"))
    import dkim

    try:
        _pk, bits, ktag, _tls = dkim.evaluate_pk(name, text.encode("utf-8", "replace"))
    except Exception as exc:  # dkimpy's ASN.1 reader meets hostile bytes here: any error means no key
        reason = _reason(exc)
        out.append(v("fail", "dkim_invalid", "RFC 6376 §3.6.1",
                     (f"La clave DKIM de {name} no se puede leer ({reason.es}; p= tiene {len(tags['p'])} caracteres): toda firma con «{selector}» falla",
                      "Publica la clave completa; si el panel DNS corta a 255 caracteres, divide el valor en varias cadenas entre comillas dentro del mismo TXT"),
                     (f"The DKIM key at {name} does not parse ({reason.en}; p= is {len(tags['p'])} characters): every signature with '{selector}' fails",
                      "Publish the whole key; if the DNS panel cuts at 255 characters, split the value into several quoted strings in the same TXT record")))
        return KeyReport(out, Bi(f"no se puede leer ({reason.es})", f"does not parse ({reason.en})"))
    alg = (ktag or b"rsa").decode()
    if alg == "rsa" and bits is not None and bits < MIN_RSA_BITS:
        out.append(v("fail", "dkim_invalid", "RFC 8301 §3.2",
                     (f"La clave DKIM de {name} es RSA de {bits} bits: los verificadores rechazan las de menos de {MIN_RSA_BITS}",
                      f"Genera una clave RSA de {GOOD_RSA_BITS} bits en tu proveedor y publícala"),
                     (f"The DKIM key at {name} is {bits}-bit RSA: verifiers reject keys under {MIN_RSA_BITS} bits",
                      f"Generate a {GOOD_RSA_BITS}-bit RSA key at your provider and publish it")))
    elif alg == "rsa" and bits is not None and bits < GOOD_RSA_BITS:
        out.append(v("info", "dkim_invalid", "RFC 8301 §3.2",
                     (f"La clave DKIM de {name} es RSA de {bits} bits: aún se acepta, pero se recomiendan {GOOD_RSA_BITS}",
                      f"Rota a una clave de {GOOD_RSA_BITS} bits cuando puedas"),
                     (f"The DKIM key at {name} is {bits}-bit RSA: still accepted, but {GOOD_RSA_BITS} bits are recommended",
                      f"Rotate to a {GOOD_RSA_BITS}-bit key when you can")))
    hashes = [h.lower() for h in tags.get("h", "").split(":") if h]
    if hashes and "sha256" not in hashes:
        out.append(v("fail", "dkim_invalid", "RFC 8301 §3.1",
                     (f"{name} solo admite {':'.join(hashes)[:30]} (h=): los verificadores ya no aceptan firmas rsa-sha1",
                      "Quita h= o pon h=sha256, y firma con rsa-sha256"),
                     (f"{name} allows only {':'.join(hashes)[:30]} (h=): verifiers no longer accept rsa-sha1 signatures",
                      "Remove h= or set h=sha256, and sign with rsa-sha256")))
    service = [s.lower() for s in tags.get("s", "*").split(":") if s]
    if not ({"*", "email"} & set(service)):
        out.append(v("fail", "dkim_invalid", "RFC 6376 §3.6.1",
                     (f"{name} declara s={':'.join(service)[:30]}: la clave no vale para correo",
                      "Quita s= o pon s=email"),
                     (f"{name} declares s={':'.join(service)[:30]}: the key is not for e-mail",
                      "Remove s= or set s=email")))
    if "y" in [f.lower() for f in tags.get("t", "").split(":")]:
        out.append(v("warn", "dkim_invalid", "RFC 6376 §3.6.1",
                     (f"{name} está en modo de pruebas (t=y): los verificadores tratan el correo firmado como si no lo estuviera",
                      "Quita t=y cuando las firmas verifiquen"),
                     (f"{name} is in testing mode (t=y): verifiers treat signed mail as unsigned",
                      "Remove t=y once signatures verify")))
    size = f"RSA {bits}" if alg == "rsa" else "Ed25519"
    usable = not any(x.level == "fail" for x in out)
    return KeyReport(out, Bi(f"encontrada y legible ({size})", f"found and parses ({size})"),
                     algorithm=alg if usable else "")


def ed25519_only(selectors: list[str], reports: list[KeyReport]) -> Verdict | None:
    """Every usable key is Ed25519: receivers that do not implement RFC 8463 see no valid signature."""
    algs = {r.algorithm for r in reports if r.algorithm}
    if algs != {"ed25519"}:
        return None
    names = ", ".join(selectors[:4])
    return verdict("warn", "dkim_invalid", "RFC 8463 §5",
                   (f"Solo hay claves Ed25519 ({names}): los receptores que no verifican Ed25519 ven el correo sin firma válida",
                    "Firma también con una clave RSA de 2048 bits en otro selector (doble firma)"),
                   (f"Only Ed25519 keys ({names}): receivers that do not verify Ed25519 see no valid signature",
                    "Also sign with a 2048-bit RSA key under another selector (dual signing)"))


def _reason(exc: Exception) -> Bi:
    text = str(exc)
    if "unknown algorithm" in text:
        return Bi("algoritmo k= desconocido", "unknown k= algorithm")
    if "bad version" in text:
        return Bi("v= no es DKIM1", "v= is not DKIM1")
    if isinstance(exc, ValueError) or "parse" in text.lower() or "incomplete" in text:
        return Bi("cortada, o no es base64/DER válido", "truncated, or not valid base64/DER")
    return Bi(type(exc).__name__, type(exc).__name__)
