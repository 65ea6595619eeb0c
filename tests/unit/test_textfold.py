"""Arabic-aware folding: every variant a user may type matches the stored text."""
import pytest

from inventory.textfold import fold, fold_terms


@pytest.mark.parametrize("variant, canonical", [
    ("أحمد", "احمد"), ("إحصاء", "احصا"), ("آثار", "اثار"), ("ٱلله", "الله"),  # alef forms
    ("مؤسسة", "موسسه"), ("مسؤول", "مسوول"),  # hamza on waw, ta marbuta
    ("رئيس", "رييس"), ("عباءة", "عباه"),  # hamza on ya, bare hamza
    ("مستشفى", "مستشفي"),  # alef maqsura
    ("مُؤَسَّسَةٌ", "موسسه"),  # diacritics
    ("مــؤســـســة", "موسسه"),  # tatweel
    ("٢٠٢١", "2021"), ("۲۰۲۱", "2021"),  # Arabic-Indic digits
    ("Établissement", "etablissement"), ("ÉCOLE", "ecole"),  # Latin accents and case
    ("\u200fسوسة\u200e", "سوسه"),  # bidi marks
])
def test_variants_fold_to_the_same_text(variant, canonical):
    assert fold(variant) == canonical


def test_query_and_stored_text_meet():
    stored = fold("المؤسسات الصحية العمومية بولاية صفاقس")
    for query in ("المؤسسات", "الموسسات", "الصحيه", "صفاقس", "العموميّة"):
        assert all(term in stored for term in fold_terms(query)), query


def test_whitespace_and_empty():
    assert fold("  a \n\t b ") == "a b"
    assert fold(None) == "" and fold("") == ""
    assert fold_terms("  ") == []


def test_folding_does_not_merge_distinct_letters():
    # ha and ta marbuta fold together, but other letters stay distinct
    assert fold("باب") != fold("بات")
    assert fold("سد") != fold("صد")
