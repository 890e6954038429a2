"""Namespaces used by the mapper, shapes, queries and analysis.

The ontology itself (classes, properties, labels, comments) is ``ontology/imr.ttl``; this module
only names the namespaces so Python code does not spell IRIs by hand. The data namespace is
configurable (``--base`` / ``IMRGRAPH_BASE``); the default is below.
"""

from __future__ import annotations

from rdflib import Namespace

IMR = Namespace("https://w3id.org/imrgraph/ontology#")
GL = Namespace("https://w3id.org/imrgraph/guideline/")  # guideline concept scheme
CAT = Namespace("https://w3id.org/imrgraph/category/")  # service category concept scheme
RSN = Namespace("https://w3id.org/imrgraph/reason/")  # decision reason concept scheme
DEFAULT_DATA_BASE = "https://w3id.org/imrgraph/data/"

PROV = Namespace("http://www.w3.org/ns/prov#")
SCHEMA = Namespace("https://schema.org/")
SH = Namespace("http://www.w3.org/ns/shacl#")

PREFIXES: dict[str, str] = {
    "imr": str(IMR),
    "gl": str(GL),
    "cat": str(CAT),
    "rsn": str(RSN),
    "prov": str(PROV),
    "schema": str(SCHEMA),
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
}

DCTERMS = Namespace("http://purl.org/dc/terms/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")

# The guideline and category schemes themselves, and the graph the store keeps them in.
GUIDELINE_SCHEME = GL["scheme"]
CATEGORY_SCHEME = CAT["scheme"]
REASON_SCHEME = RSN["scheme"]
ONTOLOGY_GRAPH = "https://w3id.org/imrgraph/graph/ontology"
ONTOLOGY_IRI = "https://w3id.org/imrgraph/ontology"
