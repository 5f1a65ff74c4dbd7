"""Add to each exact pin of a pip lock file the SHA-256 of every file PyPI holds for that release,
so that ``pip install --require-hashes`` installs only those files, on any platform PyPI builds
for. Reads the lock on standard input, writes it with hashes on standard output.

    python .ci/lock_hashes.py < requirements.lock > requirements.hashed
"""

import json
import re
import sys
import urllib.request

from packaging.utils import canonicalize_name, parse_sdist_filename, parse_wheel_filename
from packaging.version import Version

SIMPLE = "https://pypi.org/simple/{}/"


def release_hashes(name: str, version: str) -> list[str]:
    request = urllib.request.Request(
        SIMPLE.format(canonicalize_name(name)),
        headers={"Accept": "application/vnd.pypi.simple.v1+json"},
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        files = json.load(answer)["files"]
    wanted = Version(version)
    found = []
    for file in files:
        filename = file["filename"]
        try:
            if filename.endswith(".whl"):
                _, file_version, _, _ = parse_wheel_filename(filename)
            elif filename.endswith((".tar.gz", ".zip")):
                _, file_version = parse_sdist_filename(filename)
            else:
                continue
        except ValueError:
            continue
        if file_version == wanted and "sha256" in file.get("hashes", {}):
            found.append(file["hashes"]["sha256"])
    if not found:
        raise SystemExit(f"PyPI has no file of {name}=={version}")
    return sorted(set(found))


def main() -> int:
    for line in sys.stdin:
        pin = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)\s*", line)
        if not pin:
            sys.stdout.write(line)
            continue
        name, version = pin.groups()
        hashes = release_hashes(name, version)
        sys.stdout.write(f"{name}=={version} \\\n")
        sys.stdout.write(" \\\n".join(f"    --hash=sha256:{digest}" for digest in hashes) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
