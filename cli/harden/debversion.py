"""Debian version comparison (deb-version(7)): epoch, upstream version, Debian revision; '~' sorts
before everything, even the end of the string."""

from __future__ import annotations

import re
from functools import cmp_to_key


def _order(c: str) -> int:
    if c == "~":
        return -1
    if c.isdigit():
        return 0
    if c.isalpha():
        return ord(c)
    return ord(c) + 256


def _compare_part(a: str, b: str) -> int:
    while a or b:
        a_lex, a = re.match(r"([^0-9]*)(.*)", a).groups()
        b_lex, b = re.match(r"([^0-9]*)(.*)", b).groups()
        for i in range(max(len(a_lex), len(b_lex)) + 1):
            ca = _order(a_lex[i]) if i < len(a_lex) else 0
            cb = _order(b_lex[i]) if i < len(b_lex) else 0
            if ca != cb:
                return -1 if ca < cb else 1
        a_num, a = re.match(r"([0-9]*)(.*)", a).groups()
        b_num, b = re.match(r"([0-9]*)(.*)", b).groups()
        if int(a_num or 0) != int(b_num or 0):
            return -1 if int(a_num or 0) < int(b_num or 0) else 1
    return 0


def _split(version: str) -> tuple[int, str, str]:
    epoch, _, rest = version.partition(":") if ":" in version else ("0", "", version)
    upstream, _, revision = rest.rpartition("-") if "-" in rest else (rest, "", "0")
    return int(epoch or 0), upstream, revision


def compare(a: str, b: str) -> int:
    """-1, 0 or 1 as a sorts before, with or after b."""
    ea, ua, ra = _split(a)
    eb, ub, rb = _split(b)
    if ea != eb:
        return -1 if ea < eb else 1
    return _compare_part(ua, ub) or _compare_part(ra, rb)


sort_key = cmp_to_key(compare)
