"""`make demo`: the whole story of civicline on the local stack, told in plain words.

Fictional residents of Shinjuku add the ward's account, set what they want to hear about, apply for
広報新宿 delivery in chat; staff send a segmented broadcast and download the day's applications.
Every step goes through the same path as in production: signed webhook → HttpApi → queue → worker →
LINE (the fake one), and staff CLIs → Lambda Invoke.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable

from devstack.stack import LocalStack
from devtools.resident import Resident, StackUrls

Chapter = Callable[[LocalStack, StackUrls], None]


def say(text: str) -> None:
    indent = " " * (len(text) - len(text.lstrip()))
    print(
        textwrap.fill(text.strip(), width=100, initial_indent=indent, subsequent_indent=indent + "   "),
        flush=True,
    )


def show(label: str, text: str) -> None:
    print(f"  {label}:", flush=True)
    for line in text.splitlines() or [""]:
        print(f"    │ {line}", flush=True)


def follow_and_greeting(stack: LocalStack, urls: StackUrls) -> None:
    say("1. 山田花子さん (a fictional resident) adds the ward's account as a friend.")
    hanako = Resident(urls, "U" + "a1" * 16, "山田花子")
    hanako.join()
    hanako.follow()
    webhook_log = stack.log_dir / "WebhookFunction.log"
    say(
        "   LINE posted a signed follow event to POST /webhook; the webhook verified the signature and "
        "put the event on events.fifo; the conversation worker read the profile, stored the resident "
        "and replied. What 花子さん sees:"
    )
    show("ward's account", hanako.read())
    users = stack.boto3_client("dynamodb").get_item(
        TableName=stack.physical_id("UsersTable"), Key={"userId": {"S": hanako.user_id}}
    )
    item = users.get("Item", {})
    say(f"   Users now holds her with status {item.get('status', {}).get('S')!r}.")
    say(f"   (Function logs, with IDs only, are in {webhook_log.parent}.)")


CHAPTERS: list[Chapter] = [follow_and_greeting]


def main() -> int:
    say("civicline demo — starting the local stack (moto, fake LINE, HTTP API, queue pollers)…")
    with LocalStack(moto_port=0, api_port=0, line_port=0, invoke_port=0) as stack:
        urls = StackUrls(
            stack.api_url, stack.line_url, stack.invoke_url, stack.line_credentials.channel_secret
        )
        say(f"   up: webhook {stack.api_url}/webhook, fake LINE {stack.line_url}\n")
        for chapter in CHAPTERS:
            chapter(stack, urls)
            print(flush=True)
    say("The local stack has stopped. That was the whole story.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
