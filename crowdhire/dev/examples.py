"""The README's example queries, read from the README: tests and benchmarks run what users copy."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "## Example queries"
_NUMBERED = re.compile(r"^# (\d+)\. (.+)$")


@dataclass(frozen=True)
class Example:
    """One numbered example: its title line and its GraphQL document."""

    number: int
    title: str
    document: str


def readme_examples(readme: Path = README) -> list[Example]:
    """Each `# N. title` block of the first graphql fence under "Example queries"."""
    text = readme.read_text(encoding="utf-8")
    section = text[text.index(SECTION) :]
    fence = section[section.index("```graphql") + len("```graphql") :]
    block = fence[: fence.index("```")]
    examples: list[Example] = []
    number, title, lines = 0, "", list[str]()
    for line in block.splitlines():
        heading = _NUMBERED.match(line)
        if heading:
            if number:
                examples.append(Example(number, title, "\n".join(lines).strip()))
            number, title, lines = int(heading.group(1)), heading.group(2), []
        elif number:
            lines.append(line)
    if number:
        examples.append(Example(number, title, "\n".join(lines).strip()))
    return examples
