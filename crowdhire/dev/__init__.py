"""Developer and operations tooling: embedded servers, demo seed, dev tokens, the local cluster
and its drills. The request path never imports it (an import-linter contract)."""
