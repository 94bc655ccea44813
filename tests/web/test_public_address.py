"""The platform's public address: every absolute link it gives out (certificate QR codes,
the verification address on award lists) is built from ``PUBLIC_URL``, never from the
Host header a client sent; requests naming a host the platform does not serve are refused."""

from urllib.parse import urlsplit

import pytest

from tests.conftest import app_config
from tests.web.test_documents import _need, _png, _text, games  # noqa: F401

PUBLIC = "https://jineng.example.org"
POISONED = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}


def download(client, path: str, **kwargs):
    response = client.get(path, **kwargs)
    data = response.data
    response.close()
    return response, data


# --- hosts ------------------------------------------------------------------------------------


def test_a_request_for_another_host_is_refused(client):
    for path in ("/", "/healthz", "/verify", "/login"):
        response = client.get(path, headers={"Host": "evil.example"})
        assert response.status_code == 400, path
        page = response.get_data(as_text=True)
        assert "请求有误" in page and "本站不在您访问的地址上提供服务" in page
        assert "evil.example" not in page
    assert client.post("/lang", data={"lang": "en"}, headers=POISONED).status_code == 400
    api = client.get("/api/sheets/1/1", headers={"Host": "evil.example"})
    assert api.status_code == 400 and api.get_json()["status"] == 400


def test_the_public_host_and_the_local_names_are_served(client, another_app):
    assert client.get("/healthz", headers={"Host": "localhost:5000"}).status_code == 200
    assert client.get("/healthz", headers={"Host": "127.0.0.1:8000"}).status_code == 200
    site = another_app(PUBLIC_URL=PUBLIC, EXTRA_HOSTS="intranet.example, 127.0.0.1")
    visitor = site.test_client()
    for host in ("jineng.example.org", "intranet.example", "127.0.0.1:8000"):
        assert visitor.get("/healthz", headers={"Host": host}).status_code == 200, host
    for host in ("evil.example", "localhost", "jineng.example.org.evil.example"):
        assert visitor.get("/healthz", headers={"Host": host}).status_code == 400, host


def test_a_forwarded_host_behind_the_proxy_is_checked_too(another_app):
    site = another_app(PUBLIC_URL=PUBLIC, PROXY_COUNT=1)
    visitor = site.test_client()
    own = {"Host": "127.0.0.1:8000", "X-Forwarded-Host": "jineng.example.org"}
    assert visitor.get("/healthz", headers=own).status_code == 200
    poisoned = {"Host": "127.0.0.1:8000", "X-Forwarded-Host": "evil.example"}
    assert visitor.get("/healthz", headers=poisoned).status_code == 400


def test_production_needs_the_public_address(monkeypatch, another_app):
    monkeypatch.delenv("CONTEST_PUBLIC_URL", raising=False)
    with pytest.raises(RuntimeError, match="CONTEST_PUBLIC_URL must be set in production"):
        another_app(ENV_NAME="production")
    with pytest.raises(RuntimeError, match="must be an http"):
        another_app(PUBLIC_URL="jineng.example.org")


def test_the_public_address_and_hosts_come_from_the_settings():
    from contest.core.config import public_address

    config = app_config("sqlite://", ENV_NAME="development", EXTRA_HOSTS=["localhost"])
    public_address(config)
    assert config["PUBLIC_URL"] == "http://127.0.0.1:5000"
    assert config["TRUSTED_HOSTS"] == ["127.0.0.1", "localhost"]
    config = app_config("sqlite://", ENV_NAME="production", PUBLIC_URL=PUBLIC + "/", EXTRA_HOSTS=[])
    public_address(config)
    assert (config["PUBLIC_URL"], config["TRUSTED_HOSTS"]) == (PUBLIC, ["jineng.example.org"])
    config = app_config("sqlite://", ENV_NAME="production", PUBLIC_URL=PUBLIC, TRUSTED_HOSTS=[])
    public_address(config)
    assert config["TRUSTED_HOSTS"] == []  # set explicitly: left as it is


# --- documents --------------------------------------------------------------------------------


def test_documents_link_to_the_public_address_whatever_host_was_asked(app, client, games):  # noqa: F811
    """Even with host checks switched off, a poisoned request makes no document (cached for
    every later visitor) point anywhere but the public address."""
    app.config.update(PUBLIC_URL=PUBLIC, TRUSTED_HOSTS=None)
    _need("pdftotext", "pdftoppm")
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp (requirements-dev) is missing")

    poisoned, pdf = download(client, f"/e/{games.slug}/awards.pdf", headers=POISONED)
    assert poisoned.status_code == 200
    text = _text(pdf)
    assert f"{PUBLIC}/verify" in text and "evil.example" not in text
    _, later = download(client, f"/e/{games.slug}/awards.pdf")
    assert "evil.example" not in _text(later) and f"{PUBLIC}/verify" in _text(later)

    code = games.codes[("gold", "E1")]
    _, certificate = download(client, f"/certificates/{code}.pdf", headers=POISONED)
    found = zxingcpp.read_barcodes(_png(certificate, "certificate-public-address", 150))
    assert [urlsplit(b.text)[:3] for b in found] == [
        ("https", "jineng.example.org", f"/verify/{code}")
    ]
