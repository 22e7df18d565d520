"""What verifying a CEB message's signature costs, per message, on this machine: RSA-SHA1 (2048-bit
key, `cryptography`) and SM2-SM3 (`gmalg`, pure Python), over the official CEB621 sample.

    DJANGO_SETTINGS_MODULE=singlewindow.settings.local python bench/signatures.py [rounds]

Measures `declarations.xmldsig` alone (digest of the canonical message + signature value), with the
keys in memory: the database look-up of the certificate is one indexed query on top.
"""

import os
import sys
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "singlewindow.settings.local")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
django.setup()

import gmalg  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402
from lxml import etree  # noqa: E402

from declarations import ceb, xmldsig  # noqa: E402


def main(rounds: int) -> None:
    sample = ceb.schema_dir().parent / "samples" / "import" / "CEB621Message.xml"
    root = etree.fromstring(sample.read_bytes())
    root.remove(xmldsig.find(root))
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    sm2_secret, sm2_point = gmalg.SM2().generate_keypair()
    cases = {
        "rsa-sha1": (dict(private_key=rsa_key), rsa_key.public_key()),
        "sm2-sm3": (dict(private_key=sm2_secret, algorithm="sm2-sm3", digest="sm3"), sm2_point),
    }
    size = len(etree.tostring(root))
    print(f"CEB621 sample, {size} bytes, {rounds} rounds each")
    for name, (signing, public_key) in cases.items():
        message = etree.fromstring(etree.tostring(root))
        xmldsig.sign(message, **signing)
        body = etree.tostring(message)
        start = time.perf_counter()
        for _ in range(rounds):
            parsed = etree.fromstring(body, ceb.hardened_parser())
            signature = xmldsig.read(xmldsig.find(parsed))
            xmldsig.check_digest(parsed, signature)
            xmldsig.check_value(signature, public_key)
        per = (time.perf_counter() - start) / rounds
        print(f"{name:9s} {per * 1000:7.2f} ms per message  ({1 / per:7.1f} messages/s on one core)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
