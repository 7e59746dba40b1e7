def test_healthz_answers_ok_with_the_schema_version(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["schema"] >= 4


def test_healthz_answers_503_when_the_database_does_not(app, client):
    from pathlib import Path

    Path(app.config["DATA_DIR"], "doorbook.db").write_bytes(b"this is not a database" * 100)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
