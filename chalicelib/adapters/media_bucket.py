"""The image bucket's physical shape, in S3 API form: one definition for the local emulator
(dev/resources.py), the tests and the template (infra/resources.py), so they never drift.

Versioning stays off: objects under ``media/`` are content-addressed and written only when the
key is empty, so there is no older version to keep, and a version history would keep expired
uploads (and their storage cost) alive behind delete markers.
"""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.s3_media import ATTACHED_TAG, MEDIA, UPLOADS

# An upload never completed, or a checked image no post refers to, is gone after this long: a
# writer finishes a post within a day, and nothing unapproved lingers in the bucket.
UNATTACHED_DAYS = 1
CORS_MAX_AGE_SECONDS = 3000


def lifecycle_rules() -> list[dict[str, Any]]:
    """PutBucketLifecycleConfiguration's rules."""
    return [
        {"ID": "expire-unchecked-uploads", "Status": "Enabled", "Filter": {"Prefix": UPLOADS},
         "Expiration": {"Days": UNATTACHED_DAYS},
         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": UNATTACHED_DAYS}},
        {"ID": "expire-unattached-images", "Status": "Enabled",
         "Filter": {"And": {"Prefix": MEDIA, "Tags": [{"Key": ATTACHED_TAG, "Value": "no"}]}},
         "Expiration": {"Days": UNATTACHED_DAYS}},
    ]


def cors_rules(origins: list[str]) -> list[dict[str, Any]]:
    """PutBucketCors's rules: the web page's origin may POST uploads (with progress, so the
    browser asks first) and GET previews; nobody else."""
    return [{"AllowedOrigins": list(origins), "AllowedMethods": ["POST", "GET"],
             "AllowedHeaders": ["*"], "ExposeHeaders": ["ETag"],
             "MaxAgeSeconds": CORS_MAX_AGE_SECONDS}]


def public_access_block() -> dict[str, bool]:
    return {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True}


ENCRYPTION = "AES256"  # SSE-S3: no key policy for the roles to need, nothing to rotate
