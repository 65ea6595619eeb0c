"""RDF namespaces the catalogue uses (those rdflib lacks, plus rdflib's), one prefix table for
every output format, and `new_graph()` with those prefixes bound.

`PREFIXES` is the single source of the Turtle prefix block, the JSON-LD context and the
RDF/XML root element's namespace declarations, so fragments written separately all share
the same prefixes.
"""
from rdflib import Graph, URIRef


class Terms:
    """A namespace whose terms are made once (`DCAT.title`, `ADMS_STATUS["Completed"]`).

    rdflib's own namespace objects build and check a new URIRef on every attribute access,
    which is a measurable share of mapping 100,000 entries."""

    def __init__(self, iri):
        self._iri = iri

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        term = URIRef(self._iri + name)
        setattr(self, name, term)
        return term

    def __getitem__(self, name):
        return getattr(self, name)

    def __str__(self):
        return self._iri


RDF = Terms("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Terms("http://www.w3.org/2000/01/rdf-schema#")
XSD = Terms("http://www.w3.org/2001/XMLSchema#")
DCAT = Terms("http://www.w3.org/ns/dcat#")
DCT = Terms("http://purl.org/dc/terms/")
FOAF = Terms("http://xmlns.com/foaf/0.1/")
SKOS = Terms("http://www.w3.org/2004/02/skos/core#")
ODRL = Terms("http://www.w3.org/ns/odrl/2/")
PROV = Terms("http://www.w3.org/ns/prov#")
DCATAP = Terms("http://data.europa.eu/r5r/")
ADMS = Terms("http://www.w3.org/ns/adms#")
VCARD = Terms("http://www.w3.org/2006/vcard/ns#")
HYDRA = Terms("http://www.w3.org/ns/hydra/core#")
ELI = Terms("http://data.europa.eu/eli/ontology#")
LOCN = Terms("http://www.w3.org/ns/locn#")
SPDX = Terms("http://spdx.org/rdf/terms#")

# EU authority tables (controlled vocabularies) and other well-known concept schemes.
EU_THEME = Terms("http://publications.europa.eu/resource/authority/data-theme/")
EU_THEME_SCHEME = "http://publications.europa.eu/resource/authority/data-theme"
EU_FREQUENCY = Terms("http://publications.europa.eu/resource/authority/frequency/")
EU_ACCESS_RIGHT = Terms("http://publications.europa.eu/resource/authority/access-right/")
EU_FILE_TYPE = Terms("http://publications.europa.eu/resource/authority/file-type/")
EU_LANGUAGE = Terms("http://publications.europa.eu/resource/authority/language/")
EU_COUNTRY = Terms("http://publications.europa.eu/resource/authority/country/")
EU_AVAILABILITY = Terms("http://publications.europa.eu/resource/authority/planned-availability/")
ADMS_PUBLISHER_TYPE = Terms("http://purl.org/adms/publishertype/")
ADMS_LICENCE_TYPE = Terms("http://purl.org/adms/licencetype/")
ADMS_STATUS = Terms("http://purl.org/adms/status/")

# prefix -> namespace IRI, in the order they are declared in every document.
PREFIXES = {
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "dcat": str(DCAT),
    "dct": str(DCT),
    "dcatap": str(DCATAP),
    "adms": str(ADMS),
    "foaf": str(FOAF),
    "vcard": str(VCARD),
    "skos": str(SKOS),
    "eli": str(ELI),
    "locn": str(LOCN),
    "odrl": str(ODRL),
    "prov": str(PROV),
    "spdx": str(SPDX),
    "hydra": str(HYDRA),
    "theme": str(EU_THEME),
    "freq": str(EU_FREQUENCY),
    "access": str(EU_ACCESS_RIGHT),
    "ftype": str(EU_FILE_TYPE),
    "lang": str(EU_LANGUAGE),
    "country": str(EU_COUNTRY),
    "avail": str(EU_AVAILABILITY),
}


def new_graph():
    """An empty rdflib Graph with exactly the catalogue's prefixes bound."""
    graph = Graph(bind_namespaces="none")
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
    return graph
