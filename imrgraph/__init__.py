"""imrgraph: IMR final determination letters as a queryable knowledge graph.

The pipeline, one sub-package per step:
extract (PDF/text -> pages) -> parse (pages -> model) -> rdf (model -> quads, SHACL)
-> store (embedded Oxigraph or a SPARQL endpoint) -> query / analysis. The CLI (cli.py) is only
the edge over this Python API.
"""

__version__ = "0.1.0"
