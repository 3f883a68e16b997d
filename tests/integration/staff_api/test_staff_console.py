"""The staff console's API end to end in moto: sign in with the pool, act, and find it in the audit."""

from __future__ import annotations

import json

import boto3
import pytest
from tests.integration.staff_api.conftest import TEST_RECIPIENT, StaffConsoleStack, api_claims
from tests.support.staff_api_events import answer_json, http_event

from civicline.models.language import Language
from civicline.richmenu.definition import rich_menus

TEXT = [{"type": "text", "text": "4月1日は防災訓練です。"}]
LATER = "2031-04-01T09:30:00+09:00"


def test_a_dev_user_signs_in_and_the_token_names_them_and_their_role(console: StaffConsoleStack) -> None:
    # Given the pool made from the template and seeded like `make local` does
    tokens = console.sign_in("exporter@example.jp")
    assert set(tokens) == {"idToken", "accessToken", "refreshToken", "expiresIn"}
    # When the page asks who is signed in, with the ID token's claims as API Gateway passes them on
    me = answer_json(console.call(http_event("GET", "/staff/api/me", claims=api_claims(tokens["idToken"]))))
    # Then the answer is the token's username and group
    assert me["username"] == "exporter@example.jp"
    assert me["roles"] == ["exporter"]
    assert me["can"] == {"broadcast": False, "export": True, "richmenu": False, "audit": False}


def test_a_wrong_password_gets_the_same_answer_as_an_unknown_user(console: StaffConsoleStack) -> None:
    wrong = {"username": "admin@example.jp", "password": "Civicline-wrong-2026!"}
    unknown = {"username": "nobody@example.jp", "password": "Civicline-wrong-2026!"}
    answers = [console.call(http_event("POST", "/staff/api/auth/sign-in", body)) for body in (wrong, unknown)]
    assert [a["statusCode"] for a in answers] == [401, 401]
    assert answer_json(answers[0]) == answer_json(answers[1])


def test_after_sign_out_the_refresh_token_no_longer_works(console: StaffConsoleStack) -> None:
    tokens = console.sign_in("viewer@example.jp")
    refreshed = console.call(
        http_event("POST", "/staff/api/auth/refresh", {"refreshToken": tokens["refreshToken"]})
    )
    assert refreshed["statusCode"] == 200
    body = {"accessToken": tokens["accessToken"], "refreshToken": tokens["refreshToken"]}
    assert console.call(http_event("POST", "/staff/api/auth/sign-out", body))["statusCode"] == 204
    again = console.call(
        http_event("POST", "/staff/api/auth/refresh", {"refreshToken": tokens["refreshToken"]})
    )
    assert again["statusCode"] == 401


def test_an_editors_broadcast_reaches_exactly_the_active_residents_and_is_audited(
    console: StaffConsoleStack,
) -> None:
    # Given residents, and an editor signed in
    items = console.broadcasts.seed(120)
    active = {item["userId"]["S"] for item in items if item["status"]["S"] == "active"}
    editor = console.as_user("editor@example.jp")
    request = {"title": "防災訓練", "messages": TEXT}
    # When they preview the audience, then send
    preview = answer_json(
        console.call(http_event("POST", "/staff/api/broadcasts/dry-run", request, claims=editor))
    )
    sent = answer_json(console.call(http_event("POST", "/staff/api/broadcasts", request, claims=editor)))
    console.broadcasts.drain()
    # Then the preview counted them, and the fake LINE's records show each received it once
    assert preview["audienceSize"] == len(active)
    deliveries = console.broadcasts.deliveries()
    assert set(deliveries) == active
    assert set(deliveries.values()) == {1}
    # And the list and the report show it done
    viewer = console.as_user("viewer@example.jp")
    listed = answer_json(console.call(http_event("GET", "/staff/api/broadcasts", claims=viewer)))
    assert [(b["broadcastId"], b["status"]) for b in listed] == [(sent["broadcastId"], "done")]
    report = answer_json(
        console.call(http_event("GET", f"/staff/api/broadcasts/{sent['broadcastId']}", claims=viewer))
    )
    assert report["recipientsSent"] == len(active)
    # And the audit log shows the send under the editor's name
    admin = console.as_user("admin@example.jp")
    audit = answer_json(console.call(http_event("GET", "/staff/api/audit", claims=admin)))
    assert [(e["action"], e["actor"]["username"], e["target"]) for e in audit] == [
        ("broadcast.send", "editor@example.jp", sent["broadcastId"])
    ]
    assert audit[0]["actor"]["sub"] == editor["sub"]


def test_an_editor_schedules_then_cancels_and_the_schedule_is_gone(console: StaffConsoleStack) -> None:
    editor = console.as_user("editor@example.jp")
    request = {"messages": TEXT, "send_at": LATER}
    scheduled = answer_json(console.call(http_event("POST", "/staff/api/broadcasts", request, claims=editor)))
    assert scheduled["status"] == "scheduled"
    broadcast_id = scheduled["broadcastId"]
    cancelled = console.call(
        http_event("DELETE", f"/staff/api/broadcasts/{broadcast_id}/schedule", claims=editor)
    )
    assert answer_json(cancelled) == {"broadcastId": broadcast_id, "status": "cancelled"}
    scheduler = boto3.client("scheduler", region_name="ap-northeast-1")
    with pytest.raises(scheduler.exceptions.ResourceNotFoundException):
        scheduler.get_schedule(GroupName=console.broadcasts.schedule_group, Name=broadcast_id)
    admin = console.as_user("admin@example.jp")
    actions = [
        e["action"] for e in answer_json(console.call(http_event("GET", "/staff/api/audit", claims=admin)))
    ]
    assert actions == ["broadcast.cancel", "broadcast.schedule"]


def test_a_test_delivery_reaches_the_staff_test_account_only(console: StaffConsoleStack) -> None:
    console.broadcasts.seed(30)
    editor = console.as_user("editor@example.jp")
    answer = console.call(http_event("POST", "/staff/api/broadcasts/test", {"messages": TEXT}, claims=editor))
    assert answer["statusCode"] == 200
    console.broadcasts.drain()
    assert console.broadcasts.deliveries() == {TEST_RECIPIENT: 1}


def test_an_editor_switches_the_rich_menu_and_every_resident_whatever_their_language_sees_it(
    console: StaffConsoleStack,
) -> None:
    # Given following residents reading English, Vietnamese and Burmese, one reading Japanese, and a
    # blocked one reading Korean
    readers = {f"U{n:032x}": lang for n, lang in enumerate([Language.EN, Language.VI, Language.MY] * 2)}
    japanese, blocked = f"U{100:032x}", f"U{101:032x}"
    users = console.aws.client("dynamodb")
    table = console.aws.table("UsersTable")
    for user, language, status in [
        *((user, lang.value, "active") for user, lang in readers.items()),
        (japanese, "ja", "active"),
        (blocked, "ko", "blocked"),
    ]:
        item = {"userId": {"S": user}, "status": {"S": status}, "language": {"S": language}}
        users.put_item(TableName=table, Item=item)
    editor = console.as_user("editor@example.jp")
    fake = console.broadcasts.fake
    # When an editor switches to 防災 (nothing deployed yet: the switch deploys first, as the CLI does)
    switched = console.call(http_event("PUT", "/staff/api/richmenu", {"mode": "disaster"}, claims=editor))
    # Then the answer says the default switched and relinking the other languages started
    assert answer_json(switched) == {"mode": "disaster", "relink": "started"}
    # And LINE's default is the disaster menu, and any role reads the mode
    menus = fake.app.richmenus
    assert menus.default() == menus.alias(rich_menus().disaster.alias_id)["richMenuId"]
    viewer = console.as_user("viewer@example.jp")
    shown = answer_json(console.call(http_event("GET", "/staff/api/richmenu", claims=viewer)))
    assert shown["mode"] == "disaster"
    # And the relink has run (here, before the switch answered; in AWS, minutes after): the page shows it
    # done with its count
    assert {k: v for k, v in shown["relink"].items() if k != "at"} == {
        "status": "done",
        "mode": "disaster",
        "residents": 6,
    }
    # And each reader, each reader of another language sees their language's disaster menu
    # (one bulk call per language); the Japanese reader the default; the blocked one nothing
    assert menus.links() == {
        user: menus.alias(rich_menus(lang).disaster.alias_id)["richMenuId"] for user, lang in readers.items()
    }
    assert len(fake.app.state.requests(path="/v2/bot/richmenu/bulk/link")) == 3
    # When the editor switches back to normal
    back = console.call(http_event("PUT", "/staff/api/richmenu", {"mode": "normal"}, claims=editor))
    assert answer_json(back) == {"mode": "normal", "relink": "started"}
    # Then the mode is normal, and each reader sees their language's normal menu again
    shown = answer_json(console.call(http_event("GET", "/staff/api/richmenu", claims=viewer)))
    assert (shown["mode"], shown["relink"]["status"], shown["relink"]["mode"]) == ("normal", "done", "normal")
    assert menus.default() == menus.alias(rich_menus().normal.alias_id)["richMenuId"]
    assert menus.links() == {
        user: menus.alias(rich_menus(lang).normal.alias_id)["richMenuId"] for user, lang in readers.items()
    }
    # And the audit has both switches and both relinks (counts only) under the editor
    admin = console.as_user("admin@example.jp")
    audit = answer_json(console.call(http_event("GET", "/staff/api/audit", claims=admin)))
    assert [(e["action"], e["target"], e["actor"]["username"]) for e in audit] == [
        ("richmenu.relink", "normal", "editor@example.jp"),
        ("richmenu.switch", "normal", "editor@example.jp"),
        ("richmenu.relink", "disaster", "editor@example.jp"),
        ("richmenu.switch", "disaster", "editor@example.jp"),
    ]
    assert audit[0]["detail"]["residents"] == {"en": 2, "my": 2, "vi": 2}
    assert not any(user in json.dumps(audit) for user in readers)


def test_no_answer_or_log_of_the_console_carries_a_message_text_or_a_password(
    console: StaffConsoleStack, capsys: pytest.CaptureFixture[str]
) -> None:
    console.broadcasts.seed(20)
    editor = console.as_user("editor@example.jp")
    answers = [
        console.call(http_event("POST", "/staff/api/broadcasts", {"messages": TEXT}, claims=editor)),
        console.call(http_event("GET", "/staff/api/broadcasts", claims=editor)),
        console.call(
            http_event(
                "POST",
                "/staff/api/auth/sign-in",
                {"username": "editor@example.jp", "password": "Secret-x-2026!"},
            )
        ),
    ]
    logged = capsys.readouterr()
    for text in [a["body"] for a in answers] + [logged.out, logged.err]:
        assert "防災訓練です" not in text
        assert "Secret-x-2026!" not in text
