"""Keep secrets out of everything harden writes for people: reports, bundles, inventories.

Two layers: variables whose names say they hold a secret are dropped whole, and any text that looks
like a password hash, a private key or a vault blob is masked wherever it appears.
"""

from __future__ import annotations

import re

REMOVED = "(removed: secret)"
SECRET_NAME = re.compile(r"pass(word|wd|phrase)?|secret|token|credential|vault|private_key(?!_file)|api_key|_pw$",
                         re.IGNORECASE)
SECRET_TEXT = [
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|\Z)", re.DOTALL),
    re.compile(r"\$ANSIBLE_VAULT;[^\s\"']*(\s+[0-9a-f]+)*"),
    # crypt(3) hashes: yescrypt, gost-yescrypt, scrypt, sha512/256-crypt, bcrypt, md5-crypt
    re.compile(r"\$(y|gy|7|6|5|2[abxy]?|1)\$[./A-Za-z0-9$]{8,}"),
    re.compile(r"grub\.pbkdf2\.sha512\.[0-9]+\.[0-9A-F.]+"),
]


def redact_text(text: str) -> str:
    for pattern in SECRET_TEXT:
        text = pattern.sub(REMOVED, text)
    return text


def strip_secrets(value):
    """A copy of value with secret-named keys removed and secret-looking text masked."""
    if isinstance(value, dict):
        if "__ansible_vault" in value:
            return REMOVED
        return {k: (REMOVED if isinstance(k, str) and SECRET_NAME.search(k) else strip_secrets(v))
                for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [strip_secrets(v) for v in value]
    if isinstance(value, str):
        return redact_text(value)
    return value
