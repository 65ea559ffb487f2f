from httpx import AsyncClient

from tests.factories.accounts import make_org


async def test_register_and_me(client: AsyncClient) -> None:
    org = await make_org(client, members=1)
    me = await client.get("/api/me", headers=org.members[0].headers)
    assert me.status_code == 200, me.text
    assert me.json()["organization_id"] == org.id
    assert me.json()["role"] == "member"
    health = await client.get("/health")
    assert health.json()["status"] == "healthy", health.text
