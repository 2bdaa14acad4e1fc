"""A local SMTP catcher for development: saves every message it receives as an .eml file.

Usage: python scripts/mail_catcher.py [--host 127.0.0.1] [--port 8025] [--folder instance/mail]
"""

from __future__ import annotations

import argparse
import time
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class SaveToFolder:
    """aiosmtpd handler: one .eml file per received message, and a line on the terminal."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.count += 1
        data = (
            envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
        )
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{self.count:05d}.eml"
        (self.folder / name).write_bytes(data)
        subject = message_from_bytes(data, policy=policy.default).get("Subject", "")
        print(
            f"[mail] to {', '.join(envelope.rcpt_tos)}: {subject} -> {self.folder / name}",
            flush=True,
        )
        return "250 Message accepted for delivery"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--folder", default="instance/mail")
    args = parser.parse_args()
    controller = Controller(SaveToFolder(Path(args.folder)), hostname=args.host, port=args.port)
    controller.start()
    print(f"SMTP catcher on {args.host}:{args.port}, saving mail to {args.folder}/", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
