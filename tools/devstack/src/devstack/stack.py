"""The local stack put together: moto, fake LINE, the HttpApi, SQS pollers and the Invoke API.

    with LocalStack() as stack:            # reads template.yaml, provisions, starts everything
        stack.api_url                      # http://127.0.0.1:3000
        stack.invoke("ExportFunction", {})
        stack.wait_until_idle(30)

Handlers run in this process, so starting the stack sets os.environ (endpoint, region, dummy
credentials, the template's function environment) and replaces sys.stdout/sys.stderr with a
per-thread router (see handlers.py); stop() puts both back.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import boto3
from moto.server import ThreadedMotoServer

from devstack import cognito, credentials
from devstack.activity import ActivityTracker
from devstack.credentials import DEV_CHANNEL_ACCESS_TOKEN, DEV_CHANNEL_SECRET
from devstack.handlers import FunctionError, FunctionLoadError, LocalFunction, LogRouting
from devstack.http_api import HttpApiServer, routes_from_template
from devstack.invoke_api import InvokeServer
from devstack.jwt_authorizer import JwtAuthorizer, authorizer_configs, moto_jwks_url
from devstack.pollers import SqsPoller, sqs_event_sources
from devstack.provision import LineCredentials, Provisioner, ProvisionReport
from devstack.resolve import REGION, Resolver
from devstack.sam_template import TEMPLATE_PATH, resources_of_type, translate

log = logging.getLogger("devstack")

DEFAULT_LOG_DIR = Path(".devstack/logs")
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


class EnvironmentConflictError(Exception):
    """Two functions give one environment variable different values (contracts.md forbids it)."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def ensure_port_free(host: str, port: int, role: str) -> None:
    """Fails fast with a clear message: moto's threaded server would otherwise hang on a busy port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As the servers do: a port left in TIME_WAIT by a previous run is free, a listening one is not.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise OSError(
                f"port {port} ({role}) on {host} is in use: is `make local` already running? "
                f"choose another with --{role}-port"
            ) from error


def line_credentials_from_env() -> LineCredentials:
    """The dev LINE credentials, unless LINE_CHANNEL_ID / _SECRET / _ACCESS_TOKEN override them."""
    return LineCredentials(
        channel_secret=credentials.channel_secret(),
        channel_access_token=credentials.channel_access_token(),
        channel_id=credentials.channel_id(),
    )


def function_environment(cfn: dict[str, Any], resolver: Resolver) -> dict[str, str]:
    """The union of every function's environment, resolved; refuses conflicting values."""
    union: dict[str, str] = {}
    origin: dict[str, str] = {}
    for logical_id, resource in resources_of_type(cfn, "AWS::Lambda::Function").items():
        variables = resource.get("Properties", {}).get("Environment", {}).get("Variables", {})
        for name, value in resolver.resolve(variables).items():
            text = str(value).lower() if isinstance(value, bool) else str(value)
            if name in union and union[name] != text:
                raise EnvironmentConflictError(
                    f"{name} is {union[name]!r} in {origin[name]} but {text!r} in {logical_id}: handlers "
                    "share one process locally, so the template's function environments must agree"
                )
            union[name] = text
            origin[name] = logical_id
    return union


def _default_fake_line(host: str, port: int, *, line_credentials: LineCredentials) -> Any:
    from devstack.fake_line import FakeLine

    return FakeLine(
        host,
        port,
        channel_access_token=line_credentials.channel_access_token,
        channel_id=line_credentials.channel_id,
        channel_secret=line_credentials.channel_secret,
    )


class LocalStack:
    """template.yaml running on this machine. A context manager; `start()`/`stop()` also work."""

    def __init__(
        self,
        template_path: Path = TEMPLATE_PATH,
        *,
        host: str = "127.0.0.1",
        moto_port: int = 5000,
        api_port: int = 3000,
        line_port: int = 3001,
        invoke_port: int = 3002,
        log_dir: Path = DEFAULT_LOG_DIR,
        line_credentials: LineCredentials | None = None,
        retry_backoff_seconds: int = 1,
        poll_wait_seconds: int = 1,
        fake_line_factory: Callable[..., Any] | None = _default_fake_line,
    ) -> None:
        self.template_path = Path(template_path).resolve()
        self.host = host
        self._ports = {"moto": moto_port, "api": api_port, "line": line_port, "invoke": invoke_port}
        self.log_dir = Path(log_dir).resolve()
        self.line_credentials = line_credentials or line_credentials_from_env()
        self._retry_backoff = retry_backoff_seconds
        self._poll_wait = poll_wait_seconds
        self._fake_line_factory = fake_line_factory

        self.activity = ActivityTracker()
        self.functions: dict[str, LocalFunction] = {}
        self.load_errors: dict[str, str] = {}
        self.staff_users: list[str] = []
        self.pollers: list[SqsPoller] = []
        self.report = ProvisionReport()
        self.environment: dict[str, str] = {}
        self.fake_line: Any = None
        self.resolver: Resolver | None = None
        self.cfn: dict[str, Any] = {}
        self._logs = LogRouting(self.log_dir)
        self._moto: ThreadedMotoServer | None = None
        self._http_api: HttpApiServer | None = None
        self._invoke_api: InvokeServer | None = None
        self._threads: list[threading.Thread] = []
        self._saved_environ: dict[str, str | None] = {}
        self._added_paths: list[str] = []
        self._log_handlers: list[tuple[logging.Logger, logging.Handler, bool]] = []
        self._idle_sqs: Any = None
        self._ready = False

    # -- URLs ---------------------------------------------------------------------------------------

    def _url(self, name: str) -> str:
        return f"http://{self.host}:{self._ports[name]}"

    @property
    def moto_url(self) -> str:
        return self._url("moto")

    @property
    def api_url(self) -> str:
        return self._http_api.url if self._http_api else self._url("api")

    @property
    def console_url(self) -> str:
        """The staff console's page, served by StaffApiFunction on the HttpApi (same origin as its API)."""
        return f"{self.api_url}/staff/"

    @property
    def line_url(self) -> str:
        return str(self.fake_line.url) if self.fake_line is not None else self._url("line")

    @property
    def invoke_url(self) -> str:
        return self._invoke_api.url if self._invoke_api else self._url("invoke")

    @property
    def ready(self) -> bool:
        return self._ready

    # -- lifecycle ----------------------------------------------------------------------------------

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> Self:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        for role, port in self._ports.items():
            if port:
                ensure_port_free(self.host, port, role)
        self._ports = {name: port or free_port(self.host) for name, port in self._ports.items()}
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._configure_logging()
        self.cfn = translate(self.template_path)

        self._moto = ThreadedMotoServer(ip_address=self.host, port=self._ports["moto"], verbose=False)
        self._moto.start()
        # One moto per process: a previous stack in this process (tests) must not leave its resources.
        reset = urllib.request.Request(f"{self.moto_url}/moto-api/reset", method="POST")  # noqa: S310
        urllib.request.urlopen(reset, timeout=10).close()  # noqa: S310 - our own server on localhost

        if self._fake_line_factory is not None:
            self.fake_line = self._fake_line_factory(
                self.host,
                self._ports["line"],
                line_credentials=self.line_credentials,
            )
            self.fake_line.start()

        self.resolver = Resolver(self.cfn)
        cognito.install_revoke_token()
        self.report = Provisioner(
            self.cfn, self.resolver, self.boto3_client, self.line_credentials
        ).provision()
        self.staff_users = self._seed_staff(self.resolver)

        self._invoke_api = InvokeServer(
            self.host,
            self._ports["invoke"],
            self.functions,
            is_ready=lambda: self._ready,
            wait_until_idle=self.wait_until_idle,
            activity=self.activity,
        )
        self._apply_environment(function_environment(self.cfn, self.resolver))
        self._logs.install()
        self._logs.rebind_existing_handlers()
        self._load_functions()

        self._http_api = HttpApiServer(
            self.host,
            self._ports["api"],
            routes_from_template(self.cfn),
            self.functions,
            self.activity,
            authorizers=self._jwt_authorizers(),
        )
        for server in (self._http_api, self._invoke_api):
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            self._threads.append(thread)
        self._start_pollers()
        self._ready = True

    def _seed_staff(self, resolver: Resolver) -> list[str]:
        """The dev users of the staff console, one per role (none if the template has no staff pool)."""
        pools = resources_of_type(self.cfn, "AWS::Cognito::UserPool")
        seeded: list[str] = []
        for logical_id in pools:
            pool_id = resolver.physical[logical_id].ref
            seeded += cognito.seed_dev_staff(self.boto3_client("cognito-idp"), pool_id)
        return seeded

    def stop(self) -> None:
        self._ready = False
        self._idle_sqs = None
        for poller in self.pollers:
            poller.stop()
        for poller in self.pollers:
            poller.join(self._poll_wait + 5)
        self.pollers.clear()
        for server in (self._http_api, self._invoke_api):
            if server is not None:
                server.shutdown()
        self._http_api = self._invoke_api = None
        if self.fake_line is not None:
            self.fake_line.stop()
            self.fake_line = None
        if self._moto is not None:
            self._moto.stop()
            self._moto = None
        for function in self.functions.values():
            function.unload()
        self.functions.clear()
        self._logs.uninstall()
        self._restore_environment()
        for path in self._added_paths:
            if path in sys.path:
                sys.path.remove(path)
        self._added_paths.clear()
        for logger, handler, propagate in self._log_handlers:
            logger.removeHandler(handler)
            logger.propagate = propagate
            handler.close()
        self._log_handlers.clear()

    # -- setup steps --------------------------------------------------------------------------------

    def _configure_logging(self) -> None:
        """The stack's own log and moto's request log go to files, not to the demo's console."""
        for name, file_name in (("devstack", "devstack.log"), ("werkzeug", "moto.log")):
            logger = logging.getLogger(name)
            handler = logging.FileHandler(self.log_dir / file_name, encoding="utf-8")
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
            self._log_handlers.append((logger, handler, logger.propagate))
            logger.addHandler(handler)
            logger.setLevel(logging.INFO)
            logger.propagate = False

    def _apply_environment(self, template_environment: dict[str, str]) -> None:
        local = {
            **DUMMY_CREDENTIALS,
            "AWS_ENDPOINT_URL": self.moto_url,
            # Handlers that invoke another function reach this stack's Invoke API, not moto's Lambda.
            "AWS_ENDPOINT_URL_LAMBDA": self.invoke_url,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "LINE_API_HOST": self.line_url,
            # No X-Ray daemon here; POWERTOOLS_METRICS_NAMESPACE stays as the template sets it.
            "POWERTOOLS_TRACE_DISABLED": "true",
        }
        self.environment = {**template_environment, **local}
        # A developer's own AWS profile or session must never be used by the local handlers.
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", *self.environment):
            if name not in self._saved_environ:
                self._saved_environ[name] = os.environ.get(name)
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
            os.environ.pop(name, None)
        os.environ.update(self.environment)

    def _restore_environment(self) -> None:
        for name, value in self._saved_environ.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_environ.clear()

    def _code_dir(self, code: dict[str, Any]) -> Path:
        # Code keys are paths relative to the template (sam_template packages them that way).
        return self.template_path.parent / code["S3Key"]

    def _load_functions(self) -> None:
        assert self.resolver is not None
        for layer in resources_of_type(self.cfn, "AWS::Lambda::LayerVersion").values():
            # A python3.12 layer built by SAM lands on the runtime's path; its source folder is the root.
            path = str(self._code_dir(layer["Properties"]["Content"]))
            if path not in sys.path:
                sys.path.append(path)
                self._added_paths.append(path)
        for logical_id, resource in resources_of_type(self.cfn, "AWS::Lambda::Function").items():
            if not self.resolver.is_active(logical_id):
                continue
            props = resource["Properties"]
            function = LocalFunction(
                logical_id,
                self.resolver.lookup(logical_id).ref,
                props["Handler"],
                self._code_dir(props["Code"]),
                timeout=int(props.get("Timeout", 3)),
                memory=int(props.get("MemorySize", 128)),
                logs=self._logs,
                activity=self.activity,
            )
            self.functions[logical_id] = function
            try:
                function.load()
            except FunctionLoadError as error:
                # The stack still starts: a half-written function should not hide the others.
                self.load_errors[logical_id] = str(error)
                log.warning("%s: %s", logical_id, error)

    def _jwt_authorizers(self) -> dict[str, JwtAuthorizer]:
        """The HttpApi's JWT authorizers, checking tokens against moto's Cognito keys."""
        assert self.resolver is not None
        authorizers: dict[str, JwtAuthorizer] = {}
        for api in resources_of_type(self.cfn, "AWS::ApiGatewayV2::Api").values():
            body = api.get("Properties", {}).get("Body", {})
            for name, config in authorizer_configs(body, self.resolver.resolve).items():
                authorizers[name] = JwtAuthorizer(config, moto_jwks_url(self.moto_url))
        return authorizers

    def _start_pollers(self) -> None:
        assert self.resolver is not None
        queue_urls = {
            self.resolver.get_att(logical_id, "Arn"): self.resolver.lookup(logical_id).ref
            for logical_id, kind in self.report.created.items()
            if kind == "AWS::SQS::Queue"
        }
        sqs = self.boto3_client("sqs")
        for source in sqs_event_sources(self.cfn, self.resolver.resolve, queue_urls):
            if not source.enabled or source.function_id not in self.functions:
                continue
            poller = SqsPoller(
                source,
                self.functions[source.function_id],
                sqs,
                retry_backoff_seconds=self._retry_backoff,
                wait_seconds=self._poll_wait,
                activity=self.activity,
            )
            poller.start()
            self.pollers.append(poller)

    # -- helpers ------------------------------------------------------------------------------------

    def boto3_client(self, service: str, **kwargs: Any) -> Any:
        """A boto3 client for this stack (the Invoke API for "lambda", moto for everything else)."""
        endpoint = self.invoke_url if service == "lambda" else self.moto_url
        return boto3.client(
            service,
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            **kwargs,
        )

    def physical_id(self, logical_id: str) -> str:
        """What `Ref` gives for a resource locally: table name, queue URL, key id, topic ARN..."""
        assert self.resolver is not None
        return self.resolver.lookup(logical_id).ref

    def invoke(self, function: str, event: Any) -> Any:
        """Runs a function (logical id or name) with `event`; raises FunctionError if it raises."""
        for candidate in self.functions.values():
            if function in (candidate.logical_id, candidate.name):
                return candidate.invoke(event)
        raise KeyError(f"no function {function!r} in the template")

    def event_source_queue_urls(self) -> list[str]:
        return [poller.source.queue_url for poller in self.pollers]

    def is_idle(self) -> bool:
        if self.activity.busy:
            return False
        if self._idle_sqs is None:
            self._idle_sqs = self.boto3_client("sqs")
        sqs = self._idle_sqs
        counters = (
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        )
        for url in self.event_source_queue_urls():
            attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(counters))["Attributes"]
            if any(int(attributes.get(name, 0)) for name in counters):
                return False
        return not self.activity.busy

    def wait_until_idle(self, timeout: float = 30.0) -> bool:
        """True once every event-source queue is empty and no handler runs (seen twice in a row)."""
        deadline = time.monotonic() + timeout
        quiet_checks = 0
        while time.monotonic() < deadline:
            if self.is_idle():
                quiet_checks += 1
                if quiet_checks >= 2:
                    return True
            else:
                quiet_checks = 0
            time.sleep(0.1)
        return False

    def summary_lines(self) -> list[str]:
        """What `make local` prints: URLs, credentials, functions, routes, pollers, gaps."""
        lines = [
            f"HTTP API     {self.api_url}",
            f"fake LINE    {self.line_url}",
            f"moto (AWS)   {self.moto_url}",
            f"Lambda API   {self.invoke_url}",
            f"logs         {self.log_dir}",
            f"LINE channel id {self.line_credentials.channel_id!r}, "
            f"secret {self.line_credentials.channel_secret!r}, "
            f"access token (issued by the fake) {self.line_credentials.channel_access_token!r}",
        ]
        if self.staff_users:
            lines.append(f"staff console {self.console_url} (sign in with a staff user below)")
            lines.append(
                f"staff users  {', '.join(self.staff_users)} (password {cognito.DEV_STAFF_PASSWORD!r}; "
                "no TOTP step locally)"
            )
        loaded = [logical_id for logical_id in self.functions if logical_id not in self.load_errors]
        lines.append(f"functions    {', '.join(loaded) or 'none'} (in-process)")
        if self._http_api is not None:
            for route in self._http_api.routes:
                lines.append(f"route        {route.route_key} -> {route.function_id}")
        for poller in self.pollers:
            source = poller.source
            lines.append(
                f"poller       {source.queue_url.rsplit('/', 1)[-1]} -> {source.function_id} "
                f"(BatchSize {source.batch_size}"
                + (", ReportBatchItemFailures" if source.report_batch_item_failures else "")
                + ")"
            )
        for logical_id, error in self.load_errors.items():
            lines.append(f"NOT LOADED   {logical_id}: {error}")
        lines.extend(f"note         {note}" for note in self.report.notes)
        if self.report.not_emulated:
            lines.append(self.report.not_emulated_line())
        return lines


__all__ = [
    "DEV_CHANNEL_ACCESS_TOKEN",
    "DEV_CHANNEL_SECRET",
    "EnvironmentConflictError",
    "FunctionError",
    "LocalStack",
]
