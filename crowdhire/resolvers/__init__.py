"""Rules and orchestration: reads through loaders, writes through models, then invalidate."""
