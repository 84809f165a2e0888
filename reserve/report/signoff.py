"""The sign-off of a report folder (issue 14, item 1): who signed report.json, in which
role, when, and the SHA-256 of the exact report.json signed.

This is an attestation record, not a cryptographic signature: no credentials are stored and
anyone who can write the folder can sign. What it guarantees is the binding: a signature
names the SHA-256 of report.json's bytes, so a report recomputed or edited after it was
signed no longer matches and its signature reads INVALID.

The record is `signoff.json` beside report.json (never inside it: report.json is what is
signed). This module is pure: the record, its rules, and the view the HTML and the workbook
show (`SignoffView`). Reading and writing the folder is `reserve.signing`.

Rules (`check_new`): roles in order (no reviewer before a preparer, no approver before a
reviewer), one signature per role, the preparer may not also approve (the same name,
trimmed, case-insensitive), and nothing is added to a sign-off holding a signature that no
longer matches (the report changed: it is a new report, to be signed anew).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import Enum

SIGNOFF_NAME = "signoff.json"
SIGNOFF_SCHEMA = "reserve.signoff/1"
HTML_BEGIN = "<!-- signoff:begin -->"
HTML_END = "<!-- signoff:end -->"
SHEET_TITLE = "Sign-off"
HASH_PREFIX = 12  # hex digits of the hash shown in the HTML and the workbook


class Role(str, Enum):
    PREPARER = "preparer"
    REVIEWER = "reviewer"
    APPROVER = "approver"


ROLES: tuple[Role, ...] = (Role.PREPARER, Role.REVIEWER, Role.APPROVER)


class SignoffError(Exception):
    """A sign-off cannot be read or a signature cannot be added; the message is one line."""


def report_hash(data: bytes) -> str:
    """The SHA-256 of report.json's bytes, hex."""
    return hashlib.sha256(data).hexdigest()


def same_person(a: str, b: str) -> bool:
    """Names compared trimmed, inner spaces collapsed, case-insensitive."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


@dataclass(frozen=True)
class Signature:
    role: Role
    name: str
    signed_at: str  # UTC, ISO seconds: 2026-12-03T07:05:00Z
    report_sha256: str
    comment: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"role": self.role.value, "name": self.name, "signed_at": self.signed_at,
                "report_sha256": self.report_sha256, "comment": self.comment}


@dataclass(frozen=True)
class SignOff:
    signatures: tuple[Signature, ...] = ()

    def by_role(self, role: Role) -> Signature | None:
        return next((s for s in self.signatures if s.role == role), None)

    def add(self, sig: Signature) -> SignOff:
        return SignOff((*self.signatures, sig))

    def to_json(self) -> str:
        doc = {"schema": SIGNOFF_SCHEMA, "signed": "report.json",
               "signatures": [s.to_dict() for s in self.signatures]}
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

    @staticmethod
    def from_json(text: str) -> SignOff:
        """Read signoff.json; SignoffError (one line) when it is not a sign-off record."""
        try:
            doc = json.loads(text)
        except ValueError as exc:
            raise SignoffError(f"{SIGNOFF_NAME} is not valid JSON ({exc})") from None
        if not isinstance(doc, dict) or doc.get("schema") != SIGNOFF_SCHEMA or not isinstance(
                doc.get("signatures"), list):
            raise SignoffError(f"{SIGNOFF_NAME} is not a reserve sign-off record (schema {SIGNOFF_SCHEMA})")
        sigs = []
        for i, s in enumerate(doc["signatures"], 1):
            fields = ("role", "name", "signed_at", "report_sha256", "comment")
            if not isinstance(s, dict) or any(not isinstance(s.get(f, ""), str) for f in fields) \
                    or s.get("role") not in {r.value for r in ROLES}:
                raise SignoffError(f"{SIGNOFF_NAME}: signature {i} is not a signature record")
            sigs.append(Signature(Role(s["role"]), s.get("name", ""), s.get("signed_at", ""),
                                  s.get("report_sha256", ""), s.get("comment", "")))
        return SignOff(tuple(sigs))


def check_new(signoff: SignOff, role: Role, name: str, current: str) -> None:
    """SignoffError (one line) when `name` may not sign in `role` now; None when they may."""
    for s in signoff.signatures:
        if s.report_sha256 != current:
            raise SignoffError(f"the {s.role.value}'s signature ({s.name}, {s.signed_at}) no longer matches "
                               "report.json: the report changed after it was signed; recompute it and sign "
                               "the new report")
    done = signoff.by_role(role)
    if done is not None:
        raise SignoffError(f"the {role.value} has already signed ({done.name}, {done.signed_at}); "
                           "one signature per role")
    before = ROLES[ROLES.index(role) - 1] if role != Role.PREPARER else None
    if before is not None and signoff.by_role(before) is None:
        raise SignoffError(f"no {role.value} before a {before.value}: the {before.value} has not signed yet")
    preparer = signoff.by_role(Role.PREPARER)
    if role == Role.APPROVER and preparer is not None and same_person(preparer.name, name):
        raise SignoffError(f"the preparer ({preparer.name}) may not also approve")


# ----------------------------------------------------------------------------- the view


@dataclass(frozen=True)
class SignatureView:
    role: str
    name: str
    signed_at: str
    hash_prefix: str
    valid: bool
    comment: str


@dataclass(frozen=True)
class SignoffView:
    """What the HTML block and the workbook's Sign-off sheet show.

    state: DRAFT (no valid approver signature), INVALID (a signature no longer matches
    report.json), SIGNED (the approver signed and every signature matches)."""

    state: str
    headline: str
    signatures: tuple[SignatureView, ...]
    unsigned: tuple[str, ...]
    report_hash_prefix: str

    @property
    def watermark(self) -> str:
        """The word on every page, or "" when none is due."""
        return "" if self.state == "SIGNED" else self.state


def view(signoff: SignOff, current: str) -> SignoffView:
    """The sign-off as shown, against the current report.json hash `current`. The hash is
    shown only beside signatures (an unsigned report's block is the same whoever renders it:
    `reserve compute`, which has not hashed report.json, or a re-render)."""
    sigs = tuple(SignatureView(s.role.value, s.name, s.signed_at, s.report_sha256[:HASH_PREFIX],
                               s.report_sha256 == current, s.comment) for s in signoff.signatures)
    unsigned = tuple(r.value for r in ROLES if signoff.by_role(r) is None)
    bad = [s for s in sigs if not s.valid]
    if bad:
        state = "INVALID"
        headline = (f"INVALID: {len(bad)} of {len(sigs)} signature(s) no longer match this report.json "
                    "(it was recomputed or edited after it was signed)")
    elif signoff.by_role(Role.APPROVER) is not None:
        state, headline = "SIGNED", "Signed: prepared, reviewed and approved; every signature matches this report.json"
    else:
        state = "DRAFT"
        headline = f"DRAFT: not approved (unsigned roles: {', '.join(unsigned)})"
    return SignoffView(state, headline, sigs, unsigned, current[:HASH_PREFIX])


def sheet_rows(v: SignoffView) -> list[list[str]]:
    """The workbook's Sign-off sheet, as rows of text (the title row first, then the header)."""
    hashed = f"report.json SHA-256 (first {HASH_PREFIX} hex digits): {v.report_hash_prefix}. " if v.signatures else ""
    rows = [[v.headline],
            [hashed + "An attestation record: no credentials are stored; anyone with write access to the folder "
             "can sign (reserve sign); each signature names the SHA-256 of the exact report.json signed."],
            [],
            ["role", "name", "signed at (UTC)", "report.json SHA-256 signed", "status", "comment"]]
    rows += [[s.role, s.name, s.signed_at, s.hash_prefix, "VALID" if s.valid else "INVALID", s.comment]
             for s in v.signatures]
    rows += [[r, "", "", "", "unsigned", ""] for r in v.unsigned]
    return rows


def summary_status(v: SignoffView) -> str:
    """The line under the Summary sheet's title."""
    return v.headline + ("" if v.state == "SIGNED" else " - see the Sign-off sheet")
