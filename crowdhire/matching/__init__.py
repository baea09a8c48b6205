"""The matching engine: profiles, the explained score, embeddings and the vector index.

Pure functions where possible (profiles, skills, score, atlas); `store`, `index` and
`tasks` are the parts that touch MongoDB.
"""
