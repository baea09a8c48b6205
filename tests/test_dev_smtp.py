"""`make run`'s loopback SMTP server: started in dev without SMTP_URL, it prints links it gets."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest

from crowdhire.dev.smtp import dev_smtp
from crowdhire.mail.smtp import parse_smtp_url, send_message
from crowdhire.settings import Environment, Settings


async def test_dev_mode_starts_a_server_that_prints_the_links_it_receives(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = "Hi", "a@example.test", "b@example.test"
    message.set_content("Decide here: http://127.0.0.1:8000/consent/abc.def.ghi\n")
    dev = Settings(crowdhire_env=Environment.DEV, data_dir=tmp_path)

    with dev_smtp(dev) as ready:
        assert ready.smtp_url is not None and ready.smtp_url.startswith("smtp://127.0.0.1:")
        await send_message(ready, message)
    printed = capsys.readouterr().out

    assert "dev SMTP server at smtp://127.0.0.1:" in printed
    assert "dev mail to b@example.test: Hi" in printed
    assert "    http://127.0.0.1:8000/consent/abc.def.ghi" in printed


def test_configured_or_non_dev_settings_start_nothing(tmp_path: Path) -> None:
    relay = Settings(crowdhire_env=Environment.DEV, smtp_url="smtp+starttls://relay.example:587")
    test = Settings(crowdhire_env=Environment.TEST, data_dir=tmp_path)

    with dev_smtp(relay) as same, dev_smtp(test) as unchanged:
        assert same is relay and unchanged is test
    target = parse_smtp_url("smtp+starttls://relay.example:587")
    assert (target.host, target.port, target.start_tls, target.use_tls) == (
        "relay.example", 587, True, False,
    )  # fmt: skip
    assert parse_smtp_url("smtps://smtp.example").port == 465
