"""Every environment variable the services read, for the README (`python -m academy.envdoc`)."""

import sys
from pathlib import Path

from academy.local.portal import PortalSettings
from academy.services import SERVICES
from academy_runtime.settings import ServiceSettings, describe


def settings_classes() -> list[type[ServiceSettings]]:
    return [spec.settings for spec in SERVICES] + [PortalSettings]


def variables() -> list[str]:
    return [name for cls in settings_classes() for name, _, _ in describe(cls)]


def markdown() -> str:
    lines = []
    for cls in settings_classes():
        lines.append(f"\n**{cls.service_name}** (`{cls.model_config.get('env_prefix')}*`)\n")
        lines.append("| variable | default | meaning |")
        lines.append("|---|---|---|")
        for name, description, default in describe(cls):
            shown = "" if default is None else f"`{default}`"
            lines.append(f"| `{name}` | {shown} | {description} |")
    return "\n".join(lines) + "\n"


START, END = "<!-- envdoc:start -->", "<!-- envdoc:end -->"


def write_readme(path: Path) -> None:
    """Replace the generated block between the envdoc markers of `path`."""
    text = path.read_text()
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    path.write_text(f"{head}{START}\n{markdown().strip()}\n{END}{tail}")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--write":
        write_readme(Path(sys.argv[2]))
    else:
        print(markdown())
