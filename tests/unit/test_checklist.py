"""The guide checklist: its items, each dataset item's derivation rule, hand ticks and who may
make them."""
from datetime import date

import pytest

from inventory import checklist as cl
from inventory import workflow
from inventory.extensions import db
from inventory.models import AuditLog, ChecklistTick
from tests.conftest import SHARED, restricted_fields


def statuses(dataset):
    return {s.item.id: s for s in cl.dataset_statuses(dataset)}


def state(dataset, item_id):
    return statuses(dataset)[item_id].state


def missing(dataset, item_id):
    return [name for name, _m in statuses(dataset)[item_id].missing]


# --------------------------------------------------------------------------- items

def test_items_are_the_reference_checklist_in_three_languages():
    shipped = cl.items()
    reference = {i.id: i for i in cl.load_items(SHARED / "reference" / "checklist.yaml")}
    assert list(shipped) == [f"M{n:02d}" for n in range(1, 11)] + \
        [f"D{n:02d}" for n in range(1, 21)]
    assert shipped == reference
    for item in shipped.values():
        assert all(item.texts[lang] for lang in ("ar", "fr", "en")), item.id
    assert "الفصل 24" in shipped["D03"].text("ar")
    assert shipped["D03"].text("fr").startswith("Examiner")


def test_every_dataset_item_has_a_rule_and_an_explanation(app_ctx):
    assert set(cl.RULES) == {i.id for i in cl.dataset_items()}
    hand_only = {i for i, r in cl.RULES.items() if r.check is None}
    assert hand_only == {"D02", "D08", "D09", "D14", "D15", "D19", "D20"}
    assert {i for i, r in cl.RULES.items() if r.hand and r.check} == {"D05", "D10"}
    for item_id in cl.RULES:
        assert str(cl.explanation(item_id))


# --------------------------------------------------------------------------- derivation rules

def test_d01_identification(make):
    org = make.org()
    ds = make.dataset(org, source_system="Salima")
    assert state(ds, "D01") == cl.DONE
    ds = make.dataset(org, source_system="", title_fr="", description_fr="", description_ar="")
    assert state(ds, "D01") == cl.TODO
    assert missing(ds, "D01") == ["title_fr", "description_ar", "source_system"]


def test_d02_is_ticked_by_hand(make):
    org = make.org()
    admin = make.user("admin")
    ds = make.dataset(org)
    assert state(ds, "D02") == cl.TODO and statuses(ds)["D02"].hand
    cl.tick_item(admin, "D02", dataset=ds, note="Produced by the statistics department")
    db.session.commit()
    s = statuses(ds)["D02"]
    assert (s.state, s.source, s.by) == (cl.DONE, "hand", admin.display_name())


def test_d03_restriction_assessment(make):
    org = make.org()
    assert state(make.dataset(org), "D03") == cl.DONE  # open: no exception applies
    assert missing(make.dataset(org, complete=False), "D03") == ["classification"]
    assert state(make.dataset(org, **restricted_fields()), "D03") == cl.DONE
    ds = make.dataset(org, **restricted_fields(harm_note="", restriction_review_date=None))
    assert missing(ds, "D03") == ["harm_note", "restriction_review_date"]


def test_d04_personal_data(make):
    org = make.org()
    assert state(make.dataset(org), "D04") == cl.DONE
    assert missing(make.dataset(org, personal_data=None), "D04") == ["personal_data"]
    ds = make.dataset(org, **restricted_fields(personal_data_categories=""))
    assert missing(ds, "D04") == ["personal_data_categories"]
    ds = make.dataset(org, **restricted_fields(personal_data_categories="names, addresses"))
    assert state(ds, "D04") == cl.DONE


def test_d05_from_the_entry_or_by_hand(make):
    org = make.org()
    admin = make.user("admin")
    assert state(make.dataset(org, other_constraints="Statistical secrecy"), "D05") == cl.DONE
    ds = make.dataset(org)
    assert state(ds, "D05") == cl.TODO and statuses(ds)["D05"].hand
    cl.tick_item(admin, "D05", dataset=ds, note="None apply (checked with legal)")
    assert statuses(ds)["D05"].state == cl.DONE


def test_d06_classification_with_ground_and_consistent_access(make):
    org = make.org()
    assert state(make.dataset(org), "D06") == cl.DONE
    assert missing(make.dataset(org, **restricted_fields(restriction_grounds=[])), "D06") == [
        "restriction_grounds"]
    ds = make.dataset(org, access_rights="RESTRICTED")  # open but not public
    assert missing(ds, "D06") == ["access_rights"]
    assert missing(make.dataset(org, classification=None), "D06") == ["classification"]


def test_d07_priority(make):
    org = make.org()
    assert state(make.dataset(org), "D07") == cl.DONE
    assert missing(make.dataset(org, demand=None, risk=None), "D07") == ["demand", "risk"]
    assert state(make.dataset(org, **restricted_fields()), "D07") == cl.NA


@pytest.mark.parametrize("item_id", ["D08", "D09", "D14", "D15", "D19", "D20"])
def test_hand_items_apply_only_to_data_that_will_be_opened(make, item_id):
    org = make.org()
    admin = make.user("admin")
    ds = make.dataset(org)
    assert state(ds, item_id) == cl.TODO
    cl.tick_item(admin, item_id, dataset=ds, evidence_url="https://example.org/proof")
    assert state(ds, item_id) == cl.DONE
    closed = make.dataset(org, **restricted_fields())
    assert state(closed, item_id) == cl.NA
    assert state(make.dataset(org, **restricted_fields(classification="not_publishable",
                                                       access_rights="NON_PUBLIC")),
                 item_id) == cl.NA


def test_d10_anonymisation(make):
    org = make.org()
    admin = make.user("admin")
    assert state(make.dataset(org), "D10") == cl.NA  # no personal data
    assert state(make.dataset(org, personal_data="aggregated"), "D10") == cl.DONE
    ds = make.dataset(org, personal_data="pseudonymised", classification="open_after_treatment",
                      personal_data_categories="identifiers")
    assert state(ds, "D10") == cl.TODO and statuses(ds)["D10"].hand
    cl.tick_item(admin, "D10", dataset=ds, note="k-anonymity 5 checked")
    assert state(ds, "D10") == cl.DONE
    assert state(make.dataset(org, **restricted_fields()), "D10") == cl.NA


def test_d11_open_machine_readable_format(make):
    org = make.org()
    assert state(make.dataset(org), "D11") == cl.DONE  # CSV
    pdf_only = [{"title": "Report", "format": "PDF", "access_url": "https://x.org/r.pdf"}]
    assert missing(make.dataset(org, distributions=pdf_only), "D11") == ["distributions"]
    xlsx_only = [{"title": "Sheet", "format": "XLSX", "access_url": "https://x.org/r.xlsx"}]
    assert state(make.dataset(org, distributions=xlsx_only), "D11") == cl.TODO
    continuous = make.dataset(org, frequency="CONT")
    assert state(continuous, "D11") == cl.TODO  # continuous data need an API
    api = [{"title": "API", "format": "REST", "access_url": "https://x.org/api"}]
    assert state(make.dataset(org, frequency="CONT", distributions=api), "D11") == cl.DONE


def test_d12_open_licence(make):
    org = make.org()
    assert state(make.dataset(org), "D12") == cl.DONE
    ds = make.dataset(org, license_code=None, classification="open")
    assert ds.license_code == "TN-OPEN"  # the default licence counts
    ds.license_code = None
    assert missing(ds, "D12") == ["license_code"]
    assert state(make.dataset(org, **restricted_fields()), "D12") == cl.NA


def test_d13_dcat_metadata(make):
    org = make.org()
    ds = make.dataset(org)
    assert state(ds, "D13") == cl.DONE
    ds = make.dataset(org, keywords_fr=[], themes=[], temporal_start=None, contact_email="")
    assert missing(ds, "D13") == ["keywords_fr", "themes", "contact_email", "temporal_start"]


def test_d16_d17_follow_the_workflow(make):
    org = make.org()
    draft = make.dataset(org, landing_page="https://ministere.tn/donnees")
    assert missing(draft, "D16") == ["status"]
    assert missing(draft, "D17") == ["status"]
    approved = make.dataset(org, status="approved", landing_page="https://ministere.tn/d")
    assert state(approved, "D16") == cl.DONE and state(approved, "D17") == cl.TODO
    published = make.dataset(org, status="published")
    assert state(published, "D16") == cl.DONE
    assert missing(published, "D17") == ["landing_page"]  # not on the body's web site yet
    published.landing_page = "https://ministere.tn/donnees"
    s = statuses(published)["D17"]
    assert s.state == cl.DONE and s.at == published.issued_at
    withdrawn = make.dataset(org, status="withdrawn")
    assert state(withdrawn, "D16") == cl.TODO


def test_d16_names_the_approver(make):
    org = make.org()
    ds = make.dataset(org, status="approved")
    s = next(s for s in cl.entry_checklist(ds).statuses if s.item.id == "D16")
    assert s.by.startswith("admin")  # the factory's admin approved it
    assert s.at == ds.approved_at


def test_d18_update_plan(make):
    org = make.org()
    ds = make.dataset(org, steward="Leila", next_update_due=date(2027, 1, 1))
    assert state(ds, "D18") == cl.DONE
    assert missing(make.dataset(org), "D18") == ["next_update_due", "steward"]
    assert state(make.dataset(org, steward="L", frequency="NEVER"), "D18") == cl.DONE


def test_derived_items_cannot_be_ticked_by_hand(make):
    org = make.org()
    admin = make.user("admin")
    ds = make.dataset(org, source_system="")
    with pytest.raises(cl.TickInvalid) as err:
        cl.tick_item(admin, "D01", dataset=ds, note="trust me")
    assert "item" in err.value.problems
    closed = make.dataset(org, **restricted_fields())
    with pytest.raises(cl.TickInvalid):
        cl.tick_item(admin, "D08", dataset=closed, note="n/a")


def test_progress_counts_items_that_apply(make):
    org = make.org()
    ds = make.dataset(org, **restricted_fields(source_system="S",
                                               personal_data_categories="health records"))
    progress = cl.entry_checklist(ds).progress
    # D01-D06 apply to a restricted entry; D07-D20 do not. D02 and D05 need a hand tick.
    assert (progress.done, progress.applicable) == (4, 6)
    assert progress.percent == 67


# --------------------------------------------------------------------------- hand ticks

def test_ministry_tick_records_who_when_evidence_and_audit(make):
    org = make.org()
    officer = make.user("officer", [org])
    tick = cl.tick_item(officer, "M01", organization=org, note="Décision n° 12 du 3 mars 2024",
                        evidence_url="https://ministere.tn/decision-12.pdf")
    db.session.commit()
    assert (tick.by_id, tick.done, tick.dataset_id, tick.organization_id) == (
        officer.id, True, None, org.id)
    s = cl.ministry_statuses(org)[0]
    assert (s.item.id, s.state, s.source) == ("M01", cl.DONE, "hand")
    audit = db.session.scalars(db.select(AuditLog).where(
        AuditLog.action == "checklist.tick")).one()
    assert audit.details["item"] == "M01" and audit.actor_id == officer.id
    # Ticking again updates the same record; withdrawing keeps who and when.
    cl.tick_item(officer, "M01", organization=org, done=False, note="Decision revoked")
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(ChecklistTick.id))) == 1
    s = cl.ministry_statuses(org)[0]
    assert s.state == cl.TODO and s.tick.note == "Decision revoked"


@pytest.mark.parametrize("note, url, field", [
    ("", "", "note"),  # no evidence at all
    ("x", "javascript:alert(1)", "evidence_url"),
    ("x", "ftp://example.org/file", "evidence_url"),
    ("x" * 5001, "", "note"),
])
def test_ticks_need_valid_evidence(make, note, url, field):
    org = make.org()
    admin = make.user("admin")
    with pytest.raises(cl.TickInvalid) as err:
        cl.tick_item(admin, "M02", organization=org, note=note, evidence_url=url)
    assert field in err.value.problems


def test_unknown_or_misplaced_items_are_refused(make):
    org = make.org()
    admin = make.user("admin")
    ds = make.dataset(org)
    for item_id, kw in (("M99", {"organization": org}), ("D02", {"organization": org}),
                        ("M01", {"dataset": ds})):
        with pytest.raises(cl.TickInvalid):
            cl.tick_item(admin, item_id, note="x", **kw)


def test_who_may_tick(make):
    org, other = make.org(), make.org()
    officer = make.user("officer", [org])
    reviewer = make.user("reviewer", [org])
    outsider = make.user("officer", [other])
    admin = make.user("admin")
    inactive = make.user("officer", [org], active=False)
    ds = make.dataset(org)
    assert workflow.can_tick_ministry_item(officer, org)
    assert workflow.can_tick_ministry_item(admin, org)
    assert not workflow.can_tick_ministry_item(reviewer, org)
    assert not workflow.can_tick_ministry_item(outsider, org)
    assert not workflow.can_tick_ministry_item(inactive, org)
    assert workflow.can_tick_dataset_item(officer, ds)
    assert not workflow.can_tick_dataset_item(reviewer, ds)
    assert not workflow.can_tick_dataset_item(outsider, ds)
    assert workflow.can_view_organization(reviewer, org)
    assert not workflow.can_view_organization(outsider, org)
    archived = make.dataset(org, status="archived")
    assert not workflow.can_tick_dataset_item(officer, archived)


def test_organization_checklist_summary(make):
    org = make.org()
    admin = make.user("admin")
    open_ds = make.dataset(org)
    make.dataset(org, **restricted_fields())
    make.dataset(org, status="archived")
    cl.tick_item(admin, "D02", dataset=open_ds, note="ok")
    cl.tick_item(admin, "M03", organization=org, note="map of sources, annex 2")
    db.session.commit()
    summary = cl.organization_checklist(org)
    assert len(summary.entries) == 2  # the archived entry is left out
    assert summary.ministry_progress.done == 1
    assert summary.item_counts["D02"] == {cl.DONE: 1, cl.TODO: 1, cl.NA: 0}
    assert summary.item_counts["D08"] == {cl.DONE: 0, cl.TODO: 1, cl.NA: 1}
    assert summary.dataset_progress.applicable == sum(
        e.progress.applicable for e in summary.entries)
