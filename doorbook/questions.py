"""Families' views at the door: the manager asks one short question at a time; an identified
parent or carer sees it at most once, after their children's sign-in or sign-out, answers in
one tap (or skips it) in their own language, and drop-off never waits for it.

Answers are anonymous: an answer row holds only the question and the answer chosen. Who has
been asked is kept in a separate table, with no time and no link to the answer, only so that
nobody is asked twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlite_utils import Database

from doorbook import audit, clock, settings, text
from doorbook.db import insert, write
from doorbook.languages import DEFAULT, LANGUAGES

QUESTION_MAX = 120
ANSWER_MAX = 40
MIN_ANSWERS, MAX_ANSWERS = 2, 5


class QuestionProblem(ValueError):
    pass


@dataclass(frozen=True)
class Asked:
    """A question as one person sees it, in their language where the manager gave one."""

    id: int
    text: str
    answers: list[str]
    language: str


def check_wording(question: str, answers: list[str], what: str = "") -> list[str]:
    """The question and its answers, cleaned; raises QuestionProblem with what to fix."""
    suffix = f" ({what})" if what else ""
    cleaned, problem = text.clean(question, "the question" + suffix, max_length=QUESTION_MAX)
    if problem:
        raise QuestionProblem(problem.message)
    kept = []
    for answer in answers:
        value, problem = text.clean(
            answer, "each answer" + suffix, max_length=ANSWER_MAX, required=False
        )
        if problem:
            raise QuestionProblem(problem.message)
        if value:
            kept.append(value)
    if not MIN_ANSWERS <= len(kept) <= MAX_ANSWERS:
        raise QuestionProblem(
            f"Please give between {MIN_ANSWERS} and {MAX_ANSWERS} answers{suffix}, one per line."
        )
    if len({a.casefold() for a in kept}) != len(kept):
        raise QuestionProblem(f"Please give each answer once{suffix}.")
    return [cleaned, *kept]


def ask(
    db: Database,
    actor: audit.Actor,
    question: str,
    answers: list[str],
    ends_on: date,
    translations: dict[str, tuple[str, list[str]]] | None = None,
) -> int:
    """Start asking a question (until ``ends_on``, inclusive)."""
    wording = check_wording(question, answers)
    if ends_on < clock.today(settings.timezone(db)):
        raise QuestionProblem("The end date has already passed.")
    translated = {}
    for language, (their_question, their_answers) in (translations or {}).items():
        if language not in LANGUAGES or language == DEFAULT:
            continue
        if not (their_question or "").strip() and not any(a.strip() for a in their_answers):
            continue
        words = check_wording(their_question, their_answers, LANGUAGES[language])
        if len(words) != len(wording):
            raise QuestionProblem(
                f"Please give the same number of answers in {LANGUAGES[language]} as in English."
            )
        translated[language] = {"text": words[0], "answers": words[1:]}
    with write(db):
        question_id = insert(
            db,
            "questions",
            {
                "text": wording[0],
                "answers": json.dumps(wording[1:], ensure_ascii=False),
                "translations": json.dumps(translated, ensure_ascii=False),
                "ends_on": ends_on.isoformat(),
                "created_by": actor.id if actor.kind == "staff" else None,
                "created_at": clock.stamp(),
            },
        )
        audit.record(
            db,
            actor,
            "question_asked",
            subject_kind="questions",
            subject_id=question_id,
            question=wording[0],
            ends_on=ends_on.isoformat(),
        )
    return question_id


def close(db: Database, actor: audit.Actor, question_id: int) -> None:
    with write(db):
        db.execute(
            "UPDATE questions SET closed_at = ? WHERE id = ? AND closed_at IS NULL",
            [clock.stamp(), question_id],
        )
        audit.record(db, actor, "question_closed", subject_kind="questions", subject_id=question_id)


def for_person(db: Database, contact_id: int, language: str | None) -> Asked | None:
    """The one question to show this adult now, if any: the oldest open one not yet asked."""
    today = clock.today(settings.timezone(db)).isoformat()
    row = db.execute(
        "SELECT q.id, q.text, q.answers, q.translations FROM questions q "
        "WHERE q.closed_at IS NULL AND q.ends_on >= ? AND NOT EXISTS (SELECT 1 FROM "
        "questions_asked a WHERE a.question_id = q.id AND a.contact_id = ?) "
        "ORDER BY q.id LIMIT 1",
        [today, contact_id],
    ).fetchone()
    if row is None:
        return None
    translations = json.loads(row[3] or "{}")
    if language in translations:
        shown = translations[language]
        return Asked(row[0], shown["text"], shown["answers"], language)
    return Asked(row[0], row[1], json.loads(row[2]), DEFAULT)


def mark_asked(db: Database, question_id: int, contact_id: int) -> None:
    """Seen once is asked: the question is not shown to this adult again."""
    with write(db):
        db.execute(
            "INSERT OR IGNORE INTO questions_asked (question_id, contact_id) VALUES (?, ?)",
            [question_id, contact_id],
        )


def answer(db: Database, question_id: int, answer_index: int) -> bool:
    """Count one anonymous answer; False if the question is closed or the answer unknown."""
    with write(db):
        row = db.execute(
            "SELECT answers FROM questions WHERE id = ? AND closed_at IS NULL", [question_id]
        ).fetchone()
        if row is None or not 0 <= answer_index < len(json.loads(row[0])):
            return False
        db.execute(
            "INSERT INTO question_answers (question_id, answer_index) VALUES (?, ?)",
            [question_id, answer_index],
        )
    return True


@dataclass(frozen=True)
class Result:
    id: int
    text: str
    ends_on: str
    closed: bool
    asked: int
    counts: list[tuple[str, int]]

    @property
    def answered(self) -> int:
        return sum(n for _, n in self.counts)


def results(db: Database) -> list[Result]:
    """Every question with its answers counted, newest first."""
    found = []
    for row in db.query("SELECT * FROM questions ORDER BY id DESC"):
        answers = json.loads(row["answers"])
        counts = dict.fromkeys(range(len(answers)), 0)
        for index, n in db.execute(
            "SELECT answer_index, count(*) FROM question_answers WHERE question_id = ? "
            "GROUP BY answer_index",
            [row["id"]],
        ):
            counts[index] = n
        asked = db.execute(
            "SELECT count(*) FROM questions_asked WHERE question_id = ?", [row["id"]]
        ).fetchone()[0]
        today = clock.today(settings.timezone(db)).isoformat()
        found.append(
            Result(
                row["id"],
                row["text"],
                row["ends_on"],
                bool(row["closed_at"]) or row["ends_on"] < today,
                asked,
                [(answers[i], counts[i]) for i in range(len(answers))],
            )
        )
    return found
