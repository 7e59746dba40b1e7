"""Error answers a person can meet, written for where they will see them.

A whole-page request gets the error page; an htmx request (a tap on the kiosk, a button in the
panel) gets a small answer swapped into the page's #answer region, so the person sees it in
place and can go on. static/answers.js swaps every answer that carries ANSWER_HEADER.
"""

from __future__ import annotations

from flask import Response, make_response, render_template

ANSWER_HEADER = "X-Doorbook-Answer"


def error_answer(status: int, title: str, message: str, *, in_page: bool) -> Response:
    if in_page:
        response = make_response(
            render_template("_answer.html", title=title, message=message), status
        )
        response.headers["HX-Retarget"] = "#answer"
        response.headers["HX-Reswap"] = "innerHTML"
        return response
    return make_response(render_template("error.html", title=title, message=message), status)


def mark(response: Response) -> Response:
    """Doorbook's own HTML answers, errors included, are for the page to show."""
    if response.status_code >= 400 and response.mimetype == "text/html":
        response.headers[ANSWER_HEADER] = "1"
    return response
