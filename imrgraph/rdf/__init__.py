"""RDF for parsed letters: vocabulary, mapping, guideline resolution, SHACL validation.

- :mod:`imrgraph.rdf.vocab`: namespaces (``imr:``, ``gl:``, ``cat:``) and well-known IRIs.
- :mod:`imrgraph.rdf.guidelines`: a parsed citation -> the most specific concept of
  ``ontology/guidelines.ttl``.
- :mod:`imrgraph.rdf.mapper`: ``model.Letter`` -> one named graph of triples (pyoxigraph,
  N-Triples or rdflib), deterministic IRIs (docs/DESIGN.md, "RDF vocabulary").
- :mod:`imrgraph.rdf.validate`: pyshacl with ``shapes/imr.shapes.ttl``, per letter or in batches,
  on RDF files or on a store.

Nothing is imported here: rdflib and pyshacl are slow to import, and the store's workers only
need the mapper.
"""
