"""No N+1 queries: a page runs the same number of SQL statements whatever the number of rows
it shows. Each page is requested with few and with many rows and the counts compared."""
import pytest


def _page_queries(client, count_queries, path):
    response, count = count_queries(lambda: client.get(path))
    assert response.status_code == 200, (path, response.status_code)
    return count


@pytest.mark.parametrize("path", ["/datasets", "/datasets?sort=title",
                                  "/datasets?q=%D8%B7%D9%84%D8%A8%D8%A9"])
def test_list_queries_do_not_grow_with_rows(make, client, login, count_queries, path):
    admin = make.user("admin")
    login(admin)
    make.dataset(make.org(), admin)
    few = _page_queries(client, count_queries, path)
    for i in range(12):  # distinct organizations: a lazy load per row would show
        make.dataset(make.org(), admin, status="submitted" if i % 3 else "draft")
    many = _page_queries(client, count_queries, path)
    assert many == few, f"{path}: {few} statements with 1 row, {many} with 13"
