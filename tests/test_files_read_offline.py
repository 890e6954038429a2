"""``imrgraph validate FILE`` reads files without network access and without entity expansion.

The promise (RELIABILITY.md, "Query limits" and "Hostile input"): a JSON-LD ``@context`` or
``@import`` naming a URL is refused, never fetched; RDF/XML declaring external, parameter or
nested entities (the "billion laughs" bomb, 1.4 KB) is refused before anything is expanded;
plain internal entities (as OWL tools write them) still read. The URLs point at a server of the
test's own on 127.0.0.1 that records whether it was contacted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_query_limits import recorder

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow  # interpreters started per case
LETTER_TTL = """@prefix imr: <https://w3id.org/imrgraph/ontology#> .
<https://w3id.org/imrgraph/data/determination/X> a imr:Determination ."""


def _validate(path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "imrgraph", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
    )


def _refused(result: subprocess.CompletedProcess[str], path: Path) -> str:
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"{path}: "), result.stderr[-2000:]
    return lines[0]


@pytest.mark.parametrize("key", ["@context", "@import"])
def test_a_remote_json_ld_context_is_refused_not_fetched(tmp_path, key):
    with recorder("html") as server:
        context = f"{server.url}/context.jsonld"
        if key == "@import":
            context_value: object = {"@import": context}
        else:
            context_value = [{"imr": "https://w3id.org/imrgraph/ontology#"}, context]
        path = tmp_path / "letter.jsonld"
        document = {
            "@context": context_value,
            "@id": "https://w3id.org/imrgraph/data/determination/X",
            "@type": "imr:Determination",
        }
        path.write_text(json.dumps(document))
        line = _refused(_validate(path), path)
        assert server.requests == []  # before: the context was fetched
    assert "remote" in line and context in line


BOMB = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
  <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
  <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
  <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="https://w3id.org/imrgraph/data/determination/X">
    <rdfs:label>&g;</rdfs:label>
  </rdf:Description>
</rdf:RDF>
"""


def test_an_xml_entity_bomb_is_refused_before_expansion(tmp_path):
    path = tmp_path / "bomb.rdf"
    path.write_text(BOMB)
    assert path.stat().st_size < 1500
    started = time.monotonic()
    line = _refused(_validate(path), path)  # before: expanded with no end (timeout here)
    assert "entity" in line and "'b'" in line
    assert time.monotonic() - started < 60


def test_an_external_xml_entity_is_refused_not_fetched(tmp_path):
    with recorder("html") as server:
        path = tmp_path / "external.rdf"
        path.write_text(
            f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY x SYSTEM "{server.url}/x"> ]>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">'
            '<rdf:Description rdf:about="http://e/x"><rdfs:label>&x;</rdfs:label>'
            "</rdf:Description></rdf:RDF>\n"
        )
        line = _refused(_validate(path), path)
        assert server.requests == []
    assert "'x'" in line


def test_plain_internal_entities_as_owl_tools_write_them_still_read(tmp_path):
    from imrgraph.rdf.validate import read_rdf

    path = tmp_path / "owl.rdf"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n'
        '  <!ENTITY imr "https://w3id.org/imrgraph/ontology#">\n]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="https://w3id.org/imrgraph/data/determination/X">'
        '<rdf:type rdf:resource="&imr;Determination"/></rdf:Description></rdf:RDF>\n'
    )
    dataset = read_rdf(path)
    assert len(dataset) == 1
    (triple,) = list(dataset)
    assert str(triple[2]) == "https://w3id.org/imrgraph/ontology#Determination"
