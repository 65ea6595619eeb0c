"""RDF namespaces the catalogue uses (those rdflib lacks, plus rdflib's), one prefix table for
every output format, and `new_graph()` with those prefixes bound.

`PREFIXES` is the single source of the Turtle prefix block, the JSON-LD context and the
RDF/XML root element's namespace declarations, so fragments written separately all share
the same prefixes.
"""
from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ODRL2, PROV, RDF, RDFS, SKOS, XSD

DCT = DCTERMS
DCATAP = Namespace("http://data.europa.eu/r5r/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
SPDX = Namespace("http://spdx.org/rdf/terms#")

# EU authority tables (controlled vocabularies) and other well-known concept schemes.
EU_THEME = Namespace("http://publications.europa.eu/resource/authority/data-theme/")
EU_THEME_SCHEME = "http://publications.europa.eu/resource/authority/data-theme"
EU_FREQUENCY = Namespace("http://publications.europa.eu/resource/authority/frequency/")
EU_ACCESS_RIGHT = Namespace("http://publications.europa.eu/resource/authority/access-right/")
EU_FILE_TYPE = Namespace("http://publications.europa.eu/resource/authority/file-type/")
EU_LANGUAGE = Namespace("http://publications.europa.eu/resource/authority/language/")
EU_COUNTRY = Namespace("http://publications.europa.eu/resource/authority/country/")
EU_AVAILABILITY = Namespace("http://publications.europa.eu/resource/authority/planned-availability/")
ADMS_PUBLISHER_TYPE = Namespace("http://purl.org/adms/publishertype/")
ADMS_LICENCE_TYPE = Namespace("http://purl.org/adms/licencetype/")
ADMS_STATUS = Namespace("http://purl.org/adms/status/")

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
    "odrl": str(ODRL2),
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
