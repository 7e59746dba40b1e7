"""Fast versions of the fault scripts in bench/faults/ (the full runs are in README): each
starts `doorbook serve` itself, on loopback, bounded in count and time."""

from __future__ import annotations

import os

import pytest

from tests.served import disk_full, flood, kill_during_sign_ins, restart_mid_procedure


@pytest.mark.served
def test_kill_9_during_sign_ins_loses_nothing_the_kiosk_confirmed():
    figures = kill_during_sign_ins.run(kills=20, max_seconds=600, seed=16)
    assert figures["kills"] == 20
    assert figures["changes_confirmed"] > 0
    assert figures["changes_lost"] == 0, figures["lost"]
    assert figures["integrity_not_ok"] == 0
    assert figures["server_errors"] == 0


@pytest.mark.served
def test_eight_kiosks_two_panels_and_their_streams_at_once():
    figures = flood.run(seconds=5)
    assert figures["changes_confirmed"] > 0 and figures["acknowledgements_confirmed"] >= 0
    assert figures["server_errors"] == 0
    assert figures["database_locked"] == 0
    assert figures["changes_lost"] == 0 and figures["acknowledgements_lost"] == 0
    assert figures["integrity"] == "ok"
    assert flood.passed(figures), figures


@pytest.mark.served
@pytest.mark.skipif(os.geteuid() != 0, reason="mounts a small tmpfs for the data folder")
def test_a_full_disk_sends_people_to_the_paper_book_and_service_resumes_by_itself():
    figures = disk_full.run()
    assert figures["kiosk_answers_while_full"] == [503, 503, 503]
    assert figures["kiosk_said_paper_book"] == 3
    assert figures["panel_shows_disk_full"] and figures["stream_events_while_full"] > 0
    assert figures["healthz_while_full"] == 503
    assert figures["kiosk_after_space_returned"] == [200, 200, 200]
    assert figures["panel_has_disk_was_full_alert"]
    assert figures["confirmed_lost"] == 0 and figures["integrity"] == "ok"


@pytest.mark.served
def test_restarts_mid_procedure_neither_skip_nor_repeat_a_step():
    figures = restart_mid_procedure.run(restarts=4, seed=16)
    for phase in ("after_closing_plus_16_min", "after_closing_plus_31_min"):
        assert figures[phase]["steps_due"] > 0
        assert figures[phase]["steps_skipped"] == 0
        assert figures[phase]["steps_repeated"] == 0
        assert figures[phase]["steps_not_due_raised"] == 0
        assert figures[phase]["earlier_alerts_changed"] == 0
