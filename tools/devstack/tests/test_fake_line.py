"""The fake LINE Messaging API, driven the way civicline drives LINE: through line-bot-sdk's real client.

Where the SDK refuses a request before sending it (501 recipients, 14 quick replies, ...), the test posts
raw JSON so the fake's own check is the one exercised.
"""

from __future__ import annotations

import io
import json
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import urllib3
from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    Configuration,
    CreateRichMenuAliasRequest,
    MessagingApi,
    MessagingApiBlob,
    MulticastRequest,
    PostbackAction,
    PushMessageRequest,
    ReplyMessageRequest,
    RichMenuArea,
    RichMenuBounds,
    RichMenuRequest,
    RichMenuSize,
    TextMessage,
    UpdateRichMenuAliasRequest,
)
from PIL import Image

from devstack.fake_line import FakeLine

TOKEN = "civicline-dev-access-token"
TIMEOUT = (3, 10)
RESIDENT = "U" + "1" * 32
OTHER_RESIDENT = "U" + "2" * 32
MULTICAST = "/v2/bot/message/multicast"
PUSH = "/v2/bot/message/push"
REPLY = "/v2/bot/message/reply"


def user_id(n: int) -> str:
    return f"U{n:032x}"


@pytest.fixture(scope="module")
def fake_line_server() -> Iterator[FakeLine]:
    fake = FakeLine(host="127.0.0.1", port=0, channel_access_token=TOKEN)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_line(fake_line_server: FakeLine) -> FakeLine:
    """The shared server, reset to a clean channel with one simulated resident."""
    fake_line_server.reset(users=True)
    fake_line_server.add_user(RESIDENT, "新宿 花子", picture_url="https://example.com/p.png", language="ja")
    return fake_line_server


@pytest.fixture
def fake_line_client(fake_line: FakeLine) -> Iterator[ApiClient]:
    with ApiClient(Configuration(host=fake_line.url, access_token=TOKEN)) as client:
        yield client


@pytest.fixture
def fake_line_api(fake_line_client: ApiClient) -> MessagingApi:
    return MessagingApi(fake_line_client)


def post(fake: FakeLine, path: str, body: Any, headers: dict[str, str] | None = None) -> requests.Response:
    return requests.post(
        fake.url + path,
        data=json.dumps(body),
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json", **(headers or {})},
        timeout=TIMEOUT,
    )


def text(value: str = "お知らせです") -> dict[str, Any]:
    return {"type": "text", "text": value}


def error_body(error: ApiException) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(error.body)
    return body


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, format="PNG")
    return buffer.getvalue()


# --- reply tokens ---------------------------------------------------------------------------------


def test_reply_token_is_single_use(fake_line: FakeLine, fake_line_api: MessagingApi) -> None:
    # Given a fresh reply token bound to a resident
    token = fake_line.mint_reply_token(user_id=RESIDENT)
    request = ReplyMessageRequest(reply_token=token, messages=[TextMessage(text="受け付けました")])

    # When the bot replies twice with it
    first = fake_line_api.reply_message(request, _request_timeout=TIMEOUT)
    with pytest.raises(ApiException) as second:
        fake_line_api.reply_message(request, _request_timeout=TIMEOUT)

    # Then the first reply is sent and reaches the resident; the second is refused as LINE refuses it
    assert len(first.sent_messages) == 1
    assert first.sent_messages[0].id
    assert first.sent_messages[0].quote_token
    assert second.value.status == 400
    assert error_body(second.value) == {"message": "Invalid reply token"}
    assert [m["message"] for m in fake_line.messages_for(RESIDENT)] == [text("受け付けました")]


@pytest.mark.parametrize("token_kind", ["expired", "unknown"])
def test_expired_or_unknown_reply_token_is_refused(
    fake_line: FakeLine, fake_line_api: MessagingApi, token_kind: str
) -> None:
    # Given a token that has already expired, or one LINE never issued
    token = fake_line.mint_reply_token(ttl=0) if token_kind == "expired" else "0" * 32

    # When the bot replies with it
    with pytest.raises(ApiException) as refused:
        fake_line_api.reply_message(
            ReplyMessageRequest(reply_token=token, messages=[TextMessage(text="x")]), _request_timeout=TIMEOUT
        )

    # Then LINE's answer is 400 Invalid reply token and nothing is recorded
    assert refused.value.status == 400
    assert error_body(refused.value) == {"message": "Invalid reply token"}
    assert fake_line.requests(REPLY) == []


def test_reply_token_survives_a_refused_body(fake_line: FakeLine) -> None:
    # Given a valid token and a reply whose text is too long
    token = fake_line.mint_reply_token(user_id=RESIDENT)
    refused = post(fake_line, REPLY, {"replyToken": token, "messages": [text("あ" * 5001)]})

    # When the bot fixes the message and replies again with the same token
    accepted = post(fake_line, REPLY, {"replyToken": token, "messages": [text("短く")]})

    # Then the first was refused for its body and the token still worked
    assert refused.status_code == 400
    assert accepted.status_code == 200


# --- LINE's limits --------------------------------------------------------------------------------


def test_multicast_to_501_recipients_is_refused(fake_line: FakeLine) -> None:
    # Given 501 valid user IDs (the SDK refuses these client-side, so post raw JSON)
    recipients = [user_id(n) for n in range(501)]

    # When the bot multicasts to them
    response = post(fake_line, MULTICAST, {"to": recipients, "messages": [text()]})

    # Then LINE refuses the whole request and names the property
    assert response.status_code == 400
    body = response.json()
    assert body["message"] == "The request body has 1 error(s)"
    assert body["details"][0]["property"] == "to"
    assert fake_line.requests(MULTICAST) == []


def test_multicast_to_500_recipients_reaches_each(fake_line: FakeLine, fake_line_api: MessagingApi) -> None:
    # Given 500 recipients, the most one request may carry
    recipients = [user_id(n) for n in range(500)]

    # When the bot multicasts through the SDK
    response = fake_line_api.multicast_with_http_info(
        MulticastRequest(to=recipients, messages=[TextMessage(text="広報新宿")]), _request_timeout=TIMEOUT
    )

    # Then LINE answers 200 {} and every recipient received the message
    assert response.status_code == 200
    assert response.headers["x-line-request-id"]
    assert all(len(fake_line.messages_for(r)) == 1 for r in recipients)


@pytest.mark.parametrize("recipient", ["C" + "0" * 32, "U" + "0" * 31, "u" + "0" * 32, "not-a-user"])
def test_multicast_accepts_only_user_ids(fake_line: FakeLine, recipient: str) -> None:
    # When the bot multicasts to a group ID or a malformed user ID
    response = post(fake_line, MULTICAST, {"to": [RESIDENT, recipient], "messages": [text()]})

    # Then LINE refuses it and points at the bad entry
    assert response.status_code == 400
    assert response.json()["details"] == [{"message": "must be a valid user ID", "property": "to[1]"}]


@pytest.mark.parametrize(
    ("message", "property_"),
    [
        pytest.param(text("あ" * 5001), "messages[0].text", id="text-5001"),
        pytest.param(text("😀" * 2501), "messages[0].text", id="text-5002-utf16-units"),
        pytest.param(text(""), "messages[0].text", id="text-empty"),
        pytest.param(
            {
                **text(),
                "quickReply": {
                    "items": [
                        {"type": "action", "action": {"type": "message", "label": f"{n}", "text": f"{n}"}}
                        for n in range(14)
                    ]
                },
            },
            "messages[0].quickReply.items",
            id="quick-reply-14-items",
        ),
        pytest.param(
            {
                **text(),
                "quickReply": {
                    "items": [
                        {"type": "action", "action": {"type": "message", "label": "あ" * 21, "text": "a"}}
                    ]
                },
            },
            "messages[0].quickReply.items[0].action.label",
            id="quick-reply-label-21",
        ),
        pytest.param(
            {
                **text(),
                "quickReply": {
                    "items": [
                        {"type": "action", "action": {"type": "postback", "label": "a", "data": "d" * 301}}
                    ]
                },
            },
            "messages[0].quickReply.items[0].action.data",
            id="postback-data-301",
        ),
        pytest.param(
            {
                **text(),
                "quickReply": {
                    "items": [
                        {
                            "type": "action",
                            "action": {
                                "type": "postback",
                                "label": "a",
                                "data": "d",
                                "displayText": "x" * 301,
                            },
                        }
                    ]
                },
            },
            "messages[0].quickReply.items[0].action.displayText",
            id="postback-display-text-301",
        ),
        pytest.param(
            {
                "type": "flex",
                "altText": "a" * 1501,
                "contents": {
                    "type": "bubble",
                    "body": {
                        "type": "box",
                        "layout": "vertical",
                        "contents": [{"type": "text", "text": "x"}],
                    },
                },
            },
            "messages[0].altText",
            id="flex-alt-text-1501",
        ),
        pytest.param(
            {
                "type": "template",
                "altText": "a",
                "template": {
                    "type": "buttons",
                    "text": "選んでください",
                    "actions": [{"type": "uri", "label": "あ" * 21, "uri": "https://example.com"}],
                },
            },
            "messages[0].template.actions[0].label",
            id="uri-action-label-21",
        ),
        pytest.param(
            {"type": "image", "originalContentUrl": "http://x/a.png", "previewImageUrl": "https://x/a.png"},
            "messages[0].originalContentUrl",
            id="image-not-https",
        ),
    ],
)
def test_messages_over_line_limits_are_refused(
    fake_line: FakeLine, message: dict[str, Any], property_: str
) -> None:
    # When the bot pushes a message that breaks one of LINE's limits
    response = post(fake_line, PUSH, {"to": RESIDENT, "messages": [message]})

    # Then LINE answers 400 in its error shape, naming the property, and nothing is delivered
    assert response.status_code == 400
    body = response.json()
    assert body["message"] == "The request body has 1 error(s)"
    assert [detail["property"] for detail in body["details"]] == [property_]
    assert fake_line.messages_for(RESIDENT) == []


def test_messages_at_line_limits_are_accepted(fake_line: FakeLine) -> None:
    # Given messages exactly at the limits: 5,000 characters, 13 quick replies, 300-character postback data
    quick_replies = [
        {"type": "action", "action": {"type": "postback", "label": "あ" * 20, "data": "d" * 300}}
        for _ in range(13)
    ]
    messages = [text("あ" * 5000), {**text(), "quickReply": {"items": quick_replies}}]

    # When the bot pushes them
    response = post(fake_line, PUSH, {"to": RESIDENT, "messages": messages})

    # Then LINE accepts them with one sent message each
    assert response.status_code == 200
    assert len(response.json()["sentMessages"]) == 2


@pytest.mark.parametrize("count", [0, 6])
def test_message_count_outside_1_to_5_is_refused(fake_line: FakeLine, count: int) -> None:
    response = post(fake_line, PUSH, {"to": RESIDENT, "messages": [text()] * count})

    assert response.status_code == 400
    assert response.json()["details"][0]["property"] == "messages"


def test_malformed_messages_are_refused_by_the_sdk_models(fake_line: FakeLine) -> None:
    # When a message has an unknown type or lacks a required field
    unknown_type = post(fake_line, PUSH, {"to": RESIDENT, "messages": [{"type": "hologram"}]})
    missing_text = post(fake_line, PUSH, {"to": RESIDENT, "messages": [{"type": "text"}]})
    not_json = requests.post(
        fake_line.url + PUSH, data="{", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=TIMEOUT
    )

    # Then each is a 400 in LINE's shape
    assert unknown_type.status_code == 400
    assert unknown_type.json()["details"][0]["property"] == "messages[0]"
    assert missing_text.status_code == 400
    assert missing_text.json()["details"][0]["property"] == "messages[0].text"
    assert not_json.status_code == 400
    assert not_json.json()["message"].startswith("The request body could not be parsed as JSON")


def test_request_body_over_2_mb_is_refused_with_413(fake_line: FakeLine) -> None:
    response = post(fake_line, PUSH, {"to": RESIDENT, "messages": [text("a" * (2 * 1024 * 1024))]})

    assert response.status_code == 413
    assert fake_line.requests() == []


def test_validate_endpoint_checks_without_sending(fake_line: FakeLine) -> None:
    # When the bot validates a good and a bad message
    good = post(fake_line, "/v2/bot/message/validate/push", {"messages": [text()]})
    bad = post(fake_line, "/v2/bot/message/validate/multicast", {"messages": [text("a" * 5001)]})

    # Then the good one passes, the bad one is refused, and nobody received anything
    assert (good.status_code, good.json()) == (200, {})
    assert bad.status_code == 400
    assert fake_line.messages_for(RESIDENT) == []


# --- retry keys -----------------------------------------------------------------------------------


def test_repeated_retry_key_answers_409_with_the_accepted_request_id(
    fake_line: FakeLine, fake_line_api: MessagingApi
) -> None:
    # Given a multicast accepted with a retry key
    key = str(uuid.uuid4())
    request = MulticastRequest(to=[RESIDENT], messages=[TextMessage(text="一度だけ")])
    first = fake_line_api.multicast_with_http_info(request, x_line_retry_key=key, _request_timeout=TIMEOUT)

    # When the same request is sent again with the same key
    with pytest.raises(ApiException) as repeat:
        fake_line_api.multicast(request, x_line_retry_key=key, _request_timeout=TIMEOUT)

    # Then LINE answers 409 pointing at the first request, and the resident got the message once
    assert first.status_code == 200
    assert repeat.value.status == 409
    assert error_body(repeat.value) == {"message": "The retry key is already accepted"}
    assert repeat.value.headers["x-line-accepted-request-id"] == first.headers["x-line-request-id"]
    assert len(fake_line.messages_for(RESIDENT)) == 1
    assert [r["retryKey"] for r in fake_line.requests(MULTICAST)] == [key]


def test_retry_key_on_reply_is_refused(fake_line: FakeLine) -> None:
    token = fake_line.mint_reply_token()

    response = post(
        fake_line, REPLY, {"replyToken": token, "messages": [text()]}, {"X-Line-Retry-Key": str(uuid.uuid4())}
    )

    assert response.status_code == 400
    assert fake_line.requests() == []


def test_retry_key_must_be_a_uuid(fake_line: FakeLine) -> None:
    response = post(fake_line, PUSH, {"to": RESIDENT, "messages": [text()]}, {"X-Line-Retry-Key": "batch-1"})

    assert response.status_code == 400


def test_retry_key_of_a_refused_request_stays_usable(fake_line: FakeLine) -> None:
    # Given a push refused for its body, sent with a retry key
    key = {"X-Line-Retry-Key": str(uuid.uuid4())}
    refused = post(fake_line, PUSH, {"to": RESIDENT, "messages": [text("a" * 5001)]}, key)

    # When the corrected push is sent with the same key
    accepted = post(fake_line, PUSH, {"to": RESIDENT, "messages": [text()]}, key)

    # Then only an accepted request claims the key
    assert refused.status_code == 400
    assert accepted.status_code == 200


def test_concurrent_requests_with_one_retry_key_are_accepted_once(fake_line: FakeLine) -> None:
    # Given many workers sending the same batch with the same key at once
    key = {"X-Line-Retry-Key": str(uuid.uuid4())}
    statuses: list[int] = []
    lock = threading.Lock()

    def send() -> None:
        status = post(fake_line, MULTICAST, {"to": [RESIDENT], "messages": [text()]}, key).status_code
        with lock:
            statuses.append(status)

    workers = [threading.Thread(target=send) for _ in range(16)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    # Then exactly one is accepted and the rest are told it already was
    assert sorted(statuses) == [200] + [409] * 15
    assert len(fake_line.messages_for(RESIDENT)) == 1


# --- rate limits and faults -----------------------------------------------------------------------


def test_rate_limit_answers_429_like_line(fake_line: FakeLine, fake_line_api: MessagingApi) -> None:
    # Given a push limit of one request per 1,000 seconds
    fake_line.set_rate_limits({"push": 0.001})
    request = PushMessageRequest(to=RESIDENT, messages=[TextMessage(text="x")])
    fake_line_api.push_message(request, _request_timeout=TIMEOUT)

    # When the bot pushes again at once
    with pytest.raises(ApiException) as limited:
        fake_line_api.push_message(request, _request_timeout=TIMEOUT)

    # Then LINE's 429 comes back, without Retry-After, and only the first push was recorded
    assert limited.value.status == 429
    assert error_body(limited.value) == {"message": "The API rate limit has been exceeded. Try again later."}
    assert "retry-after" not in {name.lower() for name in limited.value.headers}
    assert len(fake_line.requests(PUSH)) == 1


def test_accepted_then_dropped_then_retried_delivers_once(
    fake_line: FakeLine, fake_line_api: MessagingApi
) -> None:
    # Given LINE will accept the next multicast but lose its answer
    fake_line.set_faults({"next": {"multicast": ["accepted_then_dropped"]}})
    key = str(uuid.uuid4())
    request = MulticastRequest(to=[RESIDENT, OTHER_RESIDENT], messages=[TextMessage(text="一度だけ")])

    # When the sender multicasts, sees a connection error, and retries with the same key
    with pytest.raises(urllib3.exceptions.HTTPError):
        fake_line_api.multicast(request, x_line_retry_key=key, _request_timeout=TIMEOUT)
    with pytest.raises(ApiException) as retried:
        fake_line_api.multicast(request, x_line_retry_key=key, _request_timeout=TIMEOUT)

    # Then the retry gets 409 naming the accepted request, which is the only delivery
    recorded = fake_line.requests(MULTICAST)
    assert retried.value.status == 409
    assert len(recorded) == 1
    assert retried.value.headers["x-line-accepted-request-id"] == recorded[0]["id"]
    assert len(fake_line.messages_for(RESIDENT)) == 1
    assert len(fake_line.messages_for(OTHER_RESIDENT)) == 1


def test_server_error_does_not_claim_the_retry_key(fake_line: FakeLine) -> None:
    # Given LINE will fail the next push with a 500
    fake_line.set_faults({"next": {"push": ["server_error"]}})
    key = {"X-Line-Retry-Key": str(uuid.uuid4())}

    # When the bot retries with the same key
    failed = post(fake_line, PUSH, {"to": RESIDENT, "messages": [text()]}, key)
    retried = post(fake_line, PUSH, {"to": RESIDENT, "messages": [text()]}, key)

    # Then the retry is accepted and delivered once
    assert failed.status_code == 500
    assert retried.status_code == 200
    assert len(fake_line.messages_for(RESIDENT)) == 1


def test_seeded_faults_repeat_exactly(fake_line: FakeLine) -> None:
    # Given a fault plan with probabilities and a seed
    plan = {"seed": 42, "endpoints": {"push": {"rate_limited": 0.3, "server_error": 0.3}}}

    def statuses() -> list[int]:
        fake_line.reset()
        fake_line.set_faults(plan)
        return [post(fake_line, PUSH, {"to": RESIDENT, "messages": [text()]}).status_code for _ in range(30)]

    # When the same sequence of requests runs twice
    first, second = statuses(), statuses()

    # Then the same faults fall on the same requests, and all three outcomes occur
    assert first == second
    assert {200, 429, 500} <= set(first)


def test_faults_can_be_set_over_http(fake_line: FakeLine) -> None:
    response = requests.post(
        fake_line.url + "/_sim/faults", json={"next": {"push": ["rate_limited"]}}, timeout=TIMEOUT
    )
    limited = post(fake_line, PUSH, {"to": RESIDENT, "messages": [text()]})

    assert response.json()["next"] == {"push": ["rate_limited"]}
    assert limited.status_code == 429


# --- authentication and profiles ------------------------------------------------------------------


def test_profile_of_a_simulated_resident(fake_line_api: MessagingApi) -> None:
    profile = fake_line_api.get_profile(RESIDENT, _request_timeout=TIMEOUT)

    assert profile.user_id == RESIDENT
    assert profile.display_name == "新宿 花子"
    assert profile.language == "ja"


def test_profile_of_an_unknown_user_is_404(fake_line_api: MessagingApi) -> None:
    with pytest.raises(ApiException) as missing:
        fake_line_api.get_profile(OTHER_RESIDENT, _request_timeout=TIMEOUT)

    assert missing.value.status == 404
    assert error_body(missing.value) == {"message": "Not found"}


@pytest.mark.parametrize("authorization", ["Bearer wrong-token", None])
def test_wrong_or_missing_access_token_is_401(fake_line: FakeLine, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}

    response = requests.get(fake_line.url + f"/v2/bot/profile/{RESIDENT}", headers=headers, timeout=TIMEOUT)

    assert response.status_code == 401
    assert response.json()["message"].startswith("Authentication failed")


def test_wrong_token_through_the_sdk_is_401(fake_line: FakeLine) -> None:
    with (
        ApiClient(Configuration(host=fake_line.url, access_token="stolen")) as client,
        pytest.raises(ApiException) as refused,
    ):
        MessagingApi(client).get_profile(RESIDENT, _request_timeout=TIMEOUT)

    assert refused.value.status == 401


# --- rich menus -----------------------------------------------------------------------------------


def rich_menu_request(name: str = "メインメニュー") -> RichMenuRequest:
    return RichMenuRequest(
        size=RichMenuSize(width=2500, height=843),
        selected=True,
        name=name,
        chat_bar_text="メニュー",
        areas=[
            RichMenuArea(
                bounds=RichMenuBounds(x=0, y=0, width=1250, height=843),
                action=PostbackAction(label="受信設定", data="menu=settings"),
            ),
            RichMenuArea(
                bounds=RichMenuBounds(x=1250, y=0, width=1250, height=843),
                action=PostbackAction(label="申請", data="menu=forms"),
            ),
        ],
    )


def test_rich_menu_round_trip_through_the_sdk(
    fake_line_client: ApiClient, fake_line_api: MessagingApi
) -> None:
    blob = MessagingApiBlob(fake_line_client)
    image = png(2500, 843)

    # Given a rich menu created, with its image uploaded through the blob API
    rich_menu_id = fake_line_api.create_rich_menu(rich_menu_request(), _request_timeout=TIMEOUT).rich_menu_id
    blob.set_rich_menu_image(rich_menu_id, body=image, _headers={"Content-Type": "image/png"})

    # When it is made the default, aliased and linked to a resident
    fake_line_api.set_default_rich_menu(rich_menu_id, _request_timeout=TIMEOUT)
    fake_line_api.create_rich_menu_alias(
        CreateRichMenuAliasRequest(rich_menu_alias_id="main-menu", rich_menu_id=rich_menu_id),
        _request_timeout=TIMEOUT,
    )
    fake_line_api.link_rich_menu_id_to_user(RESIDENT, rich_menu_id, _request_timeout=TIMEOUT)

    # Then LINE reports each of these back
    listed = fake_line_api.get_rich_menu_list(_request_timeout=TIMEOUT).richmenus
    assert [(m.rich_menu_id, m.name, m.chat_bar_text) for m in listed] == [
        (rich_menu_id, "メインメニュー", "メニュー")
    ]
    assert fake_line_api.get_default_rich_menu_id(_request_timeout=TIMEOUT).rich_menu_id == rich_menu_id
    assert (
        fake_line_api.get_rich_menu_id_of_user(RESIDENT, _request_timeout=TIMEOUT).rich_menu_id
        == rich_menu_id
    )
    aliases = fake_line_api.get_rich_menu_alias_list(_request_timeout=TIMEOUT).aliases
    assert [(a.rich_menu_alias_id, a.rich_menu_id) for a in aliases] == [("main-menu", rich_menu_id)]
    assert (
        fake_line_api.get_rich_menu_alias("main-menu", _request_timeout=TIMEOUT).rich_menu_id == rich_menu_id
    )
    assert bytes(blob.get_rich_menu_image(rich_menu_id, _request_timeout=TIMEOUT)) == image

    # And when the alias, the default and the menu are deleted, nothing is left
    fake_line_api.delete_rich_menu_alias("main-menu", _request_timeout=TIMEOUT)
    fake_line_api.cancel_default_rich_menu(_request_timeout=TIMEOUT)
    fake_line_api.delete_rich_menu(rich_menu_id, _request_timeout=TIMEOUT)
    assert fake_line_api.get_rich_menu_list(_request_timeout=TIMEOUT).richmenus == []
    assert fake_line_api.get_rich_menu_alias_list(_request_timeout=TIMEOUT).aliases == []
    with pytest.raises(ApiException) as no_default:
        fake_line_api.get_default_rich_menu_id(_request_timeout=TIMEOUT)
    assert no_default.value.status == 404


def test_alias_can_be_pointed_at_another_menu(
    fake_line_client: ApiClient, fake_line_api: MessagingApi
) -> None:
    # Given two menus with images and an alias on the first
    blob = MessagingApiBlob(fake_line_client)
    first, second = (
        fake_line_api.create_rich_menu(rich_menu_request(name), _request_timeout=TIMEOUT).rich_menu_id
        for name in ("A", "B")
    )
    for rich_menu_id in (first, second):
        blob.set_rich_menu_image(rich_menu_id, body=png(2500, 843), _headers={"Content-Type": "image/png"})
    fake_line_api.create_rich_menu_alias(
        CreateRichMenuAliasRequest(rich_menu_alias_id="tab_1", rich_menu_id=first), _request_timeout=TIMEOUT
    )

    # When the alias is pointed at the second menu
    fake_line_api.update_rich_menu_alias(
        "tab_1", UpdateRichMenuAliasRequest(rich_menu_id=second), _request_timeout=TIMEOUT
    )

    # Then the alias resolves to the second menu
    assert fake_line_api.get_rich_menu_alias("tab_1", _request_timeout=TIMEOUT).rich_menu_id == second


def test_rich_menu_image_must_match_the_menu(fake_line: FakeLine, fake_line_api: MessagingApi) -> None:
    # Given a 2500x843 menu
    rich_menu_id = fake_line_api.create_rich_menu(rich_menu_request(), _request_timeout=TIMEOUT).rich_menu_id
    url = f"{fake_line.url}/v2/bot/richmenu/{rich_menu_id}/content"
    auth = {"Authorization": f"Bearer {TOKEN}"}

    def upload(data: bytes, content_type: str) -> int:
        headers = {**auth, "Content-Type": content_type}
        return requests.post(url, data=data, headers=headers, timeout=TIMEOUT).status_code

    # Then wrong sizes, wrong types, non-images and images over 1 MB are refused; the right one is taken once
    assert upload(png(2500, 1686), "image/png") == 400
    assert upload(png(2500, 843), "image/gif") == 415
    assert upload(png(2500, 843), "image/jpeg") == 400
    assert upload(b"not an image", "image/png") == 400
    assert upload(b"\x89PNG" + b"\0" * (1024 * 1024), "image/png") == 413
    assert upload(png(2500, 843), "image/png") == 200
    assert upload(png(2500, 843), "image/png") == 400


def test_jpeg_rich_menu_image_is_accepted(fake_line: FakeLine, fake_line_client: ApiClient) -> None:
    api = MessagingApi(fake_line_client)
    rich_menu_id = api.create_rich_menu(rich_menu_request(), _request_timeout=TIMEOUT).rich_menu_id
    buffer = io.BytesIO()
    Image.new("RGB", (2500, 843), "white").save(buffer, format="JPEG")

    MessagingApiBlob(fake_line_client).set_rich_menu_image(
        rich_menu_id, body=buffer.getvalue(), _headers={"Content-Type": "image/jpeg"}
    )

    assert len(fake_line.requests(f"/v2/bot/richmenu/{rich_menu_id}/content")) == 1


def test_menu_without_image_cannot_be_default_linked_or_aliased(fake_line_api: MessagingApi) -> None:
    rich_menu_id = fake_line_api.create_rich_menu(rich_menu_request(), _request_timeout=TIMEOUT).rich_menu_id

    for call in (
        lambda: fake_line_api.set_default_rich_menu(rich_menu_id, _request_timeout=TIMEOUT),
        lambda: fake_line_api.link_rich_menu_id_to_user(RESIDENT, rich_menu_id, _request_timeout=TIMEOUT),
        lambda: fake_line_api.create_rich_menu_alias(
            CreateRichMenuAliasRequest(rich_menu_alias_id="menu", rich_menu_id=rich_menu_id),
            _request_timeout=TIMEOUT,
        ),
    ):
        with pytest.raises(ApiException) as refused:
            call()
        assert refused.value.status == 400


def valid_rich_menu() -> dict[str, Any]:
    return {
        "size": {"width": 2500, "height": 843},
        "selected": False,
        "name": "menu",
        "chatBarText": "メニュー",
        "areas": [
            {
                "bounds": {"x": 0, "y": 0, "width": 2500, "height": 843},
                "action": {"type": "postback", "data": "a"},
            }
        ],
    }


def area(x: int) -> dict[str, Any]:
    return {
        "bounds": {"x": x, "y": 0, "width": 100, "height": 100},
        "action": {"type": "postback", "data": "a"},
    }


@pytest.mark.parametrize(
    ("change", "property_"),
    [
        pytest.param({"chatBarText": "あ" * 15}, "chatBarText", id="chat-bar-text-15"),
        pytest.param({"areas": [area(100 * n) for n in range(21)]}, "areas", id="21-areas"),
        pytest.param({"areas": [area(2450)]}, "areas[0].bounds", id="area-outside"),
        pytest.param({"size": {"width": 799, "height": 250}}, "size.width", id="width-799"),
        pytest.param({"size": {"width": 2501, "height": 843}}, "size.width", id="width-2501"),
        pytest.param({"size": {"width": 800, "height": 249}}, "size.height", id="height-249"),
        pytest.param({"size": {"width": 1200, "height": 1000}, "areas": []}, "size", id="ratio-below-1.45"),
        pytest.param(
            {"areas": [{**area(0), "action": {"type": "message", "label": "あ" * 21, "text": "a"}}]},
            "areas[0].action.label",
            id="action-label-21",
        ),
    ],
)
def test_rich_menus_over_line_limits_are_refused(
    fake_line: FakeLine, change: dict[str, Any], property_: str
) -> None:
    menu = {**valid_rich_menu(), **change}

    created = post(fake_line, "/v2/bot/richmenu", menu)
    validated = post(fake_line, "/v2/bot/richmenu/validate", menu)

    assert created.status_code == 400
    assert property_ in [detail["property"] for detail in created.json()["details"]]
    assert validated.status_code == 400


def test_valid_rich_menu_passes_validation(fake_line: FakeLine) -> None:
    response = post(fake_line, "/v2/bot/richmenu/validate", valid_rich_menu())

    assert (response.status_code, response.json()) == (200, {})


@pytest.mark.parametrize("alias_id", ["Main", "a" * 33, "メニュー", "tab.1"])
def test_alias_id_must_match_lines_pattern(fake_line: FakeLine, alias_id: str) -> None:
    response = post(fake_line, "/v2/bot/richmenu/alias", {"richMenuAliasId": alias_id, "richMenuId": "x"})

    assert response.status_code == 400


# --- the tester's side ----------------------------------------------------------------------------


def test_sim_requests_lists_accepted_requests_with_filters(fake_line: FakeLine) -> None:
    # Given one push with a retry key, one refused push and one multicast
    key = str(uuid.uuid4())
    post(fake_line, PUSH, {"to": RESIDENT, "messages": [text("1")]}, {"X-Line-Retry-Key": key})
    post(fake_line, PUSH, {"to": RESIDENT, "messages": [text("a" * 5001)]})
    post(fake_line, MULTICAST, {"to": [RESIDENT], "messages": [text("2")]})

    # When the tester lists requests, all and by path
    everything = requests.get(fake_line.url + "/_sim/requests", timeout=TIMEOUT).json()
    pushes = requests.get(fake_line.url + "/_sim/requests", params={"path": PUSH}, timeout=TIMEOUT).json()

    # Then only accepted requests appear, in order, with their parsed bodies and retry keys
    assert [r["path"] for r in everything] == [PUSH, MULTICAST]
    assert len(pushes) == 1
    assert pushes[0]["method"] == "POST"
    assert pushes[0]["body"] == {"to": RESIDENT, "messages": [text("1")]}
    assert pushes[0]["retryKey"] == key
    assert pushes[0]["id"]
    assert pushes[0]["at"]


def test_sim_messages_shows_what_a_resident_received(fake_line: FakeLine) -> None:
    # Given a simulated resident added over HTTP, who gets a reply, a push and a multicast
    requests.post(
        fake_line.url + "/_sim/users",
        json={"userId": OTHER_RESIDENT, "displayName": "戸塚 太郎"},
        timeout=TIMEOUT,
    )
    token = requests.post(
        fake_line.url + "/_sim/reply-tokens", json={"userId": OTHER_RESIDENT}, timeout=TIMEOUT
    ).json()["replyToken"]
    post(fake_line, REPLY, {"replyToken": token, "messages": [text("返信")]})
    post(fake_line, PUSH, {"to": OTHER_RESIDENT, "messages": [text("プッシュ")]})
    post(fake_line, MULTICAST, {"to": [OTHER_RESIDENT, RESIDENT], "messages": [text("一斉")]})

    # When the tester reads the resident's inbox
    inbox = requests.get(fake_line.url + f"/_sim/messages/{OTHER_RESIDENT}", timeout=TIMEOUT).json()

    # Then the messages are there in order, with how they came
    assert [(m["via"], m["message"]["text"]) for m in inbox] == [
        ("reply", "返信"),
        ("push", "プッシュ"),
        ("multicast", "一斉"),
    ]
    users = requests.get(fake_line.url + "/_sim/users", timeout=TIMEOUT).json()
    assert {u["userId"] for u in users} == {RESIDENT, OTHER_RESIDENT}


def test_sim_reset_clears_everything_but_residents(fake_line: FakeLine, fake_line_api: MessagingApi) -> None:
    # Given requests, a live token, a retry key and a rich menu
    token = fake_line.mint_reply_token()
    key = {"X-Line-Retry-Key": str(uuid.uuid4())}
    post(fake_line, PUSH, {"to": RESIDENT, "messages": [text()]}, key)
    fake_line_api.create_rich_menu(rich_menu_request(), _request_timeout=TIMEOUT)

    # When the tester resets
    requests.post(fake_line.url + "/_sim/reset", json={}, timeout=TIMEOUT)

    # Then all of it is gone, but the resident remains
    assert fake_line.requests() == []
    assert fake_line.messages_for(RESIDENT) == []
    assert post(fake_line, REPLY, {"replyToken": token, "messages": [text()]}).status_code == 400
    assert post(fake_line, PUSH, {"to": RESIDENT, "messages": [text()]}, key).status_code == 200
    assert fake_line_api.get_rich_menu_list(_request_timeout=TIMEOUT).richmenus == []
    assert fake_line_api.get_profile(RESIDENT, _request_timeout=TIMEOUT).user_id == RESIDENT

    # And a reset asked to, forgets residents too
    requests.post(fake_line.url + "/_sim/reset", json={"users": True}, timeout=TIMEOUT)
    assert fake_line.users() == []


def test_sim_refuses_a_malformed_user_id(fake_line: FakeLine) -> None:
    response = requests.post(
        fake_line.url + "/_sim/users", json={"userId": "someone", "displayName": "x"}, timeout=TIMEOUT
    )

    assert response.status_code == 400


def test_broadcast_reaches_every_simulated_resident(fake_line: FakeLine) -> None:
    fake_line.add_user(OTHER_RESIDENT, "戸塚 太郎")

    response = post(fake_line, "/v2/bot/message/broadcast", {"messages": [text("全員へ")]})

    assert (response.status_code, response.json()) == (200, {})
    assert len(fake_line.messages_for(RESIDENT)) == 1
    assert len(fake_line.messages_for(OTHER_RESIDENT)) == 1


def test_unknown_path_is_404(fake_line: FakeLine) -> None:
    response = post(fake_line, "/v2/bot/message/teleport", {})

    assert response.status_code == 404


def test_faults_for_every_endpoint_in_the_flat_form(fake_line: FakeLine) -> None:
    # Given every endpoint set to fail with a 500 (the flat form, with "*")
    requests.post(
        fake_line.url + "/_sim/faults", json={"seed": 3, "*": {"server_error": 1.0}}, timeout=TIMEOUT
    )

    # When the bot pushes and reads a profile
    push = post(fake_line, PUSH, {"to": RESIDENT, "messages": [text()]})
    profile = requests.get(
        fake_line.url + f"/v2/bot/profile/{RESIDENT}",
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=TIMEOUT,
    )

    # Then both fail as LINE would on a bad day, and nothing was recorded
    assert (push.status_code, profile.status_code) == (500, 500)
    assert fake_line.requests() == []


def test_unknown_fault_is_refused(fake_line: FakeLine) -> None:
    response = requests.post(
        fake_line.url + "/_sim/faults", json={"next": {"push": ["meteor_strike"]}}, timeout=TIMEOUT
    )

    assert response.status_code == 400


def test_rich_menu_count_is_capped_at_1000(fake_line: FakeLine) -> None:
    # Given the channel already holds 1,000 rich menus
    for _ in range(1000):
        fake_line.app.richmenus.create(valid_rich_menu())

    # When the bot creates one more
    response = post(fake_line, "/v2/bot/richmenu", valid_rich_menu())

    # Then LINE refuses it
    assert response.status_code == 400


def test_alias_ids_are_unique(fake_line_client: ApiClient, fake_line_api: MessagingApi) -> None:
    rich_menu_id = fake_line_api.create_rich_menu(rich_menu_request(), _request_timeout=TIMEOUT).rich_menu_id
    MessagingApiBlob(fake_line_client).set_rich_menu_image(
        rich_menu_id, body=png(2500, 843), _headers={"Content-Type": "image/png"}
    )
    alias = CreateRichMenuAliasRequest(rich_menu_alias_id="main", rich_menu_id=rich_menu_id)
    fake_line_api.create_rich_menu_alias(alias, _request_timeout=TIMEOUT)

    with pytest.raises(ApiException) as conflict:
        fake_line_api.create_rich_menu_alias(alias, _request_timeout=TIMEOUT)

    assert conflict.value.status == 400
