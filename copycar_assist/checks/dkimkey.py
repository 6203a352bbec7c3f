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

from copycar_assist.files.msg import Msg

from .dnsquery import Lookup
from .mailverdict import Verdict, verdict

MIN_RSA_BITS = 1024  # RFC 8301 §3.2: verifiers must not accept smaller keys
GOOD_RSA_BITS = 2048  # RFC 8301 §3.2: signers should use at least this


@dataclass
class KeyReport:
    verdicts: list[Verdict]
    fact: Msg  # for the evidence line "dkim <selector>"
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

    def v(level: str, area: str, ref: str, what: Msg, fix: Msg) -> Verdict:
        return verdict(level, area, ref, what, fix)

    if lk.void:
        return KeyReport([v("warn", "dkim_missing", "RFC 6376 §3.6.2.1",
                            Msg.of("check.dkim.no_dkim_key_cannot", name=name, said=lk.said()),
                            Msg.of("check.dkim.no_dkim_key_cannot_fix"))],
                         Msg.of("check.dkim.not_found", said=lk.said()))
    if lk.undetermined:
        return KeyReport([v("warn", "dkim_missing", "RFC 6376 §6.1.2",
                            Msg.of("check.dkim.could_not_read_verifiers", name=name, said=lk.said()),
                            Msg.of("check.dns.retry_when_it_answers"))],
                         lk.said())
    records = [r for r in lk.records if "p=" in "".join(r.split())]
    if not records:
        return KeyReport([v("fail", "dkim_invalid", "RFC 6376 §3.6.1",
                            Msg.of("check.dkim.record_not_dkim_key", name=name, selector=selector),
                            Msg.of("check.dkim.record_not_dkim_key_fix"))],
                         Msg.of("check.dkim.no_p_tag"))
    out: list[Verdict] = []
    if len(records) > 1:
        out.append(v("warn", "dkim_invalid", "RFC 6376 §3.6.2.2",
                     Msg.of("check.dkim.holds_keys_each_verifier", name=name, n_records=len(records)),
                     Msg.of("check.dkim.holds_keys_each_verifier_fix")))
    text = records[0]
    tags = _tags(text)
    if not tags.get("p"):
        out.append(v("fail", "dkim_invalid", "RFC 6376 §3.6.1",
                     Msg.of("check.dkim.dkim_key_revoked_empty", name=name, selector=selector),
                     Msg.of("check.dkim.dkim_key_revoked_empty_fix")))
        return KeyReport(out, Msg.of("check.dkim.revoked_empty_p"))
    import dkim

    try:
        _pk, bits, ktag, _tls = dkim.evaluate_pk(name, text.encode("utf-8", "replace"))
    except Exception as exc:  # dkimpy's ASN.1 reader meets hostile bytes here: any error means no key
        reason = _reason(exc)
        out.append(v("fail", "dkim_invalid", "RFC 6376 §3.6.1",
                     Msg.of("check.dkim.dkim_key_does_not", name=name, reason=reason, n_p=len(tags['p']),
                            selector=selector),
                     Msg.of("check.dkim.dkim_key_does_not_fix")))
        return KeyReport(out, Msg.of("check.dkim.does_not_parse", reason=reason))
    alg = (ktag or b"rsa").decode()
    if alg == "rsa" and bits is not None and bits < MIN_RSA_BITS:
        out.append(v("fail", "dkim_invalid", "RFC 8301 §3.2",
                     Msg.of("check.dkim.dkim_key_bit_rsa", name=name, bits=bits, min_rsa_bits=MIN_RSA_BITS),
                     Msg.of("check.dkim.dkim_key_bit_rsa_fix", good_rsa_bits=GOOD_RSA_BITS)))
    elif alg == "rsa" and bits is not None and bits < GOOD_RSA_BITS:
        out.append(v("info", "dkim_invalid", "RFC 8301 §3.2",
                     Msg.of("check.dkim.dkim_key_bit_rsa_2", name=name, bits=bits, good_rsa_bits=GOOD_RSA_BITS),
                     Msg.of("check.dkim.dkim_key_bit_rsa_2_fix", good_rsa_bits=GOOD_RSA_BITS)))
    hashes = [h.lower() for h in tags.get("h", "").split(":") if h]
    if hashes and "sha256" not in hashes:
        out.append(v("fail", "dkim_invalid", "RFC 8301 §3.1",
                     Msg.of("check.dkim.allows_only_h_verifiers", name=name, hashes=':'.join(hashes)[:30]),
                     Msg.of("check.dkim.allows_only_h_verifiers_fix")))
    service = [s.lower() for s in tags.get("s", "*").split(":") if s]
    if not ({"*", "email"} & set(service)):
        out.append(v("fail", "dkim_invalid", "RFC 6376 §3.6.1",
                     Msg.of("check.dkim.declares_s_key_not", name=name, service=':'.join(service)[:30]),
                     Msg.of("check.dkim.declares_s_key_not_fix")))
    if "y" in [f.lower() for f in tags.get("t", "").split(":")]:
        out.append(v("warn", "dkim_invalid", "RFC 6376 §3.6.1",
                     Msg.of("check.dkim.testing_mode_t_y", name=name),
                     Msg.of("check.dkim.testing_mode_t_y_fix")))
    size = f"RSA {bits}" if alg == "rsa" else "Ed25519"
    usable = not any(x.level == "fail" for x in out)
    return KeyReport(out, Msg.of("check.dkim.found_parses", size=size),
                     algorithm=alg if usable else "")


def ed25519_only(selectors: list[str], reports: list[KeyReport]) -> Verdict | None:
    """Every usable key is Ed25519: receivers that do not implement RFC 8463 see no valid signature."""
    algs = {r.algorithm for r in reports if r.algorithm}
    if algs != {"ed25519"}:
        return None
    names = ", ".join(selectors[:4])
    return verdict("warn", "dkim_invalid", "RFC 8463 §5",
                   Msg.of("check.dkim.only_ed25519_keys_receivers", names=names),
                   Msg.of("check.dkim.only_ed25519_keys_receivers_fix"))


def _reason(exc: Exception) -> Msg:
    text = str(exc)
    if "unknown algorithm" in text:
        return Msg.of("check.dkim.unknown_k_algorithm")
    if "bad version" in text:
        return Msg.of("check.dkim.v_not_dkim1")
    if isinstance(exc, ValueError) or "parse" in text.lower() or "incomplete" in text:
        return Msg.of("check.dkim.truncated_not_valid_base64")
    return Msg.of("check.dkim.reason_error", name=type(exc).__name__)
