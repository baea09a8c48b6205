"""The GraphQL engine around the schema: HTTP view, limits, cost and budget, response cache,
error masking, persisted queries, GraphiQL and the operation observer."""
