"""Where the catalogue content shipped with the service lives."""

from pathlib import Path

#: catalogue/content: package data, so an installed wheel finds it as the source tree does.
BUNDLED_CONTENT_DIR = Path(__file__).resolve().parent / "content"
