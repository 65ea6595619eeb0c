"""Write the dataset schema of the local multilingual test CKAN (run with CKAN's venv python).

    portal_schema.py OUT.yaml ar fr en

Built at install time from the schemas ckanext-dcat ships (never copied into this repository):
ckanext-dcat's `dcat_ap_multilingual.yaml` (title, description, keywords and resource names as
ckanext-fluent fields) completed with the DCAT-AP dataset fields of its `dcat_ap_full.yaml`
that the multilingual example lacks (identifier, theme, access_rights, frequency, publisher,
temporal and spatial coverage, applicable_legislation...), as ckanext-dcat's documentation
advises sites to do. Changes to the example, each because of the national portal's case:
- `form_languages` become the portal's languages (the example has en, ca, es);
- fluent fields are not `required`: fluent would then demand every form language, while an
  inventory entry may be in Arabic or French only;
- fluent form/display snippets are dropped (the local fluent stand-in has no templates).
"""
import sys
from importlib.resources import files

import yaml


def load(name):
    return yaml.safe_load((files("ckanext.dcat.schemas") / name).read_text(encoding="utf-8"))


def relax(fields):
    for f in fields:
        if str(f.get("preset", "")).startswith("fluent"):
            f.pop("required", None)
            for key in ("form_snippet", "display_snippet"):
                if str(f.get(key, "")).startswith("fluent"):
                    f.pop(key)
        relax(f.get("repeating_subfields") or [])


def main(out, languages):
    schema = load("dcat_ap_multilingual.yaml")
    full = load("dcat_ap_full.yaml")
    schema["about"] = (f"DCAT-AP, multilingual ({', '.join(languages)}): ckanext-dcat's "
                       "dcat_ap_multilingual.yaml with the dataset fields of dcat_ap_full.yaml")
    schema["form_languages"] = languages
    have = {f["field_name"] for f in schema["dataset_fields"]}
    for f in full["dataset_fields"]:
        name = f["field_name"]
        if name not in have and f"{name}_translated" not in have and name != "tag_string":
            schema["dataset_fields"].append(f)
    relax(schema["dataset_fields"])
    relax(schema["resource_fields"])
    with open(out, "w", encoding="utf-8") as fh:
        yaml.safe_dump(schema, fh, allow_unicode=True, sort_keys=False)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
