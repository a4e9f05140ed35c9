"""Sending one alert: e-mail over SMTP (STARTTLS, auth) or a signed webhook, with retries.

Nothing here touches the database: a delivery is attempted with the
transaction closed, so a slow or dead target holds no lock, and its outcome
is written to the delivery log afterwards by the caller.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

from fixright.alerts.messages import Message
from fixright.config import Settings

SIGNATURE_HEADER = "X-Fixright-Signature"


@dataclass(frozen=True)
class Outcome:
    status: str  # "sent" or "failed"
    attempts: int
    error: str | None = None


class DeliveryError(Exception):
    """A target refused or could not be reached; the message says how."""


def signature(secret: str, body: bytes) -> str:
    """`sha256=<hex HMAC-SHA256 of body>`: what a receiver recomputes to trust a webhook."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def send_email(settings: Settings, to: str, message: Message) -> None:
    if not settings.smtp_host:
        raise DeliveryError("no SMTP server configured (FIXRIGHT_SMTP_HOST)")
    mail = EmailMessage()
    mail["From"] = settings.smtp_from
    mail["To"] = to
    mail["Subject"] = message.subject
    mail.set_content(message.text)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port,
                          timeout=settings.alert_timeout_seconds) as smtp:
            smtp.ehlo()
            if settings.smtp_starttls:
                context = ssl.create_default_context(
                    cafile=str(settings.smtp_ca_file) if settings.smtp_ca_file else None)
                smtp.starttls(context=context)
                smtp.ehlo()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            smtp.send_message(mail)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"SMTP {settings.smtp_host}:{settings.smtp_port}: {exc}") from exc


def send_webhook(settings: Settings, url: str, secret: str, message: Message) -> None:
    body = json.dumps(message.payload, ensure_ascii=False, sort_keys=True).encode()
    parts = urlsplit(url)
    conn_class: Any = (http.client.HTTPSConnection if parts.scheme == "https"
                       else http.client.HTTPConnection)
    conn = conn_class(parts.hostname, parts.port, timeout=settings.alert_timeout_seconds)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        conn.request("POST", path, body=body, headers={
            "Content-Type": "application/json", SIGNATURE_HEADER: signature(secret, body),
            "User-Agent": "fixright-alerts"})
        response = conn.getresponse()
        response.read(64 * 1024)  # bounded: a receiver's answer is not ours to keep
    except OSError as exc:
        raise DeliveryError(f"webhook {parts.scheme}://{parts.netloc}: {exc}") from exc
    finally:
        conn.close()
    # A redirect is not followed: the signed body goes where it was configured to, or nowhere.
    if not 200 <= response.status < 300:
        raise DeliveryError(f"webhook {parts.scheme}://{parts.netloc} answered {response.status}")


def deliver(settings: Settings, channel: str, target: str, secret: str | None, message: Message,
            *, sleep: Callable[[float], object] = time.sleep) -> Outcome:
    """Send with up to `alert_attempts` tries, backing off exponentially; never raises."""
    error = ""
    for attempt in range(1, settings.alert_attempts + 1):
        try:
            if channel == "email":
                send_email(settings, target, message)
            else:
                send_webhook(settings, target, secret or "", message)
            return Outcome("sent", attempt)
        except DeliveryError as exc:
            error = str(exc)
        except Exception as exc:  # noqa: BLE001 - a broken target must never stop the run
            error = f"{type(exc).__name__}: {exc}"
        if attempt < settings.alert_attempts:
            sleep(settings.alert_backoff_seconds * 2 ** (attempt - 1))
    return Outcome("failed", settings.alert_attempts, error[:2000])
