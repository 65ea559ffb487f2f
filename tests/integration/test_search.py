"""Hybrid search through the API: real BM25, real pgvector, row-level security on every result."""

import math
import uuid

import pytest
from httpx import AsyncClient
from sqlalchemy import select, text

from archivist.core.db import set_tenant
from archivist.core.state import AppState
from archivist.index.base import SearchQuery
from archivist.index.postgres import PostgresIndex, Tuning, postgres_index
from archivist.models import IndexStat, Posting, TermStat
from tests.factories.accounts import Account, make_org
from tests.factories.documents import upload_indexed
from tests.support import assert_error

pytestmark = pytest.mark.usefixtures("pipeline")
K1, B = 0.9, 0.4  # archivist.index.postgres.Tuning


async def search(
    client: AsyncClient, account: Account, query: str, mode: str = "hybrid", **extra: object
) -> list[dict[str, object]]:
    response = await client.post(
        "/api/search", json={"query": query, "mode": mode, **extra}, headers=account.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["took_ms"] >= 0
    results: list[dict[str, object]] = response.json()["results"]
    return results


async def test_bm25_scores_match_a_hand_computed_example(
    client: AsyncClient, app_state: AppState
) -> None:
    owner = (await make_org(client, members=0, name="BM25")).admin
    # Titles are indexed with the text: each document is 3 or 4 terms long.
    one = await upload_indexed(client, owner, "1.txt", b"apple banana", title="alpha")
    two = await upload_indexed(client, owner, "2.txt", b"apple apple cherry", title="beta")
    await upload_indexed(client, owner, "3.txt", b"cherry date", title="gamma")

    # The keyword leg's own scores: the API shows ranks only (see the side-channel test).
    async with app_state.sessionmaker() as session, session.begin():
        await set_tenant(session, uuid.UUID(owner.id), uuid.UUID(owner.org_id))
        ranked = await postgres_index._keyword(session, SearchQuery(text="apple", embedding=[]))

    n, avgdl, df = 3, (3 + 4 + 3) / 3, 2
    idf = math.log(1 + (n - df + 0.5) / (df + 0.5))

    def bm25(tf: int, length: int) -> float:
        return idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / avgdl))

    results = await search(client, owner, "apple", mode="keyword")
    assert [r["document_id"] for r in results] == [two["id"], one["id"]]
    assert [score for _, score in ranked] == pytest.approx([bm25(2, 4), bm25(1, 3)], abs=1e-5)


async def test_common_terms_score_every_candidate_as_brute_force_bm25_does(
    client: AsyncClient, app_state: AppState
) -> None:
    """The keyword leg reads a common term's postings for the candidates only: their scores must
    be brute-force BM25 over all query terms, and chunks holding only common terms stay out."""
    owner = (await make_org(client, members=0, name="Brute force")).admin
    texts = [
        b"zircon harbour harbour lantern",  # rare terms with the common one
        b"zircon harbour",
        b"obsidian harbour lantern lantern",
        b"harbour lantern harbour",  # common terms only: not a candidate
        b"harbour meadow",
        b"lantern meadow river",
    ]
    for i, body in enumerate(texts):
        await upload_indexed(client, owner, f"{i}.txt", body, title=f"t{i}")
    index = PostgresIndex(Tuning(probe_share=0.5))  # selective: in at most 3 of the 6 chunks
    query = "zircon obsidian harbour lantern"
    async with app_state.sessionmaker() as session, session.begin():
        await set_tenant(session, uuid.UUID(owner.id), uuid.UUID(owner.org_id))
        ranked = await index._keyword(session, SearchQuery(text=query, embedding=[]))
        stats = (await session.execute(select(IndexStat))).scalar_one()
        terms = ["zircon", "obsidian", "harbour", "lantern"]
        dfs = dict((await session.execute(select(TermStat.term, TermStat.df))).tuples().all())
        postings = (
            await session.execute(
                select(Posting.chunk_id, Posting.term, Posting.tf, Posting.length).where(
                    Posting.term.in_(terms)
                )
            )
        ).all()

    n, avgdl = stats.chunk_count, stats.token_count / stats.chunk_count
    expected: dict[uuid.UUID, float] = {}
    for chunk_id, term, tf, length in postings:
        idf = math.log(1 + (n - dfs[term] + 0.5) / (dfs[term] + 0.5))
        part = idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / avgdl))
        expected[chunk_id] = expected.get(chunk_id, 0.0) + part
    candidates = {c for c, term, _, _ in postings if dfs[term] <= n * 0.5}
    assert dfs["harbour"] > n * 0.5 and dfs["lantern"] > n * 0.5  # the common terms
    assert {c for c, _ in ranked} == candidates and len(candidates) == 3
    for chunk_id, score in ranked:
        assert score == pytest.approx(expected[chunk_id], abs=1e-9)
    assert [s for _, s in ranked] == sorted((s for _, s in ranked), reverse=True)


@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
async def test_keyword_scores_do_not_reveal_how_many_hidden_chunks_hold_a_word(
    client: AsyncClient, mode: str
) -> None:
    """The attack: plant chunks with nonces, read their BM25 scores, solve for df(word) --
    which counts chunks the attacker may not see. Scores must not move when they change."""
    org = await make_org(client, members=1, name=f"Side channel {mode}")
    attacker, admin = org.members[0], org.admin
    await upload_indexed(client, attacker, "n1.txt", b"zqxvnonce layoff", title="n1")
    await upload_indexed(client, attacker, "n2.txt", b"zqxvnonce zqxvnonce other", title="n2")

    async def observe() -> list[tuple[object, object]]:
        results = await search(client, attacker, "layoff zqxvnonce", mode=mode)
        return [(r["document_id"], r["score"]) for r in results]

    before = await observe()
    for i in range(3):
        await upload_indexed(client, admin, f"hidden{i}.txt", b"layoff plan for q3", title="x")
    assert await observe() == before


async def test_statistics_follow_uploads_and_deletes(
    client: AsyncClient, app_state: AppState
) -> None:
    owner = (await make_org(client, members=0, name="Stats")).admin
    first = await upload_indexed(client, owner, "a.txt", b"quasar pulsar", title="t1")
    await upload_indexed(client, owner, "b.txt", b"quasar nebula", title="t2")

    async def stats() -> tuple[int | None, int | None, list[str]]:
        async with app_state.sessionmaker() as session, session.begin():
            await set_tenant(session, uuid.UUID(owner.id), uuid.UUID(owner.org_id))
            df = await session.scalar(select(TermStat.df).where(TermStat.term == "quasar"))
            chunks = await session.scalar(select(IndexStat.chunk_count))
            postings = await session.scalars(select(Posting.term).order_by(Posting.term))
            return df, chunks, list(postings)

    # Stemmed by PostgreSQL's English configuration, titles included.
    assert await stats() == (2, 2, ["nebula", "pulsar", "quasar", "quasar", "t1", "t2"])
    await client.delete(f"/api/documents/{first['id']}", headers=owner.headers)
    assert await stats() == (1, 1, ["nebula", "quasar", "t2"])
    results = await search(client, owner, "pulsar", mode="keyword")
    assert results == []


@pytest.mark.parametrize("mode", ["hybrid", "keyword", "semantic"])
async def test_private_chunks_never_reach_anyone_else(client: AsyncClient, mode: str) -> None:
    org = await make_org(client, members=2, name="Private")
    other = await make_org(client, members=0, name="Other")
    owner, colleague = org.members
    secret = await upload_indexed(
        client, owner, "secret.txt", b"The zanzibarian treaty draft is confidential."
    )
    # The query matches only the owner's document: nothing else may fill the page.
    assert [r["document_id"] for r in await search(client, owner, "zanzibarian treaty", mode)] == [
        secret["id"]
    ]
    for outsider in (colleague, other.admin):
        results = await search(client, outsider, "zanzibarian treaty", mode)
        assert secret["id"] not in [r["document_id"] for r in results]
    admin_results = await search(client, org.admin, "zanzibarian treaty", mode)
    assert secret["id"] in [r["document_id"] for r in admin_results]


async def test_hybrid_meaning_match_runs_under_the_callers_access(client: AsyncClient) -> None:
    # No word in common with the query: only the semantic leg (on its own connection, under
    # the caller's user and organization) can find it, and only for those who may see it.
    org = await make_org(client, members=1, name="Meaning")
    owner, colleague = org.admin, org.members[0]
    document = await upload_indexed(
        client, owner, "cat.txt", b"The feline dozed all afternoon on the woven rug."
    )
    found = await search(client, owner, "sleeping kitten on a carpet")
    assert document["id"] in [r["document_id"] for r in found]
    assert found[0]["document_id"] == document["id"]
    hidden = await search(client, colleague, "sleeping kitten on a carpet")
    assert document["id"] not in [r["document_id"] for r in hidden]


async def test_group_and_organization_visibility_reach_exactly_their_readers(
    client: AsyncClient,
) -> None:
    org = await make_org(client, members=2, name="Groups")
    other = await make_org(client, members=0, name="Elsewhere")
    owner, reader = org.members
    group = await client.post("/api/groups", json={"name": "readers"}, headers=org.admin.headers)
    group_id = group.json()["id"]
    await client.post(
        f"/api/groups/{group_id}/members", json={"user_id": reader.id}, headers=org.admin.headers
    )
    shared = await upload_indexed(
        client,
        owner,
        "g.txt",
        b"Quokka habitat survey results.",
        visibility="groups",
        group_ids=group_id,
    )
    public = await upload_indexed(
        client, owner, "o.txt", b"Quokka feeding schedule for everyone.", visibility="organization"
    )
    seen_by_reader = {r["document_id"] for r in await search(client, reader, "quokka")}
    assert {shared["id"], public["id"]} <= seen_by_reader
    outsider_member = (await make_org(client, members=0, name="X")).admin
    for outsider in (other.admin, outsider_member):
        assert await search(client, outsider, "quokka") == []
    await client.delete(f"/api/groups/{group_id}/members/{reader.id}", headers=org.admin.headers)
    seen_after = {r["document_id"] for r in await search(client, reader, "quokka")}
    assert shared["id"] not in seen_after and public["id"] in seen_after


async def test_results_carry_snippet_highlights_page_and_filters(client: AsyncClient) -> None:
    owner = (await make_org(client, members=0, name="Snippets")).admin
    text_doc = await upload_indexed(
        client, owner, "river.txt", b"Otters live along the river. They eat fish daily."
    )
    md_doc = await upload_indexed(client, owner, "river.md", b"# Otters\n\nOtters play in water.")
    results = await search(client, owner, "otters fish", mode="keyword")
    top = results[0]
    assert top["document_id"] == text_doc["id"], "only this one mentions fish"
    assert top["title"] == "river" and top["filename"] == "river.txt"
    assert top["page"] is None
    download = await client.get(f"/api/files/{top['file_id']}/download", headers=owner.headers)
    assert download.content == b"Otters live along the river. They eat fish daily."
    snippet = str(top["snippet"])
    marked = [snippet[start:end].lower() for start, end in top["highlights"]]  # type: ignore[misc]
    assert "otters" in marked and "fish" in marked
    only_md = await search(client, owner, "otters", filters={"mime_types": ["text/markdown"]})
    assert {r["document_id"] for r in only_md} == {md_doc["id"]}
    only_one = await search(client, owner, "otters", filters={"document_ids": [text_doc["id"]]})
    assert {r["document_id"] for r in only_one} == {text_doc["id"]}


async def test_empty_query_is_422(client: AsyncClient) -> None:
    owner = (await make_org(client, members=0, name="Bad")).admin
    response = await client.post("/api/search", json={"query": "   "}, headers=owner.headers)
    assert_error(response, 422)


def axis_vector(near: int, cosine: float) -> list[float]:
    """A unit vector at `cosine` from axis 0, the rest of its length on axis `near`."""
    vector = [0.0] * 384
    vector[0] = cosine
    if near:
        vector[near] = math.sqrt(1 - cosine**2)
    return vector


async def test_hybrid_weighs_how_far_ahead_a_leg_is_not_only_its_order(
    client: AsyncClient, app_state: AppState
) -> None:
    """The keyword leg finds one document far ahead of the only other match; the semantic leg
    finds that other one first, by a hair, and the strong match fourth, still close. Rank fusion
    sees two firsts and two seconds and picks the weak keyword match; scaled scores pick the
    document both legs rate highly."""
    owner = (await make_org(client, members=0, name="Fusion")).admin
    texts = {
        "strong": b"Glorbnax turbine fault: the glorbnax turbine failed twice this week.",
        "weak": b"A turbine is mentioned once in this long note about quarterly budgets, office"
        b" moves, parking permits, catering orders, holiday rotas and printer paper supplies.",
        "near1": b"Quarterly budget review for the regional offices.",
        "near2": b"Parking permits are renewed every spring.",
        "far1": b"Sourdough needs a mature starter.",
        "far2": b"The choir rehearses on Thursdays.",
        "far3": b"Migrating geese fly in a V formation.",
    }
    # Semantic similarity to the query vector (axis 0): weak 1.0 > near1 > near2 > strong >> far.
    cosines = {"weak": 1.0, "near1": 0.95, "near2": 0.9, "strong": 0.8}
    ids = {}
    for axis, (name, body) in enumerate(texts.items(), start=1):
        document = await upload_indexed(client, owner, f"{name}.txt", body, title=f"t{axis}")
        ids[name] = uuid.UUID(document["id"])
    async with app_state.sessionmaker() as session, session.begin():
        await set_tenant(session, uuid.UUID(owner.id), uuid.UUID(owner.org_id))
        for axis, name in enumerate(texts, start=1):  # the owner may rewrite their chunks
            await session.execute(
                text("UPDATE chunks SET embedding = CAST(:v AS vector) WHERE document_id = :d"),
                {"v": str(axis_vector(axis, cosines.get(name, 0.0))), "d": ids[name]},
            )

    async def first(index: PostgresIndex) -> uuid.UUID:
        query = SearchQuery(text="glorbnax turbine", embedding=axis_vector(0, 1.0))
        async with app_state.sessionmaker() as session, session.begin():
            await set_tenant(session, uuid.UUID(owner.id), uuid.UUID(owner.org_id))
            hits = await index.search(session, query, fork=app_state.legs_sessionmaker)
        assert {hit.document_id for hit in hits} == set(ids.values())
        return hits[0].document_id

    assert await first(postgres_index) == ids["strong"]
    assert await first(PostgresIndex(Tuning(fusion="rrf"))) == ids["weak"]
