"""Password hashing: werkzeug's scrypt (memory-hard), and the legacy md5 scheme.

Databases made by the peewee twitter example store hex md5 digests; such a
hash is accepted once and replaced by a scrypt hash at that login.
"""
import hashlib
import hmac
import re

from flask import current_app, has_app_context
from werkzeug.security import check_password_hash, generate_password_hash

DEFAULT_METHOD = "scrypt:32768:8:1"
_LEGACY_MD5 = re.compile(r"^[0-9a-f]{32}$")


def hash_password(password, method=None):
    """Return a salted scrypt hash of `password` (method from the app config)."""
    if method is None:
        method = current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else DEFAULT_METHOD
    return generate_password_hash(password, method=method)


_unknown = {}


def verify_nobody(password):
    """Check `password` against a hash of no one's, with the configured method: a login
    that names nobody then takes as long as a wrong password. Always False."""
    method = current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else DEFAULT_METHOD
    if method not in _unknown:
        _unknown[method] = generate_password_hash("nobody's password", method=method)
    check_password_hash(_unknown[method], password)
    return False


def is_legacy(stored):
    """True when `stored` is an unsalted md5 digest from the peewee example."""
    return bool(stored) and bool(_LEGACY_MD5.match(stored))


def verify_password(stored, password):
    """True when `password` matches `stored` (a scrypt/pbkdf2 hash or a legacy md5 digest)."""
    if not stored or not password:
        return False
    if is_legacy(stored):
        digest = hashlib.md5(password.encode("utf-8")).hexdigest()
        return hmac.compare_digest(digest, stored)
    try:
        return check_password_hash(stored, password)
    except ValueError:  # an unusable or unknown hash format
        return False
