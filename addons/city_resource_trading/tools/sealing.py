"""Sealing of bids: per-procedure X25519 key pairs derived from a master key kept outside the database.

* The procedure's private key is ``HKDF-SHA256(master key, salt=procedure salt, info=procedure id)``;
  only its public key is stored. The master key comes from the server configuration
  (``city_trading_bid_master_key``) or the environment (``CITY_TRADING_BID_MASTER_KEY``).
* A payload is sealed to the public key: an ephemeral X25519 exchange gives, through HKDF, a fresh
  AES-256-GCM key; the sealed blob is ``ephemeral public key (32) | nonce (12) | ciphertext+tag``.
  Sealing never needs the private key, so the server can accept bids without being able to read them.
* Receipts are signed with HMAC-SHA256 under a platform key (``city_trading_receipt_key`` /
  ``CITY_TRADING_RECEIPT_KEY``).
"""

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from odoo.tools import config

# Development defaults only: production servers set their own keys in odoo.conf or the environment.
DEV_MASTER_KEY = "city-trading-development-master-key-change-me"
DEV_RECEIPT_KEY = "city-trading-development-receipt-key-change-me"

SEAL_INFO = b"city-trading-seal-v1"
RAW = serialization.Encoding.Raw
RAW_PUBLIC = serialization.PublicFormat.Raw


class SealError(Exception):
    """A sealed payload could not be authenticated (tampered ciphertext or wrong key)."""


def _secret(option, env_name, default):
    value = config.get(option) or os.environ.get(env_name) or default
    return value.encode() if isinstance(value, str) else value


def master_key():
    return _secret("city_trading_bid_master_key", "CITY_TRADING_BID_MASTER_KEY", DEV_MASTER_KEY)


def receipt_key():
    return _secret("city_trading_receipt_key", "CITY_TRADING_RECEIPT_KEY", DEV_RECEIPT_KEY)


def new_salt():
    return base64.b64encode(os.urandom(32)).decode()


def derive_private_key(salt, info):
    """The procedure's private key (HKDF of the master key with the procedure's salt)."""
    seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=base64.b64decode(salt), info=info).derive(master_key())
    return X25519PrivateKey.from_private_bytes(seed)


def public_key_text(private_key):
    return base64.b64encode(private_key.public_key().public_bytes(RAW, RAW_PUBLIC)).decode()


def _content_key(shared, ephemeral_public):
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=SEAL_INFO + ephemeral_public).derive(shared)


def seal(public_key, plaintext, aad):
    """Encrypt ``plaintext`` (bytes) to the base64 ``public_key``; ``aad`` binds it to its bid and file."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(RAW, RAW_PUBLIC)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(base64.b64decode(public_key)))
    nonce = os.urandom(12)
    return ephemeral_public + nonce + AESGCM(_content_key(shared, ephemeral_public)).encrypt(nonce, plaintext, aad)


def unseal(private_key, blob, aad):
    """Decrypt a blob made by :func:`seal`; raises :class:`SealError` when it was altered."""
    if len(blob) < 32 + 12 + 16:
        raise SealError("truncated")
    ephemeral_public, nonce, ciphertext = blob[:32], blob[32:44], blob[44:]
    try:
        shared = private_key.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
        return AESGCM(_content_key(shared, ephemeral_public)).decrypt(nonce, ciphertext, aad)
    except (InvalidTag, ValueError) as error:
        raise SealError(str(error) or "invalid tag") from error


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def sign(message):
    return hmac.new(receipt_key(), message, hashlib.sha256).hexdigest()


def verify_signature(message, signature):
    return hmac.compare_digest(sign(message), (signature or "").strip().lower())
