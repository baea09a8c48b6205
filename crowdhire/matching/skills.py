"""Skill names that mean the same thing: a curated alias table plus name similarity."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

SkillSimilarity = Callable[[str, str], float]
"""Cosine similarity of two skill names (from the embedding model)."""

SIMILAR_NAME_THRESHOLD = 0.8
"""Two different names count as the same skill from this cosine on (chosen on the dev split)."""

_ALIASES: dict[str, tuple[str, ...]] = {
    "kubernetes": ("k8s", "kube"),
    "postgresql": ("postgres", "psql", "pg"),
    "go": ("golang",),
    "javascript": ("js", "ecmascript"),
    "typescript": ("ts",),
    "python": ("python3", "py"),
    "react": ("reactjs", "react.js"),
    "node.js": ("node", "nodejs"),
    "vue": ("vuejs", "vue.js"),
    "amazon web services": ("aws",),
    "google cloud": ("gcp", "google cloud platform"),
    "microsoft azure": ("azure",),
    "machine learning": ("ml",),
    "deep learning": ("dl",),
    "natural language processing": ("nlp",),
    "continuous integration": ("ci", "ci/cd", "cicd"),
    "c#": ("csharp", "c sharp", ".net", "dotnet"),
    "c++": ("cpp",),
    "terraform": ("tf", "hcl"),
    "mongodb": ("mongo",),
    "elasticsearch": ("elastic", "es"),
    "user experience": ("ux",),
    "user interface": ("ui",),
    "search engine optimization": ("seo",),
    "quality assurance": ("qa",),
    "sql": ("structured query language",),
    "graphql": ("gql",),
    "rest": ("rest api", "restful"),
    "docker": ("containers",),
    "pytorch": ("torch",),
    "tensorflow": ("tf2",),
    "figma": (),
    "salesforce": ("sfdc",),
    "customer relationship management": ("crm",),
    "product management": ("pm",),
    "objective-c": ("objc",),
}

CANONICAL: dict[str, str] = {
    alias: name for name, aliases in _ALIASES.items() for alias in (name, *aliases)
}


@lru_cache(maxsize=50_000)  # rankings canonicalize the same few thousand names over and over
def canonical(skill: str) -> str:
    """The curated name of a skill (lower-case, trimmed), or the skill itself."""
    cleaned = " ".join(skill.split()).lower()
    return CANONICAL.get(cleaned, cleaned)


@dataclass(frozen=True)
class SkillCoverage:
    """Which wanted skills a candidate has, and which are missing."""

    matched: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def ratio(self) -> float:
        """Share of wanted skills covered (1.0 for an empty wish list)."""
        wanted = len(self.matched) + len(self.missing)
        return len(self.matched) / wanted if wanted else 1.0


def coverage(
    wanted: Iterable[str], held: Iterable[str], similarity: SkillSimilarity | None = None
) -> SkillCoverage:
    """Match wanted skills by canonical name, else (with a model) by name similarity."""
    held_names = {canonical(skill) for skill in held}
    matched: list[str] = []
    missing: list[str] = []
    for skill in wanted:
        name = canonical(skill)
        found = name in held_names or (
            similarity is not None
            and any(similarity(name, other) >= SIMILAR_NAME_THRESHOLD for other in held_names)
        )
        (matched if found else missing).append(skill)
    return SkillCoverage(tuple(matched), tuple(missing))
