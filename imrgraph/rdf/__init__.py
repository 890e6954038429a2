"""RDF for parsed letters: vocabulary, mapping, guideline resolution, SHACL validation.

- :mod:`imrgraph.rdf.vocab`: namespaces (``imr:``, ``gl:``, ``cat:``) and well-known IRIs.
- :mod:`imrgraph.rdf.guidelines`: a parsed citation -> the most specific concept of
  ``ontology/guidelines.ttl``.
- :mod:`imrgraph.rdf.mapper`: ``model.Letter`` -> one named graph of triples (pyoxigraph,
  N-Triples or rdflib), deterministic IRIs (docs/DESIGN.md, "RDF vocabulary").
- :mod:`imrgraph.rdf.validate`: pyshacl with ``shapes/imr.shapes.ttl``, per letter or in batches,
  on RDF files or on a store.

Nothing is imported here, so using one module does not load the others (pyshacl, needed only
by ``validate``, is slow to import).
"""
