"""`ildpath init`: make (or bring up to date) the clinic's database."""

from sqlalchemy import func, select

from persistence.tables import PatientRow

from ..settings import safe_url
from .edge import console, open_app


def init() -> None:
    """Create the database (ILDPATH_DATABASE_URL; default ildpath.db here) or upgrade its
    schema to this version. Safe to run again: nothing is lost."""
    app = open_app()
    with app.engine.connect() as connection:
        patients = connection.execute(select(func.count()).select_from(PatientRow)).scalar_one()
    console.print(f"database ready: {safe_url(app.settings.database_url)} ({patients} patients)")
    console.print("next: `ildpath patient enrol --help`, or `ildpath demo` for a synthetic cohort")
