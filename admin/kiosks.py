"""The manager's kiosks (enrolment and revocation) and the CSV import. Manager and deputy
only."""

from __future__ import annotations

from flask import flash, redirect, request, url_for

from admin import bp
from admin.auth import MANAGEMENT, allow
from admin.common import actor, page
from doorbook import importer
from doorbook.db import get_db

# ---- Import ----


@bp.get("/import")
@allow(*MANAGEMENT)
def import_files():
    return page("admin/import.html", problems=[], counts=None)


@bp.post("/import")
@allow(*MANAGEMENT)
def import_upload():
    files: dict[str, list[importer.Row]] = {}
    problems: list[str] = []
    for upload in request.files.getlist("files"):
        name = (upload.filename or "").rsplit("/", 1)[-1]
        if name not in importer.FILES:
            if name:
                problems.append(f"{name[:60]}: not one of {', '.join(importer.FILES)}")
            continue
        rows, file_problems = importer.read_csv(
            name, upload.read(importer.MAX_FILE_BYTES + 1), importer.FILES[name][0]
        )
        files[name] = rows
        problems += file_problems
    if not files and not problems:
        problems.append("Please choose one or more CSV files.")
    counts = None
    if not problems:
        try:
            counts = importer.import_files(get_db(), files, actor(), source="admin upload")
        except importer.ImportProblems as error:
            problems = error.problems
    return page("admin/import.html", 400 if problems else 200, problems=problems, counts=counts)


# ---- Kiosks ----


@bp.get("/kiosks")
@allow(*MANAGEMENT)
def kiosk_devices(**extra):
    from doorbook import kiosks

    return page("admin/kiosks.html", devices=kiosks.devices(get_db()), **extra)


@bp.post("/kiosks")
@allow(*MANAGEMENT)
def kiosk_enrol():
    from doorbook import kiosks

    try:
        enrolment = kiosks.start_enrolment(get_db(), request.form.get("name", "")[:300], actor())
    except kiosks.KioskProblem as problem:
        return kiosk_devices(error=str(problem))
    return kiosk_devices(code=enrolment.code)


@bp.post("/kiosks/<int:device_id>/revoke")
@allow(*MANAGEMENT)
def kiosk_revoke(device_id: int):
    from doorbook import kiosks

    kiosks.revoke(get_db(), device_id, actor())
    flash("Revoked: that device is refused kiosk pages from now on.")
    return redirect(url_for("admin.kiosk_devices"))
