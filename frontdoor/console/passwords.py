"""Password hashing: Argon2id with the library's current parameters (RFC 9106)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()
# Verified when the login is unknown, so that a wrong login costs as long as a wrong password.
_DECOY = _HASHER.hash("frontdoor-decoy-password")

MIN_LENGTH = 12


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def password_matches(stored_hash: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(stored_hash or _DECOY, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)


def weakness(password: str) -> str | None:
    """Why a new password is refused, in French; None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"au moins {MIN_LENGTH} caractères"
    if len(set(password)) < 5:
        return "trop de caractères répétés"
    return None
