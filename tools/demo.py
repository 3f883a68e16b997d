"""`make demo`: the whole story of civicline on the local stack, told in plain words.

Fictional residents of Shinjuku add the ward's account, set what they want to hear about, apply for
広報新宿 delivery in chat (one of them in Vietnamese, as his LINE app is set); staff send a segmented
broadcast and download the day's applications, then sign in to the staff console.
Every step takes the production path: signed webhook → HttpApi → queue → worker → LINE (the fake one),
and staff CLIs → Lambda Invoke. Free ports are used, so a running `make local` is not disturbed;
function logs go to the log folder so the story stays readable.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import io
import json
import os
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from civicline.adapters.dynamodb import dynamodb_resource
from civicline.adapters.dynamodb.export_audit import DynamoExportAudit
from civicline.messages import text
from devstack.resident import Resident, StackUrls, post_webhook, wait_until_idle
from devstack.stack import DEFAULT_LOG_DIR, LocalStack
from devstack.webhook_events import follow_event
from tools.demo_console import scene_staff_console

REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Story:
    stack: LocalStack
    urls: StackUrls
    happened: list[str] = field(default_factory=list)
    residents: dict[str, Resident] = field(default_factory=dict)

    def say(self, text: str) -> None:
        indent = " " * (len(text) - len(text.lstrip()))
        wrapped = textwrap.fill(
            text.strip(), width=100, initial_indent=indent, subsequent_indent=indent or "   "
        )
        print(wrapped, flush=True)

    def show(self, who: str, text: str) -> None:
        print(f"      {who}:", flush=True)
        for line in text.splitlines() or [""]:
            print(f"      │ {line}", flush=True)

    def resident(self, key: str, user_id: str, display_name: str) -> Resident:
        resident = Resident(self.urls, user_id, display_name)
        resident.join()
        self.residents[key] = resident
        return resident

    def line_get(self, path: str) -> Any:
        """A GET on the (fake) LINE API, authorised like the project's own client."""
        token = self.stack.line_credentials.channel_access_token
        request = urllib.request.Request(  # noqa: S310 - loopback only
            f"{self.urls.line}{path}", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return json.load(response)

    def user_item(self, user_id: str) -> dict[str, Any]:
        answer = self.stack.boto3_client("dynamodb").get_item(
            TableName=self.stack.physical_id("UsersTable"), Key={"userId": {"S": user_id}}
        )
        item: dict[str, Any] = answer.get("Item", {})
        return item


Scene = Callable[[Story], None]
# Locally the export's safety lag (120 s in AWS: intake's timeout plus index propagation) is shortened so
# the story need not wait two minutes; everything else runs as deployed.
LOCAL_EXPORT_LAG_SECONDS = 3
HANAKO = "U" + "a1" * 16  # fictional residents' LINE user ids


def scene_url_check(story: Story) -> None:
    story.say("1. The ward registers the webhook in LINE's console, which checks the URL (no events).")
    status = post_webhook(story.urls, [])
    story.say(f"   The webhook answered {status}.")
    story.happened.append(f"LINE's URL check was answered {status}")


def scene_forged_request(story: Story) -> None:
    story.say("2. Someone who does not know the channel secret posts a fake 'follow' to the webhook.")
    status = post_webhook(story.urls, [follow_event(HANAKO, "forged")], secret="forger")  # noqa: S106
    story.say(f"   The webhook answered {status}; nothing reached the queue, nobody was stored.")
    story.happened.append(f"a forged webhook was answered {status}")


def scene_follow(story: Story) -> None:
    story.say("3. 山田花子さん (a fictional resident) adds the ward's account as a friend.")
    hanako = story.resident("hanako", HANAKO, "山田花子")
    hanako.follow()
    story.say(
        "   LINE posted a signed follow event; the webhook verified it and put it on events.fifo; the "
        "conversation worker read her profile, stored her and replied. What 花子さん sees:"
    )
    story.show("ward's account", hanako.read())
    status = story.user_item(HANAKO).get("status", {})
    story.say(f"   The Users table now holds her by LINE user ID, status {status.get('S')!r}.")
    story.happened.append("a new friend was greeted and stored")


def scene_settings(story: Story) -> None:
    story.say("4. 花子さん sets 受信設定 by tapping the quick replies the account offers.")
    hanako = story.residents["hanako"]
    for label in [
        "受信設定",
        "1970年代",
        "1975年（昭和50年）",
        "女性",
        "大久保",
        "健康・福祉",
        "子育て・教育",
        "完了",
    ]:
        hanako.tap(label)
        story.say(f"   taps 「{label}」")
    story.say("   The account shows her settings back as a card:")
    story.show("ward's account", hanako.read())
    item = story.user_item(HANAKO)
    stored = {
        name: next(iter(item[name].values()))
        for name in ("birthYear", "gender", "area", "genres")
        if name in item
    }
    story.say(f"   Stored in Users (ids, not labels, so another city is a configuration): {stored}")
    story.happened.append("受信設定 were set by quick replies, stored and shown back")


def _script_env() -> dict[str, str]:
    """What a staff member's shell has after `make`: the layer and staff/ importable."""
    path = os.pathsep.join(str(REPO_ROOT / part) for part in ("layers/civicline", "."))
    return {**os.environ, "PYTHONPATH": path}


def scene_rich_menu(story: Story) -> None:
    story.say("5. Staff deploy the rich menus (normal and 防災モード) with `make richmenu`.")
    deployed = subprocess.run(
        [sys.executable, "-m", "staff.richmenu.deploy", "--mode", "normal", "--line-host", story.urls.line],
        capture_output=True,
        text=True,
        check=True,
        env={**_script_env(), "LINE_CHANNEL_ACCESS_TOKEN": story.stack.line_credentials.channel_access_token},
    )
    for line in deployed.stdout.strip().splitlines():
        story.say(f"   {line}")
    menus = [m["name"] for m in story.line_get("/v2/bot/richmenu/list")["richmenus"]]
    default = story.line_get("/v2/bot/user/all/richmenu")["richMenuId"]
    story.say(f"   LINE now holds {len(menus)} menus ({', '.join(sorted(menus))}); default {default}.")
    story.happened.append(f"the rich menus were deployed ({len(menus)} menus, normal by default)")


def scene_apply_for_delivery(story: Story) -> None:
    story.say(
        "6. 花子さん applies for 広報新宿 個別配達 in chat: one question at a time, tapping and typing."
    )
    hanako = story.residents["hanako"]
    hanako.postback("action=apply_menu")
    story.say(f"   taps the rich menu's 電子申請 tile; the account offers: {' / '.join(hanako.labels())}")
    hanako.tap("個別配達の新規申込")
    story.say("   taps 「個別配達の新規申込」")
    # Fictional answers, typed the way people type on a phone (full-width digits, 〒, a full-width space).
    for question, answer in [
        ("her name", "山田　花子"),
        ("its reading", "やまだ はなこ"),
        ("her postal code", "〒１６９－００７３"),
    ]:
        hanako.say(answer)
        story.say(f"   types {question}")
    story.say(
        f"   the account checks the postal code is in the ward and asks: {hanako.read().splitlines()[-1]}"
    )
    hanako.tap("はい")
    hanako.say("１－２－３　大久保コーポ２０１")
    story.say("   taps 「はい」, types the rest of her address")
    hanako.say("090-1234-5678")
    story.say("   types her phone number")
    story.say(
        "   The account shows her answers on a confirmation card (normalised: half-width digits, "
        f"〒 dropped, the phone formatted) with the buttons {' / '.join(hanako.labels())}. "
        "She taps 「送信する」."
    )
    hanako.tap("送信する")
    story.say(
        "   The worker put the application on the applications queue and closed the conversation; "
        "intake stored it, encrypted her answers and pushed a card. What 花子さん sees:"
    )
    story.show("ward's account", hanako.read())
    scanned = story.stack.boto3_client("dynamodb").scan(
        TableName=story.stack.physical_id("ApplicationsTable"),
        FilterExpression="userId = :user AND recordType = :application",
        ExpressionAttributeValues={":user": {"S": HANAKO}, ":application": {"S": "application"}},
    )
    items = scanned["Items"]
    story.say(f"   The Applications table holds {len(items)} application of hers.")
    for item in items:
        ciphertext = item["pii"]["S"]
        story.say(
            f"   reception number {item['receptionNumber']['S']}, status {item['status']['S']!r}; "
            f"`pii` is {len(ciphertext)} characters of ciphertext ({ciphertext[:16]}…), readable only "
            "with the PII key, which only export may use."
        )
    story.happened.append(
        f"an application for 広報新宿 delivery was made in chat and stored once ({len(items)})"
    )


AN = "U" + "c1" * 16


def scene_another_language(story: Story) -> None:
    story.say(
        "6b. Nguyễn Văn An (a fictional resident) has his LINE app in Vietnamese. He adds the account and "
        "applies for 広報新宿 delivery without meeting a Japanese sentence he must understand."
    )
    an = Resident(story.urls, AN, "An", language="vi")
    an.join()
    story.residents["an"] = an
    an.follow()
    story.say("   LINE's profile says `vi`; the worker stored it and greeted him in Vietnamese:")
    story.show("ward's account", an.read())
    an.postback("action=apply_menu")
    an.tap(text("applications_chat.menu.koho_new", "vi"))
    story.say("   taps the 電子申請 tile, then the new delivery; the account asks:")
    story.show("ward's account", an.read())
    an.say("NGUYEN VAN AN")
    story.say("   types his name as on his residence card; the account asks:")
    story.show("ward's account", an.read())
    an.tap(text("forms.label.skip", "vi"))
    an.say("169-0072")
    story.say("   skips the katakana reading, types his postal code; the account asks:")
    story.show("ward's account", an.read())
    an.tap(text("forms.label.yes", "vi"))
    an.say("1-2-3 Okubo Heights 201")
    an.say("080-2345-6789")
    an.tap(text("forms.label.submit", "vi"))
    story.say("   confirms, types the rest of the address and his phone, and sends. What An sees:")
    story.show("ward's account", an.read())
    language = story.user_item(AN).get("language", {}).get("S")
    story.say(
        f"   Users holds his language ({language!r}); his application is stored like anyone's, in the "
        "ward's format (the Japanese address), and the export's last column, 言語, tells staff to reply "
        "in Vietnamese."
    )
    story.happened.append("a resident whose LINE is in Vietnamese followed and applied in Vietnamese")


# Fictional residents for the broadcast, as the conversation worker stores them after their 受信設定
# (ids of civicline/city.yaml). Who should get "women born 1950-1965 in 四谷 or 箪笥町 who chose 健康・福祉":
NEIGHBOURS = [
    (
        "佐藤",
        "U" + "b1" * 16,
        {"birthYear": 1958, "gender": "female", "area": "yotsuya", "genres": ["kenko"]},
    ),
    (
        "鈴木",
        "U" + "b2" * 16,
        {"birthYear": 1962, "gender": "female", "area": "tansu", "genres": ["kenko", "bousai"]},
    ),
    ("高橋", "U" + "b3" * 16, {"birthYear": 1955, "gender": "male", "area": "yotsuya", "genres": ["kenko"]}),
    (
        "田中",
        "U" + "b4" * 16,
        {"birthYear": 1970, "gender": "female", "area": "yotsuya", "genres": ["kenko"]},
    ),
    ("伊藤", "U" + "b5" * 16, {"birthYear": 1960, "gender": "female", "area": "okubo", "genres": ["kenko"]}),
    ("渡辺", "U" + "b6" * 16, {"birthYear": 1952, "gender": "female", "area": "tansu"}),
    (
        "山本",
        "U" + "b7" * 16,
        {"birthYear": 1957, "gender": "female", "area": "yotsuya", "genres": ["kenko"]},
    ),
]
BLOCKED = {"山本"}  # she unfollowed the account: never a recipient


def _seed_neighbours(story: Story) -> None:
    table = story.stack.physical_id("UsersTable")
    dynamodb = story.stack.boto3_client("dynamodb")
    for name, user_id, settings in NEIGHBOURS:
        story.resident(name, user_id, f"{name}（架空）")
        item: dict[str, Any] = {
            "userId": {"S": user_id},
            "status": {"S": "blocked" if name in BLOCKED else "active"},
            "language": {"S": "ja"},
            "followedAt": {"S": "2026-04-01T00:00:00+00:00"},
            "updatedAt": {"S": "2026-04-01T00:00:00+00:00"},
            "birthYear": {"N": str(settings["birthYear"])},
            "gender": {"S": settings["gender"]},
            "area": {"S": settings["area"]},
        }
        if "genres" in settings:
            item["genres"] = {"SS": settings["genres"]}
        dynamodb.put_item(TableName=table, Item=item)


def _broadcast_cli(story: Story, *args: str) -> str:
    command = [
        sys.executable,
        "-m",
        "staff.broadcast_cli",
        "--endpoint-url",
        story.urls.invoke,
    ]
    done = subprocess.run(
        command + list(args), capture_output=True, text=True, check=False, env=_script_env()
    )
    if done.returncode != 0:
        raise RuntimeError(f"make broadcast failed: {done.stderr.strip()}")
    return done.stdout


def scene_segmented_broadcast(story: Story) -> None:
    story.say(
        "7. Staff announce a health course to women born 1950-1965 in 四谷 or 箪笥町 who chose 健康・福祉. "
        "Seven more fictional residents have set 受信設定 (one of them has since blocked the account)."
    )
    _seed_neighbours(story)
    request = REPO_ROOT / "events" / "broadcast" / "women-1950-1965-yotsuya-tansu-kenko.yaml"
    story.say(f"   `make broadcast REQUEST={request.relative_to(REPO_ROOT)} DRY_RUN=1` counts first:")
    for line in _broadcast_cli(story, "send", str(request), "--dry-run").strip().splitlines():
        story.say(f"     {line}")
    story.say("   Then the real send: the planner cuts batches of ≤ 500, senders multicast them.")
    sent = _broadcast_cli(story, "send", str(request))
    broadcast_id = next(word for word in sent.split() if word.startswith("b-"))
    wait_until_idle(story.urls)
    story.say("   Who received it (per the fake LINE's records):")
    received = 0
    for name, _, _ in NEIGHBOURS:
        got = [
            m for m in story.residents[name].inbox() if m.get("type") == "text" and "健康講座" in m["text"]
        ]
        received += bool(got)
        story.say(f"     {name:　<4} {'received it' if got else '-'}")
    story.say(f"   `make report BROADCAST_ID={broadcast_id}`:")
    for line in _broadcast_cli(story, "report", broadcast_id).strip().splitlines():
        story.say(f"     {line}")
    story.happened.append(f"a segmented broadcast reached exactly {received} matching residents, reported")


def scene_staff_export(story: Story) -> None:
    story.say("8. The next morning, staff download the new delivery applications with `make export`.")
    time.sleep(LOCAL_EXPORT_LAG_SECONDS + 1)  # the export takes what is older than its safety lag
    exported = subprocess.run(
        [
            sys.executable,
            *("-m", "staff.export_cli"),
            *("--endpoint-url", story.urls.invoke, "--sts-endpoint-url", story.stack.moto_url),
        ],
        capture_output=True,
        text=True,
        check=False,
        env=_script_env(),
    )
    if exported.returncode != 0:
        raise RuntimeError(f"make export failed: {exported.stderr.strip()}")
    link, *details = exported.stdout.strip().splitlines()
    story.say("   The CLI printed a short-lived link (SigV4, 15 minutes) on a line of its own, then:")
    for line in details:
        story.say(f"     {line}")
    with urllib.request.urlopen(link, timeout=30) as response:  # noqa: S310 - the local stack's S3
        disposition = response.headers.get("content-disposition", "")
        content = response.read()
    story.say(f"   Downloaded {len(content)} bytes; the browser would save it as: {disposition}")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    story.say(
        f"   UTF-8 with BOM for Excel: {content.startswith(codecs.BOM_UTF8)}. The rows (fictional people):"
    )
    for row in rows:
        story.say(f"     {' | '.join(row)}")
    audit_table = dynamodb_resource().Table(story.stack.physical_id("AuditTable"))
    audit = DynamoExportAudit(audit_table).entries("koho_delivery")
    story.say("   And the audit trail the privacy council can ask for:")
    for entry in audit:
        fields = ("sk", "requestedBy", "issuedAt", "recordCount", "objectKey", "expiresAt")
        story.say("     " + ", ".join(f"{name}={entry[name]}" for name in fields if name in entry))
    story.happened.append(f"staff downloaded {len(rows) - 1} application(s) by a short-lived link, audited")


SCENES: list[Scene] = [
    scene_url_check,
    scene_forged_request,
    scene_follow,
    scene_settings,
    scene_rich_menu,
    scene_apply_for_delivery,
    scene_another_language,
    scene_segmented_broadcast,
    scene_staff_export,
    scene_staff_console,
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make demo", description=__doc__.splitlines()[0])
    parser.add_argument("--log-dir", type=Path, default=DEFAULT_LOG_DIR, help="one log file per function")
    args = parser.parse_args(argv)
    os.environ.setdefault("EXPORT_SAFETY_LAG_SECONDS", str(LOCAL_EXPORT_LAG_SECONDS))

    print(
        "civicline demo: starting the local stack (moto, fake LINE, HTTP API, queue pollers)...", flush=True
    )
    template = REPO_ROOT / "template.yaml"
    with LocalStack(
        template, moto_port=0, api_port=0, line_port=0, invoke_port=0, log_dir=args.log_dir
    ) as stack:
        urls = StackUrls(
            stack.api_url, stack.line_url, stack.invoke_url, stack.line_credentials.channel_secret
        )
        story = Story(stack, urls)
        story.say(
            f"   up: webhook {stack.api_url}/webhook, fake LINE {stack.line_url}; logs in {args.log_dir}\n"
        )
        for scene in SCENES:
            scene(story)
            print(flush=True)
        print("What happened:", flush=True)
        for line in story.happened:
            print(f"  - {line}", flush=True)
        print("The privacy council's dossier on all this: `make privacy-report`.", flush=True)
    print("Stopped cleanly.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
