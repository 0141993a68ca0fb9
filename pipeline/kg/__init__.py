"""The knowledge graph: canonical entities across documents, the aggregated graph, an embedded RDF store and
exports. Works on the JSONL records that `newsgraph extract` writes; never imports spaCy or torch.

Modules: `names` (comparison keys and the reviewed name tables), `canon` (which mentions are one entity),
`inputs` (reading an extraction output folder), `graph` (nodes and edges with provenance), `rdf` (the RDF
vocabulary and IRIs), `store` (the Oxigraph store and ready queries), `export` (Neo4j, Cypher, N-Quads, Turtle,
GraphML), `evaluate` (canonicalisation scored on the news gold corpus), `cli` (the `newsgraph kg` commands).
"""
