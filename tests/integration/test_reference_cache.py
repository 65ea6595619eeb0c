"""What the list page shows from organizations and campaigns is kept per process under the
reference version (inventory/reference_cache.py): every committed write to those tables,
whatever path it takes (ORM, bulk SQL), changes the version, so the next page shows it; a
repeated page view reads nothing again when nothing changed."""
import sqlalchemy as sa

from inventory.extensions import db
from inventory.models import Campaign, Organization, ReferenceVersion


def _version():
    return db.session.scalar(sa.select(ReferenceVersion.version))


def _list(client, query="lang=fr"):
    response = client.get(f"/datasets?{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _reads_of(table, sql_statements, fn):
    """(fn(), number of statements it ran that read `table`)."""
    result, statements = sql_statements(fn)
    return result, sum(f"FROM {table}" in " ".join(s.split()) for s in statements)


def test_every_committed_write_to_organizations_and_campaigns_changes_the_version(app_ctx,
                                                                                   make):
    before = _version()
    org = make.org()
    after_insert = _version()
    assert after_insert != before
    org.name_fr = "Autre nom"
    db.session.commit()
    after_update = _version()
    assert after_update != after_insert
    db.session.execute(sa.update(Organization).values(active=False))
    db.session.rollback()  # nothing committed: same version
    assert _version() == after_update
    campaign = Campaign(name_fr="Campagne")
    db.session.add(campaign)
    db.session.commit()
    after_campaign = _version()
    assert after_campaign != after_update
    db.session.execute(sa.update(Campaign).values(name_fr="Autre campagne"))
    db.session.commit()
    after_campaign_update = _version()
    assert after_campaign_update != after_campaign
    db.session.execute(sa.delete(Campaign))
    db.session.execute(sa.delete(Organization))
    db.session.commit()
    assert _version() != after_campaign_update


def test_a_renamed_organization_shows_on_the_next_list_page(admin_client, make):
    org = make.org(name_fr="Ministère des Finances")
    assert f"{org.code} — Ministère des Finances</option>" in _list(admin_client)
    org.name_fr = "Ministère de l'Économie"
    db.session.commit()
    html = _list(admin_client)
    assert f"{org.code} — Ministère de l&#39;Économie</option>" in html
    assert "Ministère des Finances" not in html
    # Bulk SQL, no ORM object involved: the triggers see it all the same.
    db.session.execute(sa.update(Organization).where(Organization.id == org.id)
                       .values(name_fr="Ministère du Budget"))
    db.session.commit()
    assert f"{org.code} — Ministère du Budget</option>" in _list(admin_client)
    other = make.org(name_fr="Office national")
    assert f'<option value="{other.id}" >{other.code} — Office national</option>' in \
        _list(admin_client)


def test_an_officer_sees_the_renamed_organization_too(client, login, make):
    org = make.org(name_fr="Ancien nom")
    login(make.user("officer", [org]))
    assert f"{org.code} — Ancien nom</option>" in _list(client)
    db.session.execute(sa.update(Organization).where(Organization.id == org.id)
                       .values(name_fr="Nouveau nom"))
    db.session.commit()
    assert f"{org.code} — Nouveau nom</option>" in _list(client)


def test_options_are_kept_per_locale_and_scope(client, login, make):
    alpha = make.org(name_fr="Organisme Alpha", name_ar="هيئة ألفا")
    beta = make.org(name_fr="Organisme Bêta")
    login(make.user("officer", [alpha]))
    html = _list(client)
    assert f"{alpha.code} — Organisme Alpha</option>" in html
    assert "Organisme Bêta" not in html
    assert f"{alpha.code} — هيئة ألفا</option>" in _list(client, "lang=ar")
    login(make.user("officer", [beta]))
    html = _list(client, "lang=fr")
    assert f"{beta.code} — Organisme Bêta</option>" in html
    assert "Organisme Alpha" not in html
    login(make.user("admin"))
    html = _list(client, "lang=fr")
    assert "Organisme Alpha</option>" in html and "Organisme Bêta</option>" in html


def test_the_choice_is_marked_per_request_not_in_the_kept_copy(admin_client, make):
    first, second = make.org(), make.org()
    html = _list(admin_client, f"lang=fr&organization={first.id}")
    assert f'<option value="{first.id}" selected>' in html
    assert f'<option value="{second.id}" >' in html
    html = _list(admin_client, f"lang=fr&organization={second.id}")
    assert f'<option value="{first.id}" >' in html
    assert f'<option value="{second.id}" selected>' in html
    assert " selected>" not in _list(admin_client, "lang=fr").split('id="f-status"')[0]


def test_a_repeated_list_page_does_not_read_organizations_or_campaigns_again(admin_client,
                                                                              make,
                                                                              sql_statements):
    def _statements_on(table, fn):
        return _reads_of(table, sql_statements, fn)
    make.org()
    _list(admin_client)
    html, reads = _statements_on("organization", lambda: _list(admin_client))
    assert reads == 0
    html, reads = _statements_on("campaign", lambda: _list(admin_client))
    assert reads == 0
    make.org()
    html, reads = _statements_on("organization", lambda: _list(admin_client))
    assert reads > 0


def test_campaigns_follow_every_write(admin_client, make):
    make.org()
    assert 'id="f-campaign"' not in _list(admin_client)
    campaign = Campaign(name_fr="Campagne 2026")
    db.session.add(campaign)
    db.session.commit()
    assert f'<option value="{campaign.id}" >Campagne 2026</option>' in _list(admin_client)
    db.session.execute(sa.update(Campaign).values(name_fr="Campagne 2027"))
    db.session.commit()
    html = _list(admin_client, f"lang=fr&campaign={campaign.id}")
    assert f'<option value="{campaign.id}" selected>Campagne 2027</option>' in html
    db.session.execute(sa.delete(Campaign))
    db.session.commit()
    assert 'id="f-campaign"' not in _list(admin_client)


def test_new_entry_button_follows_the_organizations_state(admin_client, make):
    org = make.org()
    assert 'href="/datasets/new"' in _list(admin_client)
    org.active = False
    db.session.commit()
    assert 'href="/datasets/new"' not in _list(admin_client)
    db.session.execute(sa.update(Organization).values(active=True))
    db.session.commit()
    assert 'href="/datasets/new"' in _list(admin_client)


def _weight_cells(html):
    """The weight column of the entry page's score table, in order."""
    import re
    table = html[html.index('id="prio-title"'):]
    table = table[:table.index("</table>")]
    return re.findall(r"</th><td>([\d.,]+)</td><td>", table)


def test_priority_weights_follow_every_write(admin_client, make):
    from inventory import priority
    from inventory.models import Setting
    dataset = make.dataset(make.org())
    path = f"/datasets/{dataset.uuid}?lang=en"
    defaults = [str(priority.DEFAULT_WEIGHTS[k]) for k in priority.DEFAULT_WEIGHTS]
    assert _weight_cells(admin_client.get(path).get_data(as_text=True)) == defaults
    before = _version()
    priority.set_weights({"demand": 7, "ati_requests": 1, "value": 2, "obligation": 3,
                          "readiness": 4, "risk": 5})
    db.session.commit()
    assert _version() != before
    assert _weight_cells(admin_client.get(path).get_data(as_text=True)) == \
        ["7", "1", "2", "3", "4", "5"]
    # Bulk SQL, no ORM object involved: the triggers see it all the same.
    db.session.execute(sa.update(Setting).where(Setting.key == priority.SETTING_KEY)
                       .values(value={"demand": 9}))
    db.session.commit()
    assert _weight_cells(admin_client.get(path).get_data(as_text=True))[:2] == ["9", "10"]


def test_the_versions_come_with_the_user_not_in_queries_of_their_own(admin_client, make,
                                                                      sql_statements):
    make.dataset(make.org(), make.user("admin"))
    _list(admin_client)
    html, statements = sql_statements(lambda: _list(admin_client))
    reads = [" ".join(s.split()) for s in statements
             if "FROM reference_version" in s or "FROM entries_version" in s]
    # One statement reads both versions, and it is the one that loads the signed-in user.
    assert len(reads) == 1 and reads[0].replace('"', "").startswith("SELECT user.id"), reads
    # The versions it read still key the copies: a committed write shows on the next page.
    org = make.org()
    org.name_fr = "Organisme tout neuf"
    db.session.commit()
    assert "Organisme tout neuf" in _list(admin_client)
