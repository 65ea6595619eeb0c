"""Realistic demo data: ministries, accounts, a priority campaign and entries in every workflow
state up to `approved` (publishing is left to the portal step: no CKAN sync state is recorded).

Idempotent: entries get UUIDs derived from the seed and their index, so a second run creates
nothing that already exists.
"""
import random
import uuid
from datetime import date, timedelta

from . import workflow
from .auth import hash_password
from .entries import create_entry
from .extensions import db
from .models import Campaign, Dataset, Organization, User
from .seed import seed_organizations

DEMO_NAMESPACE = uuid.UUID("6f1d7c2e-5a0b-4c55-9d3e-2021000000a3")

DEMO_ACCOUNTS = [
    # e-mail, password, role, organizations
    ("admin@example.org", "Admin-demo-2021", "admin", []),
    ("reviewer@example.org", "Reviewer-demo-2021", "reviewer",
     ["MESRS", "MS", "MEH", "MEP", "MAS", "MEDU", "MAR"]),
    ("officer@example.org", "Officer-demo-2021", "officer", ["MESRS"]),
    ("officer.sante@example.org", "Officer-demo-2021", "officer", ["MS"]),
    ("officer.equipement@example.org", "Officer-demo-2021", "officer", ["MEH"]),
]

# (org, theme, title_ar, title_fr, description_ar, description_fr, keywords_ar, keywords_fr,
#  frequency, formats, source system, hvd)
TEMPLATES = [
    ("MESRS", "EDUC", "عدد الطلبة المرسمين بمؤسسات التعليم العالي العمومية",
     "Effectifs des étudiants inscrits dans les établissements publics d'enseignement supérieur",
     "توزيع الطلبة المرسمين حسب المؤسسة والجامعة والجنس والشعبة لكل سنة جامعية.",
     "Répartition des étudiants inscrits par établissement, université, sexe et filière, "
     "pour chaque année universitaire.",
     ["طلبة", "تعليم عالي", "جامعات"], ["étudiants", "enseignement supérieur", "universités"],
     "ANNUAL", ["CSV", "XLSX"], "Système de gestion de la scolarité (Salima)", "STATISTICS"),
    ("MESRS", "EDUC", "قائمة مؤسسات التعليم العالي والبحث",
     "Liste des établissements d'enseignement supérieur et de recherche",
     "الاسم والعنوان والجامعة الراجعة إليها بالنظر والإحداثيات الجغرافية لكل مؤسسة.",
     "Nom, adresse, université de rattachement et coordonnées géographiques de chaque "
     "établissement.",
     ["مؤسسات جامعية", "خريطة"], ["établissements", "carte universitaire"],
     "ANNUAL", ["CSV", "GEOJSON"], "Référentiel des établissements", "GEOSPATIAL"),
    ("MESRS", "TECH", "مخابر ووحدات البحث", "Laboratoires et unités de recherche",
     "قائمة مخابر ووحدات البحث حسب الميدان والمؤسسة الحاضنة.",
     "Liste des laboratoires et unités de recherche par domaine et établissement d'accueil.",
     ["بحث علمي", "مخابر"], ["recherche scientifique", "laboratoires"],
     "ANNUAL", ["CSV"], "Base de données de la recherche", None),
    ("MS", "HEAL", "قائمة المؤسسات الصحية العمومية", "Liste des établissements de santé publique",
     "المستشفيات ومراكز الصحة الأساسية مع طاقة الاستيعاب والاختصاصات والعنوان.",
     "Hôpitaux et centres de santé de base avec capacité, spécialités et adresse.",
     ["مستشفيات", "صحة"], ["hôpitaux", "santé publique"],
     "ANNUAL", ["CSV", "GEOJSON"], "Carte sanitaire", "GEOSPATIAL"),
    ("MS", "HEAL", "التغطية بالتلاقيح حسب الولاية", "Couverture vaccinale par gouvernorat",
     "نسب التغطية بالتلاقيح الإجبارية للأطفال حسب الولاية والسنة.",
     "Taux de couverture des vaccinations obligatoires des enfants par gouvernorat et par année.",
     ["تلاقيح", "طفولة"], ["vaccination", "enfance"],
     "ANNUAL", ["CSV"], "Programme national de vaccination", "STATISTICS"),
    ("MS", "HEAL", "سجل الأطباء المرخص لهم", "Registre des médecins autorisés",
     "قائمة إسمية للأطباء تتضمن معطيات شخصية.",
     "Liste nominative des médecins, contenant des données personnelles.",
     ["أطباء"], ["médecins"], "MONTHLY", ["XLSX"], "Registre de l'Ordre", None),
    ("MEH", "TRAN", "مشاريع الطرقات المبرمجة", "Projets routiers programmés",
     "قائمة مشاريع الطرقات والجسور مع الكلفة والتقدم والولاية.",
     "Liste des projets de routes et d'ouvrages d'art avec coût, avancement et gouvernorat.",
     ["طرقات", "بنية تحتية"], ["routes", "infrastructures"],
     "QUARTERLY", ["CSV", "XLSX"], "Système de suivi des projets", "MOBILITY"),
    ("MEH", "REGI", "رخص البناء المسلمة", "Permis de bâtir délivrés",
     "عدد رخص البناء المسلمة حسب البلدية والصنف.",
     "Nombre de permis de bâtir délivrés par commune et par catégorie.",
     ["بناء", "تعمير"], ["construction", "urbanisme"],
     "MONTHLY", ["CSV"], "Application des permis", None),
    ("MEH", "ENVI", "الأمثلة التوجيهية للتهيئة العمرانية", "Plans d'aménagement urbain",
     "حدود الأمثلة المصادق عليها ومناطقها.",
     "Périmètres et zonage des plans d'aménagement urbain approuvés.",
     ["تهيئة عمرانية"], ["aménagement urbain", "zonage"],
     "IRREG", ["SHP", "GEOJSON"], "SIG de l'urbanisme", "GEOSPATIAL"),
    ("MEP", "ECON", "المؤشرات الاقتصادية الجهوية", "Indicateurs économiques régionaux",
     "مؤشرات التنمية الجهوية حسب الولاية.",
     "Indicateurs de développement régional par gouvernorat.",
     ["تنمية جهوية", "مؤشرات"], ["développement régional", "indicateurs"],
     "ANNUAL", ["CSV", "XLSX"], "Base des indicateurs", "STATISTICS"),
    ("MEP", "GOVE", "مشاريع المخطط التنموي", "Projets du plan de développement",
     "قائمة المشاريع العمومية المدرجة بالمخطط مع الكلفة والتمويل.",
     "Projets publics inscrits au plan de développement, avec coût et financement.",
     ["مخطط", "استثمار عمومي"], ["plan de développement", "investissement public"],
     "ANNUAL", ["XLSX"], "Système de suivi du plan", None),
    ("MAS", "SOCI", "المنتفعون بالمنح القارة", "Bénéficiaires des allocations permanentes",
     "عدد العائلات المنتفعة ببرنامج الأمان الاجتماعي حسب الولاية.",
     "Nombre de familles bénéficiaires du programme Amen social par gouvernorat.",
     ["منح", "أمان اجتماعي"], ["aides sociales", "Amen social"],
     "QUARTERLY", ["CSV"], "Base Amen social", "STATISTICS"),
    ("MAS", "SOCI", "مؤسسات الرعاية الاجتماعية", "Établissements de protection sociale",
     "قائمة مراكز الرعاية مع طاقة الاستيعاب.",
     "Liste des centres de protection sociale avec leur capacité d'accueil.",
     ["رعاية اجتماعية"], ["protection sociale"],
     "ANNUAL", ["CSV"], "Répertoire des établissements", None),
    ("MEDU", "EDUC", "نتائج امتحان الباكالوريا", "Résultats du baccalauréat",
     "نسب النجاح حسب الولاية والشعبة والمعهد.",
     "Taux de réussite par gouvernorat, section et lycée.",
     ["باكالوريا", "امتحانات"], ["baccalauréat", "examens"],
     "ANNUAL", ["CSV", "JSON"], "Système des examens nationaux", "STATISTICS"),
    ("MEDU", "EDUC", "خارطة المدارس الابتدائية", "Carte des écoles primaires",
     "مواقع المدارس الابتدائية وعدد التلاميذ والقاعات.",
     "Localisation des écoles primaires, effectifs et nombre de salles.",
     ["مدارس", "خارطة مدرسية"], ["écoles", "carte scolaire"],
     "ANNUAL", ["GEOJSON", "CSV"], "Carte scolaire", "GEOSPATIAL"),
    ("MAR", "SOCI", "قائمة المعالم الدينية", "Liste des édifices religieux",
     "الجوامع والمساجد حسب الولاية والمعتمدية.",
     "Mosquées et lieux de culte par gouvernorat et délégation.",
     ["جوامع", "مساجد"], ["mosquées", "édifices religieux"],
     "ANNUAL", ["CSV"], "Inventaire des édifices", None),
    ("MAR", "GOVE", "الإطارات الدينية", "Cadres religieux",
     "عدد الأئمة والإطارات الدينية حسب الولاية.",
     "Nombre d'imams et de cadres religieux par gouvernorat.",
     ["أئمة"], ["imams"], "ANNUAL", ["XLSX"], "Gestion des cadres", None),
    ("MF", "ECON", "تنفيذ ميزانية الدولة", "Exécution du budget de l'État",
     "الموارد والنفقات الشهرية لميزانية الدولة.",
     "Ressources et dépenses mensuelles du budget de l'État.",
     ["ميزانية", "مالية عمومية"], ["budget", "finances publiques"],
     "MONTHLY", ["CSV", "XLSX"], "ADEB", "STATISTICS"),
    ("MARHP", "AGRI", "الإنتاج الفلاحي حسب المنتوج", "Production agricole par produit",
     "كميات الإنتاج الفلاحي السنوية حسب المنتوج والولاية.",
     "Quantités annuelles de production agricole par produit et gouvernorat.",
     ["فلاحة", "إنتاج"], ["agriculture", "production"],
     "ANNUAL", ["CSV"], "Enquêtes agricoles", "STATISTICS"),
    ("MTOUR", "ECON", "الليالي السياحية حسب المنطقة", "Nuitées touristiques par zone",
     "عدد الليالي المقضاة بالنزل حسب المنطقة السياحية والجنسية.",
     "Nuitées hôtelières par zone touristique et nationalité.",
     ["سياحة"], ["tourisme", "nuitées"], "MONTHLY", ["CSV"], "Statistiques hôtelières", None),
]

# The workflow state each entry reaches, cycled so every state is represented.
STATE_CYCLE = ["draft", "submitted", "approved", "changes_requested", "approved", "draft",
               "submitted", "approved", "withdrawn", "archived", "approved", "submitted"]

GOVERNORATES = ["TN-11", "TN-12", "TN-13", "TN-21", "TN-51", "TN-61", "TN-71", "TN-81"]


def _accounts():
    users = {}
    for email, password, role, org_codes in DEMO_ACCOUNTS:
        user = db.session.scalar(db.select(User).where(User.email == email))
        if user is None:
            user = User(email=email, role=role, name=email.split("@")[0].replace(".", " ").title(),
                        password_hash=hash_password(password))
            db.session.add(user)
            user.organizations = list(db.session.scalars(
                db.select(Organization).where(Organization.code.in_(org_codes))))
        users[email] = user
    db.session.flush()
    return users


def _campaign():
    campaign = db.session.scalar(db.select(Campaign).where(
        Campaign.name_fr == "Campagne d'inventaire 2026 — secteurs prioritaires"))
    if campaign is None:
        campaign = Campaign(
            name_ar="حملة جرد 2026 — القطاعات ذات الأولوية",
            name_fr="Campagne d'inventaire 2026 — secteurs prioritaires",
            name_en="2026 inventory campaign — priority sectors",
            description="Équipement, Enseignement supérieur, Économie et Planification, Affaires "
                        "religieuses, Affaires sociales, Éducation, Santé.",
            sectors=["EDUC", "HEAL", "ECON", "SOCI", "TRAN"],
            start_date=date(2026, 1, 15), deadline=date(2026, 12, 31))
        campaign.organizations = list(db.session.scalars(db.select(Organization).where(
            Organization.code.in_(["MEH", "MESRS", "MEP", "MAR", "MAS", "MEDU", "MS"]))))
        db.session.add(campaign)
        db.session.flush()
    return campaign


def _fields(template, rng, index):
    (_org, theme, t_ar, t_fr, d_ar, d_fr, k_ar, k_fr, freq, formats, source, hvd) = template
    year = 2015 + index % 10
    personal = "yes" if "nominative" in d_fr else rng.choice(["none", "none", "aggregated"])
    restricted = personal == "yes" or index % 11 == 7
    suffix_ar = f" ({year})" if index >= len(TEMPLATES) else ""
    suffix_fr = f" ({year})" if index >= len(TEMPLATES) else ""
    fields = dict(
        title_ar=t_ar + suffix_ar, title_fr=t_fr + suffix_fr,
        description_ar=d_ar, description_fr=d_fr,
        keywords_ar=list(k_ar), keywords_fr=list(k_fr),
        owner_unit="Direction des statistiques" if index % 2 else "Direction générale des études",
        steward="Responsable open data", source_system=source,
        storage_location="Serveur central du ministère", volume=f"{rng.randint(1, 500)} Mo",
        update_mechanism="Extraction automatique" if index % 2 else "Saisie manuelle",
        personal_data=personal, frequency=freq, languages=["ar", "fr"],
        spatial=["TN"] if index % 3 else rng.sample(GOVERNORATES, 2),
        temporal_start=date(year, 1, 1), temporal_end=date(year + 1, 12, 31),
        contact_name="Cellule open data", contact_email="opendata@example.org",
        landing_page="https://data.example.org/" + _org.lower(),
        demand=rng.randint(0, 3), ati_requests=rng.randint(0, 12), value=rng.randint(1, 3),
        legal_obligation=index % 4 == 0, readiness=rng.randint(0, 3), risk=rng.randint(0, 2),
        hvd_category=hvd,
        planned_release_date=date(2026, 1, 1) + timedelta(days=rng.randint(0, 330)),
        themes=[theme],
        distributions=[{
            "title": f"{t_fr} — {fmt}", "format": fmt,
            "access_url": f"https://data.example.org/{_org.lower()}/{index}/{fmt.lower()}",
            "download_url": f"https://data.example.org/{_org.lower()}/{index}/data.{fmt.lower()}",
            "byte_size": rng.randint(10_000, 50_000_000)} for fmt in formats],
    )
    if restricted:
        fields.update(
            classification="restricted" if personal == "yes" else "not_publishable",
            access_rights="RESTRICTED" if personal == "yes" else "NON_PUBLIC",
            restriction_grounds=["PERSONAL_DATA"] if personal == "yes" else ["PUBLIC_SECURITY"],
            harm_note="La publication exposerait des données nominatives.",
            public_interest_note="Aucun intérêt public supérieur identifié.",
            proportionality_note="Une version agrégée sera étudiée.",
            restriction_review_date=date(2027, 6, 30), license_code=None,
            distributions=[])
    else:
        fields.update(classification="open" if personal == "none" else "open_after_treatment",
                      access_rights="PUBLIC", license_code="TN-OPEN")
    return fields


def load_demo(count=60, seed=2021, echo=None):
    """Create up to `count` demo entries (skipping those already present)."""
    seed_organizations()
    users = _accounts()
    campaign = _campaign()
    admin = users["admin@example.org"]
    reviewer = users["reviewer@example.org"]
    rng = random.Random(seed)
    orgs = {o.code: o for o in db.session.scalars(db.select(Organization))}
    created = skipped = 0
    for i in range(count):
        entry_uuid = str(uuid.uuid5(DEMO_NAMESPACE, f"{seed}-{i}"))
        template = TEMPLATES[i % len(TEMPLATES)]
        fields = _fields(template, rng, i)  # drawn even when skipped: keeps runs identical
        if db.session.scalar(db.select(Dataset.id).where(Dataset.uuid == entry_uuid)):
            skipped += 1
            continue
        org = orgs[template[0]]
        officer = next((u for u in users.values() if u.role == "officer"
                        and org.id in u.organization_ids), admin)
        if campaign and org in campaign.organizations:
            fields["campaign_id"] = campaign.id
        dataset = create_entry(org, officer, **fields)
        dataset.uuid = entry_uuid
        dataset_reviewer = reviewer if org.id in reviewer.organization_ids else admin
        _advance(dataset, STATE_CYCLE[i % len(STATE_CYCLE)], officer, dataset_reviewer, admin)
        created += 1
        if echo and created % 500 == 0:
            db.session.commit()
            echo(f"  {created} entries…")
    db.session.commit()
    return {"created": created, "skipped": skipped}


def _advance(dataset, target, officer, reviewer, admin):
    """Walk `dataset` through the workflow to `target` the way people would."""
    if target == "draft":
        return
    if target == "archived":
        workflow.archive(dataset, admin, "Doublon d'une autre fiche.")
        return
    if workflow.submission_problems(dataset):
        return  # an incomplete demo entry stays a draft
    workflow.submit(dataset, officer)
    if target == "submitted":
        return
    if target == "changes_requested":
        workflow.request_changes(dataset, reviewer, "Merci de préciser la description en arabe.",
                                 {"description_ar": "الوصف مقتضب جدا."})
        return
    workflow.approve(dataset, reviewer, "Fiche complète.")
    if target == "withdrawn":
        workflow.withdraw(dataset, admin, "Données en cours de révision.")
