"""Hybrid fusion of the two legs' candidates (archivist.index.postgres.fuse)."""

import uuid

import pytest

from archivist.index.postgres import Tuning, fuse

A, B, C, D = (uuid.UUID(int=i) for i in range(1, 5))


def test_one_leg_alone_keeps_its_order() -> None:
    assert fuse([(A, 9.0), (B, 1.0)], [], Tuning()) == [A, B]
    assert fuse([], [(C, 0.9), (A, 0.8)], Tuning()) == [C, A]


def test_convex_fusion_mixes_each_legs_scaled_scores() -> None:
    # Keyword: A far ahead of B. Semantic: B first, A close behind, D last.
    keyword = [(A, 12.0), (B, 2.0)]
    semantic = [(B, 0.90), (C, 0.88), (A, 0.86), (D, 0.50)]
    tuning = Tuning(fusion="convex", keyword_share=0.4)
    # Each leg scaled by its best score; C and D did not match a word (the keyword leg is not
    # cut at `candidates`): A 0.4 * 1 + 0.6 * 0.96 = 0.97, B 0.4 * 0.17 + 0.6 * 1 = 0.67,
    # C 0.6 * 0.98 = 0.59, D 0.6 * 0.56 = 0.33.
    assert fuse(keyword, semantic, tuning) == [A, B, C, D]
    # Rank fusion sees only the order: B is first once and second once, as A is, but A's
    # semantic rank is third.
    assert fuse(keyword, semantic, Tuning(fusion="rrf", rrf_k=10))[:2] == [B, A]


@pytest.mark.parametrize("share", [0.0, 1.0])
def test_a_share_of_zero_or_one_follows_one_leg(share: float) -> None:
    keyword = [(A, 3.0), (B, 2.0), (C, 1.0)]
    semantic = [(C, 0.9), (B, 0.8), (A, 0.7)]
    leader = keyword if share else semantic
    assert fuse(keyword, semantic, Tuning(keyword_share=share)) == [c for c, _ in leader]


def test_a_chunk_missing_from_a_cut_leg_gets_its_lowest_score() -> None:
    keyword = [(A, 10.0), (B, 8.0)]
    semantic = [(C, 0.9), (A, 0.45), (B, 0.45)]
    # Two keyword candidates asked for and two found: C may have scored up to B's 0.8 there.
    # C 0.5 * 0.8 + 0.5 * 1 = 0.9 > A 0.5 * 1 + 0.5 * 0.5 = 0.75.
    assert fuse(keyword, semantic, Tuning(keyword_share=0.5, candidates=2))[0] == C
    # Three asked for and two found: C matched no word of the query. C 0.5 < A 0.75.
    assert fuse(keyword, semantic, Tuning(keyword_share=0.5, candidates=3))[0] == A
