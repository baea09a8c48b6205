"""The GraphQL types, inputs, payloads and root fields; crowdhire.graphql builds the Schema."""
