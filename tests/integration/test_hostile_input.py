"""A NUL character in any form field of any page, or in the address of any page, is refused
with a clear answer (a 4xx, or the form shown again with its errors), never a 500:
PostgreSQL refuses NUL in text, so every path that reaches the database unchecked fails.
Routes, their forms and the world they act on come from the permission matrix."""
import pytest

from tests.conftest import bearer
from tests.integration.test_permissions import ROUTES, _fill, make_world, sign_in

POSTS = [r for r in ROUTES if r.method == "POST" and r.expect.get("admin") is not None]
GETS = [r for r in ROUTES if r.method == "GET" and r.expect.get("admin") is not None]


@pytest.fixture
def world(app_ctx):
    return make_world()


def _poisoned(value):
    return value.replace("", "\x00", 1) + "\x00" if isinstance(value, str) else value


@pytest.mark.parametrize("route", POSTS, ids=str)
def test_a_nul_in_every_field_of_a_form(client, world, route):
    sign_in(client, world["users"]["admin"])
    data = {k: _poisoned(_fill(v, world["own"])) for k, v in route.data.items()}
    response = client.post(_fill(route.path, world["own"]), data=data)
    assert response.status_code < 500, response.status_code


@pytest.mark.parametrize("route", GETS, ids=str)
def test_a_nul_in_the_address_of_every_page(client, world, route):
    sign_in(client, world["users"]["admin"])
    path = _fill(route.path, world["own"])
    separator = "&" if "?" in path else "?"
    response = client.get(f"{path}{separator}q=%00&page=%00&x%00=1")
    assert response.status_code < 500, response.status_code


@pytest.mark.parametrize("query", ["q=a%00b", "status=%00", "theme=%00", "page=%00",
                                   "organization=%00"])
def test_a_nul_in_an_api_query_is_a_parameter_error(client, make, query):
    """The API is left out of the pages' NUL check: its own parameter validation answers, in
    its own error shape, with the parameter named."""
    secret = make.token(make.user("admin"))
    response = client.get(f"/api/v1/datasets?{query}", headers=bearer(secret))
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    [error] = response.get_json()["error"]["errors"]
    assert error["in"] == "query" and error["path"].split("/")[0] == query.split("=")[0]
