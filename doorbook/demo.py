"""The fictional demo setting (a copy of shared/demo/ bundled in the package)."""

from __future__ import annotations

from importlib import resources

from sqlite_utils import Database

from doorbook import importer, settings

DEMO_SETTING_NAME = "Acorns Day Nursery (demo)"


def load(db: Database) -> dict[str, int]:
    """Load the demo through the same import a real setting uses; dated today."""
    settings.set_many(db, {"setting_name": DEMO_SETTING_NAME})
    with resources.as_file(resources.files("doorbook") / "demo_data") as folder:
        return importer.import_folder(db, folder)
