"""A hosted mail provider's HTTP API played on a free loopback port, for the tests of cadence
mail sent through django-anymail's own backends: it answers each provider's send call as
that provider documents its success (or with a status a test sets) and keeps every request.
anymail's `<ESP>_API_URL` setting points each backend at it; nothing reaches a live
provider."""

import base64
import json
import threading
import urllib.parse
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

# anymail's name of each provider, as its settings spell it (MAILGUN_API_URL, ...).
ESP_SETTINGS = {
    "mailgun": "MAILGUN",
    "postmark": "POSTMARK",
    "brevo": "BREVO",
    "resend": "RESEND",
}


@dataclass
class Request:
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes

    def fields(self) -> dict:
        """The body: JSON, or a form (Mailgun's) as {name: first value}."""
        kind = self.headers.get("content-type", "")
        if kind.startswith("application/json"):
            return json.loads(self.body)
        if kind.startswith("multipart/form-data"):
            head = f"Content-Type: {kind}\r\n\r\n".encode()
            parsed = BytesParser(policy=HTTP).parsebytes(head + self.body)
            return {
                part.get_param("name", header="content-disposition"): part.get_content()
                for part in parsed.iter_parts()
            }
        return {k: v[0] for k, v in urllib.parse.parse_qs(self.body.decode()).items()}

    def mail_headers(self, provider: str) -> dict[str, str]:
        """The e-mail headers the request asks the provider to send, names in lower case."""
        data = self.fields()
        if provider == "mailgun":
            pairs = [(k[2:], v) for k, v in data.items() if k.startswith("h:")]
        elif provider == "postmark":
            pairs = [(h["Name"], h["Value"]) for h in data.get("Headers", [])]
        else:
            pairs = list(data.get("headers", {}).items())
        return {name.lower(): value for name, value in pairs}

    def key(self, provider: str) -> str:
        """The API key the request authenticates with, read as the provider reads it."""
        if provider == "postmark":
            return self.headers.get("x-postmark-server-token", "")
        if provider == "brevo":
            return self.headers.get("api-key", "")
        scheme, _, value = self.headers.get("authorization", "").partition(" ")
        if scheme == "Basic":  # Mailgun: user "api", the key as the password
            return base64.b64decode(value).decode().partition(":")[2]
        return value  # Resend: a bearer token


class ProviderAPI(ThreadingHTTPServer):
    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[Request] = []
        self.status: int | None = None  # answer every call with this status when set
        self.url = f"http://127.0.0.1:{self.server_address[1]}/"

    def answer(self, request: Request) -> tuple[int, dict | None]:
        """What the provider answers a send that it accepts (its documented success)."""
        if self.status:
            return self.status, {"message": "refused by the test", "ErrorCode": 10}
        n = len(self.requests)
        if request.path.endswith("/messages"):
            return 200, {"id": f"<mailgun-{n}@desk.example>", "message": "Queued. Thank you."}
        if request.path == "/email":
            to = request.fields()["To"]
            return 200, {"To": to, "MessageID": f"postmark-{n}", "ErrorCode": 0, "Message": "OK"}
        if request.path == "/smtp/email":
            return 201, {"messageId": f"<brevo-{n}@smtp-relay.mailin.fr>"}
        if request.path == "/emails":
            return 200, {"id": f"resend-{n}"}
        return 404, {"message": "no such call"}


class _Handler(BaseHTTPRequestHandler):
    server: ProviderAPI

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        request = Request(
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=self.rfile.read(length),
        )
        self.server.requests.append(request)
        status, data = self.server.answer(request)
        body = json.dumps(data).encode() if data is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def provider_api(settings):
    """The local provider API, with anymail's API address of every provider pointing at it."""
    server = ProviderAPI()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.ANYMAIL = {f"{esp}_API_URL": server.url for esp in ESP_SETTINGS.values()}
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
