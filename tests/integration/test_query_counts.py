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


def test_entry_page_queries_do_not_grow_with_its_history(make, client, login, count_queries):
    """Events by many people, many portal attempts and hand ticks: still the same number of
    statements as an entry with none (each list is one query, its people joined)."""
    from inventory.extensions import db
    from inventory.models import ChecklistTick, Publication, ReviewEvent

    admin = make.user("admin")
    login(admin)
    org = make.org()
    ds = make.dataset(org, admin, status="approved")
    path = f"/datasets/{ds.uuid}"
    few = _page_queries(client, count_queries, path)
    for i in range(6):
        actor = make.user("reviewer", [org])
        db.session.add_all([
            ReviewEvent(dataset_id=ds.id, actor_id=actor.id, action="comment",
                        from_status="approved", to_status="approved", comment=f"note {i}"),
            Publication(dataset_id=ds.id, outcome="failed", attempt=i + 1),
        ])
    db.session.add(ChecklistTick(item_id="D01", dataset_id=ds.id, done=True, note="PV 12",
                                 by_id=make.user("officer", [org]).id))
    db.session.commit()
    html = client.get(path).get_data(as_text=True)
    assert "note 5" in html and "PV 12" in html
    many = _page_queries(client, count_queries, path)
    assert many == few, f"{path}: {few} statements without history, {many} with"
