"""The container setup, read from its files: what `docker compose up` relies on.

No Docker engine is needed: docker-compose.yml, the Dockerfile, its entrypoint script and
.dockerignore are parsed and checked against each other, the Makefile and the settings.
"""

import fnmatch
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import pytest
import yaml
from django.apps import apps
from django.conf import settings

REPO = Path(__file__).resolve().parent.parent
COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"
MAKEFILE = REPO / "Makefile"
NGINX_CONF = REPO / "docker" / "nginx.conf"
CHOSEN_CREDENTIALS = {"POSTGRES_DB": "d", "POSTGRES_USER": "u", "POSTGRES_PASSWORD": "p"}

_VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}|\$(?P<bare>\w+)")


# --- reading the files ---------------------------------------------------------------------

def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def interpolate(value: str, environ: dict[str, str]) -> str:
    """Compose's variable substitution: ${X}, ${X:-default}, ${X:?error}, $$ for a dollar."""

    def substitute(match: re.Match) -> str:
        name = match["name"] or match["bare"]
        given = environ.get(name, "")
        if match["op"] in (":?", "?") and not given:
            raise LookupError(f"{name} is required: {match['arg']}")
        if match["op"] in (":-", "-") and not given:
            return match["arg"]
        return given

    return "$".join(_VARIABLE.sub(substitute, part) for part in value.split("$$"))


def service_env(service: str, environ: dict[str, str] | None = None) -> dict[str, str]:
    environment = compose()["services"][service].get("environment", {})
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) if "=" in item else (item, "") for item in environment)
    return {key: interpolate(str(value or ""), environ or {}) for key, value in environment.items()}


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    instructions, pending = [], ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).strip().partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def instruction_args(keyword: str) -> list[str]:
    return [arguments for name, arguments in dockerfile() if name == keyword]


def exec_form(arguments: str) -> list[str]:
    """An instruction's command as a list: the JSON (exec) form, or the shell form split."""
    return json.loads(arguments) if arguments.startswith("[") else shlex.split(arguments)


def last(keyword: str) -> list[str]:
    found = instruction_args(keyword)
    assert found, f"the Dockerfile has no {keyword}"
    return exec_form(found[-1])


def entrypoint_script() -> Path:
    """The script the ENTRYPOINT runs, by its path inside the image (WORKDIR /app)."""
    workdir = instruction_args("WORKDIR")[-1]
    scripts = [arg for arg in last("ENTRYPOINT") if arg.endswith(".sh")]
    assert scripts, "the ENTRYPOINT runs no script"
    return REPO / Path(scripts[0]).relative_to(workdir) if scripts[0].startswith("/") else REPO / scripts[0]


def startup_commands() -> list[list[str]]:
    """What the container runs when it starts, in order: the entrypoint script's commands, with
    `exec "$@"` standing for the CMD."""
    commands = []
    for line in entrypoint_script().read_text(encoding="utf-8").splitlines():
        words = shlex.split(line, comments=True)
        if words == ["exec", "$@"]:
            commands.append(last("CMD"))
        elif words and "manage.py" in words:
            commands.append(words[words.index("manage.py") + 1:])
    return commands


def command_named(name: str) -> list[str]:
    for command in startup_commands():
        if command[0] == name:
            return command
    raise AssertionError(f"the container never runs {name!r} at start: {startup_commands()}")


def makefile_fixtures() -> list[str]:
    match = re.search(r"^FIXTURES\s*:?=\s*(.+)$", MAKEFILE.read_text(encoding="utf-8"), re.M)
    assert match, "the Makefile no longer sets FIXTURES"
    return match[1].split()


def gunicorn_port() -> int:
    gunicorn = command_named("gunicorn")
    bind = gunicorn[gunicorn.index("--bind") + 1]
    return int(bind.rsplit(":", 1)[1])


def dockerignored(path: str) -> bool:
    """Whether .dockerignore keeps `path` (relative to the repo) out of the build context."""
    ignored = False
    parts = Path(path).parts
    for raw in DOCKERIGNORE.read_text(encoding="utf-8").splitlines():
        pattern = raw.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if pattern.startswith("**/"):
            candidates += ["/".join(parts[i: j + 1]) for i in range(len(parts)) for j in range(i, len(parts))]
            pattern = pattern[3:]
        if any(fnmatch.fnmatchcase(candidate, pattern) for candidate in candidates):
            ignored = not negate
    return ignored


def published_ports(service: str) -> list[tuple[str, str]]:
    """(host port, container port) pairs a service publishes on the host."""
    return [tuple(str(port).rsplit(":", 2)[-2:]) for port in compose()["services"][service].get("ports", [])]


def mounted(service: str) -> dict[str, Path]:
    """A service's bind mounts: path in the container -> file in the repository."""
    mounts = {}
    for volume in compose()["services"][service].get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith("."):
            mounts[target] = (COMPOSE_FILE.parent / source).resolve()
    return mounts


def nginx_directives() -> list[list[str]]:
    """The proxy's configuration as directives (name and arguments), blocks flattened."""
    text = re.sub(r"(?m)^\s*#.*$", "", NGINX_CONF.read_text(encoding="utf-8"))
    # Statements end at ; { or } outside quotes: a quoted argument may hold them.
    statements = re.findall(r"""(?:'[^']*'|"[^"]*"|[^;{}'"])+""", text)
    return [shlex.split(statement) for statement in statements if statement.strip()]


def nginx(name: str) -> list[list[str]]:
    return [directive[1:] for directive in nginx_directives() if directive[0] == name]


def proxied_to() -> str:
    """Where the proxy sends requests, its variables (set $name value) filled in."""
    variables = {args[0]: args[1] for args in nginx("set")}
    (target,), = nginx("proxy_pass")
    return re.sub(r"\$\w+", lambda match: variables[match[0]], target)


# --- docker-compose.yml --------------------------------------------------------------------

def test_compose_defines_the_database_the_cache_the_web_service_and_its_proxy():
    assert {"db", "redis", "migrate", "web", "proxy"} <= set(compose()["services"])


def test_database_is_postgres_16_with_its_data_on_a_named_volume():
    config = compose()
    db = config["services"]["db"]
    assert db["image"] == "postgres:16"
    mounts = dict(volume.split(":", 1) for volume in db["volumes"])
    assert "/var/lib/postgresql/data" in mounts.values()
    volume = next(name for name, target in mounts.items() if target == "/var/lib/postgresql/data")
    assert volume in (config.get("volumes") or {}), f"volume {volume!r} is not declared at the top level"


def test_database_reports_healthy_only_when_pg_isready():
    test = compose()["services"]["db"]["healthcheck"]["test"]
    assert "pg_isready" in (test if isinstance(test, str) else " ".join(test))


def test_database_credentials_come_from_the_environment_with_defaults():
    defaults = service_env("db")
    assert all(defaults[name] for name in ("POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD"))
    chosen = service_env("db", CHOSEN_CREDENTIALS)
    assert {name: chosen[name] for name in CHOSEN_CREDENTIALS} == CHOSEN_CREDENTIALS


@pytest.mark.parametrize("service", ["migrate", "web", "worker"])
def test_migrate_web_and_worker_are_built_from_the_dockerfile(service):
    build = compose()["services"][service]["build"]
    context = build if isinstance(build, str) else build.get("context", ".")
    dockerfile_name = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
    assert (COMPOSE_FILE.parent / context / dockerfile_name).resolve() == DOCKERFILE


def test_web_starts_once_a_healthy_database_is_migrated_and_seeded():
    """migrate runs the image's entrypoint (migrate, seed) once; web containers started
    together with --scale then find the schema in place instead of racing to create it."""
    services = compose()["services"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "ENTRYPOINT" not in {key.upper() for key in services["migrate"]}, "the entrypoint migrates"
    assert services["migrate"]["command"] == ["true"]
    assert "restart" not in services["migrate"], "a finished migration must not start again"
    environ = {"SECRET_KEY": "k"}
    migrate, web = service_env("migrate", environ), service_env("web", environ)
    assert migrate["DATABASE_URL"] == web["DATABASE_URL"]
    with pytest.raises(LookupError):
        service_env("migrate", {})


def test_web_publishes_no_host_port_so_it_can_be_scaled():
    assert "ports" not in compose()["services"]["web"]
    assert str(gunicorn_port()) in instruction_args("EXPOSE")[-1].split()


def test_the_proxy_publishes_the_port_the_service_is_documented_at():
    assert ("8000", "8000") in published_ports("proxy")
    (listen,), = nginx("listen")
    assert listen == "8000"


@pytest.mark.parametrize("environ", [{}, CHOSEN_CREDENTIALS], ids=["defaults", "chosen"])
def test_web_reaches_the_database_service_with_its_credentials(environ):
    environ = {"SECRET_KEY": "k", **environ}
    url = urlsplit(service_env("web", environ)["DATABASE_URL"])
    db = service_env("db", environ)
    assert url.scheme in ("postgres", "postgresql")
    assert (url.hostname, url.port or 5432) == ("db", 5432)
    assert (url.username, url.password) == (db["POSTGRES_USER"], db["POSTGRES_PASSWORD"])
    assert url.path.lstrip("/") == db["POSTGRES_DB"]


def test_web_refuses_to_start_without_a_secret_key_and_takes_it_from_the_environment():
    with pytest.raises(LookupError):
        service_env("web", {})
    assert service_env("web", {"SECRET_KEY": "from-the-shell"})["SECRET_KEY"] == "from-the-shell"


def test_web_runs_without_debug_and_accepts_the_hosts_it_is_reached_at():
    env = service_env("web", {"SECRET_KEY": "k"})
    assert env["DEBUG"] == "0"
    hosts = env["ALLOWED_HOSTS"].split(",")
    assert "localhost" in hosts
    healthcheck_host = urlsplit(re.search(r"https?://[^'\"]+", instruction_args("HEALTHCHECK")[-1])[0])
    assert healthcheck_host.hostname in hosts, "the container's health check would get a 400"
    (host_port, _), = published_ports("proxy")
    assert f"http://localhost:{host_port}" in env["CSRF_TRUSTED_ORIGINS"].split(",")
    assert env["SECURE_COOKIES"] == "0"


# --- the proxy, the cache, the connections -------------------------------------------------

def test_proxy_is_nginx_with_the_repository_configuration_and_waits_for_web():
    proxy = compose()["services"]["proxy"]
    assert proxy["image"] == "nginx:1.27"
    assert mounted("proxy")["/etc/nginx/conf.d/default.conf"] == NGINX_CONF
    assert proxy["volumes"][0].endswith(":ro")
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"


def test_proxy_passes_requests_to_the_port_gunicorn_binds_on_every_web_container():
    assert proxied_to() == f"http://web:{gunicorn_port()}"
    # The name is looked up again while running, so containers added by --scale get requests.
    resolver = nginx("resolver")
    assert resolver and resolver[0][0] == "127.0.0.11" and "valid=" in " ".join(resolver[0])


def test_proxy_tells_django_the_host_the_client_address_and_the_scheme():
    headers = {args[0]: args[1] for args in nginx("proxy_set_header")}
    assert headers["Host"] == "$http_host", "Django builds absolute links with the port the client used"
    assert headers["X-Forwarded-For"] == "$proxy_add_x_forwarded_for"
    assert headers["X-Forwarded-Proto"] == "$scheme"


def test_django_trusts_x_forwarded_proto_only_when_configured():
    assert "TRUST_X_FORWARDED_PROTO" not in service_env("web", {"SECRET_KEY": "k"})
    assert getattr(settings, "SECURE_PROXY_SSL_HEADER", None) is None
    script = "from django.conf import settings as s; print(s.SECURE_PROXY_SSL_HEADER)"
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "curation.settings",
            "SECRET_KEY": "0123456789abcdef" * 4,
           "TRUST_X_FORWARDED_PROTO": "1"}
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https')", result.stderr


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx is not installed")
def test_proxy_configuration_passes_nginx_t(tmp_path):
    """Included in an http block, as the nginx image's own nginx.conf includes conf.d/*.conf."""
    temp = " ".join(f"{kind}_temp_path {tmp_path / kind};" for kind in ("client_body", "proxy", "fastcgi",
                                                                          "uwsgi", "scgi"))
    main = tmp_path / "nginx.conf"
    main.write_text(f"pid {tmp_path / 'nginx.pid'}; events {{}} "
                    f"http {{ access_log off; {temp} include {NGINX_CONF}; }}", encoding="utf-8")
    result = subprocess.run(["nginx", "-t", "-e", "stderr", "-p", str(tmp_path), "-c", str(main)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_redis_is_redis_7_and_healthy_only_when_it_answers_ping():
    redis = compose()["services"]["redis"]
    assert redis["image"] == "redis:7"
    test = redis["healthcheck"]["test"]
    assert "redis-cli ping" in (test if isinstance(test, str) else " ".join(test))
    assert "ports" not in redis, "the cache is for the web containers only"


def test_web_shares_the_redis_cache_and_waits_for_it():
    web = compose()["services"]["web"]
    assert web["depends_on"]["redis"]["condition"] == "service_healthy"
    url = urlsplit(service_env("web", {"SECRET_KEY": "k"})["REDIS_URL"])
    assert (url.scheme, url.hostname, url.port or 6379) == ("redis", "redis", 6379)


def test_a_worker_delivers_webhooks_with_the_web_settings_once_the_database_is_migrated():
    services = compose()["services"]
    worker = services["worker"]
    assert worker["command"][:4] == ["celery", "-A", "curation", "worker"]
    assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert worker["depends_on"]["redis"]["condition"] == "service_healthy"
    for environ in ({"SECRET_KEY": "k"}, {"SECRET_KEY": "k", **CHOSEN_CREDENTIALS}):
        assert service_env("worker", environ) == service_env("web", environ)
    assert urlsplit(service_env("worker", {"SECRET_KEY": "k"})["REDIS_URL"]).hostname == "redis"
    # The image's health check asks gunicorn on port 8000, which a worker does not run.
    check = " ".join(worker["healthcheck"]["test"])
    assert "celery" in check and "ping" in check and "healthz" not in check
    assert "ports" not in worker


def test_make_worker_starts_a_celery_worker_and_says_it_needs_redis():
    makefile = MAKEFILE.read_text(encoding="utf-8")
    recipe = re.search(r"^worker:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe, "the Makefile has no worker target"
    assert "celery -A curation worker" in recipe[1]
    assert "REDIS_URL" in recipe[1]
    result = subprocess.run(["make", "--no-print-directory", "-s", "-o", "install", "worker"], cwd=REPO,
                            env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "needs REDIS_URL" in result.stdout + result.stderr


def test_web_keeps_database_connections_for_ten_minutes_unless_told_otherwise():
    assert service_env("web", {"SECRET_KEY": "k"})["DB_CONN_MAX_AGE"] == "600"
    assert service_env("web", {"SECRET_KEY": "k", "DB_CONN_MAX_AGE": "60"})["DB_CONN_MAX_AGE"] == "60"


# --- Dockerfile and entrypoint -------------------------------------------------------------

def test_image_is_python_311_slim_and_runs_as_a_non_root_user():
    assert instruction_args("FROM")[0].split()[0] == "python:3.11-slim"
    users = instruction_args("USER")
    assert users, "the image runs as root"
    assert users[-1].split(":")[0] not in ("root", "0")


def test_image_installs_the_project_from_pyproject():
    copied = [exec_form(arguments)[:-1] for arguments in instruction_args("COPY")]
    assert any("pyproject.toml" in sources for sources in copied)
    assert any(re.search(r"\bpip install\b.*\s\.(\s|$)", run) for run in instruction_args("RUN"))


def test_every_file_the_dockerfile_copies_exists_and_reaches_the_build_context():
    for arguments in instruction_args("COPY"):
        sources = [word for word in exec_form(arguments)[:-1] if not word.startswith("--")]
        for source in sources:
            assert (REPO / source).exists(), f"COPY {source}: no such file in the repository"
            assert not dockerignored(source.rstrip("/")), f"COPY {source}: excluded by .dockerignore"


def test_secrets_and_local_state_stay_out_of_the_build_context():
    for path in (".env", ".git", ".venv", "db.sqlite3", "claims/__pycache__"):
        assert dockerignored(path), f"{path} would be sent to the Docker build"


def test_static_files_are_collected_at_build_time_with_a_throwaway_secret():
    collect = [run for run in instruction_args("RUN") if "collectstatic" in run]
    assert collect, "no RUN collects the static files"
    assert "--no-input" in collect[0] or "--noinput" in collect[0]
    assert re.search(r"\bSECRET_KEY=\S+", collect[0]), "the settings refuse to load without SECRET_KEY"
    for keyword in ("ENV", "ARG"):
        assert not any("SECRET_KEY" in arguments for arguments in instruction_args(keyword)), (
            f"a SECRET_KEY in {keyword} would be baked into the image")


def test_container_start_migrates_then_loads_the_makefile_fixtures_then_serves():
    names = [command[0] for command in startup_commands()]
    assert names[:2] == ["migrate", "seed"] and names[-1] == "gunicorn", names
    assert command_named("seed")[1:] == makefile_fixtures()


def test_the_fixtures_the_container_loads_are_found_by_loaddata():
    """loaddata looks in each app's fixtures/, in FIXTURE_DIRS and in the working directory
    (the repository root, WORKDIR in the image)."""
    places = [Path(app.path) / "fixtures" for app in apps.get_app_configs()]
    places += [Path(place) for place in settings.FIXTURE_DIRS] + [REPO]
    for name in command_named("seed")[1:]:
        found = [path for place in places for path in place.glob(f"{name}.json*")]
        assert found, (
            f"loaddata {name}: not in any app's fixtures/, in FIXTURE_DIRS or in the working "
            "directory; the seed lives in fixtures/, which settings.FIXTURE_DIRS must list")


def test_gunicorn_serves_the_wsgi_application_on_all_interfaces():
    gunicorn = command_named("gunicorn")
    assert "curation.wsgi:application" in gunicorn
    assert gunicorn[gunicorn.index("--bind") + 1].startswith("0.0.0.0:")


def test_gunicorn_finds_its_settings_in_the_image_and_streams_without_a_time_limit():
    # gunicorn reads ./gunicorn.conf.py from the working directory: the image's WORKDIR.
    workdir = instruction_args("WORKDIR")[-1]
    copied = {(workdir, source) for arguments in instruction_args("COPY")
              for source in exec_form(arguments)[:-1]}
    assert (workdir, "gunicorn.conf.py") in copied
    # Copied into the working directory itself, not only named among the COPY sources.
    landed = set()
    for arguments in instruction_args("COPY"):
        *sources, destination = [a for a in exec_form(arguments) if not a.startswith("--")]
        target = PurePosixPath(workdir, destination)  # an absolute destination stands alone
        into = destination.endswith("/") or destination in (".", "./") or len(sources) > 1
        # A directory's contents land in the destination; a file lands in it under its name.
        landed |= {
            target / PurePosixPath(source).name if into and not source.endswith("/") else target
            for source in sources
        }
    assert PurePosixPath(workdir, "gunicorn.conf.py") in landed
    settings = {}
    exec((REPO / "gunicorn.conf.py").read_text(encoding="utf-8"), settings)
    # A sync worker streaming a long download is killed at its timeout; a threaded one is not.
    assert settings["worker_class"] == "gthread"
    assert "--worker-class" not in command_named("gunicorn") and "-k" not in command_named("gunicorn")


def test_health_check_asks_healthz_on_the_port_gunicorn_binds():
    check = instruction_args("HEALTHCHECK")[-1]
    url = urlsplit(re.search(r"https?://[^'\"]+", check)[0])
    assert (url.port, url.path) == (gunicorn_port(), "/healthz")
    assert "curl" not in check and "wget" not in check, "python:3.11-slim has neither"


def test_entrypoint_script_is_valid_shell():
    result = subprocess.run(["sh", "-n", str(entrypoint_script())], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(not shutil.which("shellcheck"), reason="shellcheck is not installed")
def test_entrypoint_script_passes_shellcheck():
    result = subprocess.run(["shellcheck", str(entrypoint_script())], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


@pytest.mark.skipif(not shutil.which("hadolint"), reason="hadolint is not installed")
def test_dockerfile_passes_hadolint():
    result = subprocess.run(["hadolint", str(DOCKERFILE)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_releases_are_kept_on_a_named_volume_the_service_user_can_write():
    config = compose()
    env = dict(arguments.split("=", 1) for arguments in instruction_args("ENV") if "=" in arguments)
    root = env["RELEASES_ROOT"]
    mounts = dict(volume.split(":", 1) for volume in config["services"]["web"]["volumes"]
                  if not volume.startswith("."))
    volume = next(name for name, target in mounts.items() if target == root)
    assert volume in (config.get("volumes") or {})
    # A fresh named volume takes the owner of the image's directory: the service's user.
    assert any(f"-o 10001 -g 10001 {root}" in run for run in instruction_args("RUN"))


def test_the_proxy_lets_the_app_answer_big_bodies_and_refuses_bigger_ones_in_json():
    # nginx's default 1 MB would answer the API's 1-2.5 MB bodies with its own HTML page, and
    # refuse the admin's spreadsheet imports.
    (size,), = nginx("client_max_body_size")
    assert size == "50m"
    assert ["413", "=", "@too_large"] in nginx("error_page")
    (answer,) = [args for args in nginx("return") if args[0] == "413"]
    assert json.loads(answer[1])["detail"]
    assert ["application/json"] in nginx("default_type")
    # Both inside the location the error page names: elsewhere they would not shape its answer.
    text = re.sub(r"(?m)^\s*#.*$", "", NGINX_CONF.read_text(encoding="utf-8"))
    block = re.search(r"""location\s+@too_large\s*\{((?:'[^']*'|"[^"]*"|[^{}'"])*)\}""", text)
    assert block, "no location @too_large"
    inside = [shlex.split(s) for s in re.findall(r"""(?:'[^']*'|"[^"]*"|[^;'"])+""", block[1]) if s.strip()]
    assert ["default_type", "application/json"] in inside
    assert ["return", *answer] in inside
