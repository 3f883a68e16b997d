"""Serve the fake LINE API on its own: `python -m devstack.fake_line [--host H] [--port P]`."""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading

from devstack.fake_line.server import DEFAULT_PORT, DEV_CHANNEL_ACCESS_TOKEN, FakeLine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--faults", help="fault plan as JSON (see devstack.fake_line.faults)")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args()
    token = os.environ.get("LINE_CHANNEL_ACCESS_TOKEN", DEV_CHANNEL_ACCESS_TOKEN)
    faults = json.loads(args.faults) if args.faults else None
    fake = FakeLine(
        args.host, args.port, channel_access_token=token, faults=faults, verbose=args.verbose
    ).start()
    print(f"fake LINE Messaging API on {fake.url}", flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
