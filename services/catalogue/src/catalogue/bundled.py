"""Where the catalogue content shipped with this repository lives."""

from pathlib import Path

#: services/catalogue/content (the source tree; the service reads content from here by default).
BUNDLED_CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"
