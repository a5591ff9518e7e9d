"""Production settings: ``check --deploy`` clean, HTTPS redirect and HSTS, and the
Content-Security-Policy on every page. Settings are read once per process, so production runs in a subprocess."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.test import Client

ROOT = Path(__file__).resolve().parents[2]


def production_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL", "SECURE_SSL_REDIRECT",
                                                              "SECURE_HSTS_SECONDS", "SECURE_COOKIES",
                                                              "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update({"DJANGO_ENV": "production", "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50),
                "ALLOWED_HOSTS": "example.org", "DJANGO_SETTINGS_MODULE": "posc.settings"}, **extra)
    return env


def test_check_deploy_is_clean_with_production_settings():
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr


PROBE = """
import json, django
django.setup()
from django.test import Client
plain = Client(HTTP_HOST="example.org").get("/healthz")
secure = Client(HTTP_HOST="example.org").get("/healthz", secure=True)
print(json.dumps({"plain": [plain.status_code, plain.get("Location")],
                  "hsts": secure.get("Strict-Transport-Security"), "status": secure.status_code}))
"""


def probe(**extra):
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=production_env(**extra),
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_redirects_to_https_and_sends_hsts():
    answer = probe()
    assert answer["plain"] == [301, "https://example.org/healthz"]
    assert answer["status"] == 200
    assert answer["hsts"] == "max-age=31536000; includeSubDomains; preload"


def test_production_settings_can_serve_plain_http_for_a_local_server():
    answer = probe(SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0")
    assert answer["plain"] == [200, None]
    assert answer["hsts"] is None


def test_pages_carry_a_content_security_policy_without_inline_script(db):
    response = Client().get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "onchange=" not in response.content.decode()


def test_no_template_has_inline_script():
    """``script-src 'self'`` blocks inline scripts and handlers: none may creep back into a template."""
    import re

    offenders = []
    for template in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in template.parts:
            continue
        text = template.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\son[a-z]+\s*=\s*[\"']", text):
            offenders.append(str(template.relative_to(ROOT)))
    assert not offenders
