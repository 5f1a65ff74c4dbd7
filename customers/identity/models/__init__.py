from .identity import DuplicateCandidate, DuplicateScan, DuplicateScanChunk, IdentityKey
from .imports import ImportChunk, ImportJob, ImportRowError

__all__ = [
    "DuplicateCandidate",
    "DuplicateScan",
    "DuplicateScanChunk",
    "IdentityKey",
    "ImportChunk",
    "ImportJob",
    "ImportRowError",
]
