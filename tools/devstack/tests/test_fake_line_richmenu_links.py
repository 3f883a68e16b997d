"""The fake LINE's per-user rich menu links, single and bulk, with LINE's limits (500 ids a call, rates)."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
import requests
from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    Configuration,
    MessagingApi,
    MessagingApiBlob,
    PostbackAction,
    RichMenuArea,
    RichMenuBounds,
    RichMenuBulkLinkRequest,
    RichMenuBulkUnlinkRequest,
    RichMenuRequest,
    RichMenuSize,
)
from PIL import Image

from devstack.fake_line import FakeLine

TOKEN = "civicline-dev-access-token"
TIMEOUT = (3, 10)
BULK_LINK = "/v2/bot/richmenu/bulk/link"


def user_id(n: int) -> str:
    return f"U{n:032x}"


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def rich_menu_request(name: str) -> RichMenuRequest:
    area = RichMenuArea(
        bounds=RichMenuBounds(x=0, y=0, width=2500, height=843),
        action=PostbackAction(label="言語", data="action=language"),
    )
    return RichMenuRequest(
        size=RichMenuSize(width=2500, height=843),
        selected=True,
        name=name,
        chat_bar_text="メニュー",
        areas=[area],
    )


@pytest.fixture(scope="module")
def fake_line() -> Iterator[FakeLine]:
    fake = FakeLine(host="127.0.0.1", port=0, channel_access_token=TOKEN)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def api(fake_line: FakeLine) -> Iterator[MessagingApi]:
    fake_line.reset(users=True)
    with ApiClient(Configuration(host=fake_line.url, access_token=TOKEN)) as client:
        yield MessagingApi(client)


def _menu(fake_line: FakeLine, api: MessagingApi, name: str = "menu") -> str:
    rich_menu_id: str = api.create_rich_menu(rich_menu_request(name), _request_timeout=TIMEOUT).rich_menu_id
    with ApiClient(Configuration(host=fake_line.url, access_token=TOKEN)) as client:
        MessagingApiBlob(client).set_rich_menu_image(
            rich_menu_id, body=png(2500, 843), _headers={"Content-Type": "image/png"}
        )
    return rich_menu_id


def test_bulk_link_gives_500_residents_the_menu_in_one_call_and_is_recorded(
    fake_line: FakeLine, api: MessagingApi
) -> None:
    # Given a menu with its image
    menu = _menu(fake_line, api)
    residents = [user_id(n) for n in range(500)]

    # When it is linked to 500 residents in one call
    api.link_rich_menu_id_to_users(
        RichMenuBulkLinkRequest(rich_menu_id=menu, user_ids=residents), _request_timeout=TIMEOUT
    )

    # Then each of them has it, and the call is recorded as LINE accepted it
    assert fake_line.app.richmenus.links() == dict.fromkeys(residents, menu)
    assert api.get_rich_menu_id_of_user(residents[499], _request_timeout=TIMEOUT).rich_menu_id == menu
    (recorded,) = fake_line.app.state.requests(path=BULK_LINK)
    assert recorded.to_json()["body"] == {"richMenuId": menu, "userIds": residents}

    # And a bulk unlink takes them back to the default
    api.unlink_rich_menu_id_from_users(
        RichMenuBulkUnlinkRequest(user_ids=residents[:10]), _request_timeout=TIMEOUT
    )
    assert len(fake_line.app.richmenus.links()) == 490


@pytest.mark.parametrize("count", [0, 501])
def test_bulk_link_refuses_no_residents_or_more_than_500(
    fake_line: FakeLine, api: MessagingApi, count: int
) -> None:
    menu = _menu(fake_line, api)
    answer = requests.post(
        fake_line.url + BULK_LINK,
        json={"richMenuId": menu, "userIds": [user_id(n) for n in range(count)]},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=TIMEOUT,
    )
    assert answer.status_code == 400
    assert answer.json()["details"][0]["property"] == "userIds"
    assert fake_line.app.richmenus.links() == {}


def test_bulk_link_refuses_a_menu_without_image_or_a_malformed_user_id(
    fake_line: FakeLine, api: MessagingApi
) -> None:
    bare = api.create_rich_menu(rich_menu_request("bare"), _request_timeout=TIMEOUT).rich_menu_id
    with pytest.raises(ApiException) as no_image:
        api.link_rich_menu_id_to_users(
            RichMenuBulkLinkRequest(rich_menu_id=bare, user_ids=[user_id(1)]), _request_timeout=TIMEOUT
        )
    assert no_image.value.status == 400
    menu = _menu(fake_line, api, "with image")
    with pytest.raises(ApiException) as malformed:
        api.link_rich_menu_id_to_users(
            RichMenuBulkLinkRequest(rich_menu_id=menu, user_ids=[user_id(1), "someone"]),
            _request_timeout=TIMEOUT,
        )
    assert malformed.value.status == 400
    assert fake_line.app.richmenus.links() == {}


def test_bulk_link_beyond_its_rate_is_answered_429(fake_line: FakeLine, api: MessagingApi) -> None:
    # Given LINE's bulk-link rate set to one a second
    menu = _menu(fake_line, api)
    fake_line.app.rate_limiter.configure({"richmenu_bulk_link": 1.0})
    request = RichMenuBulkLinkRequest(rich_menu_id=menu, user_ids=[user_id(1)])
    api.link_rich_menu_id_to_users(request, _request_timeout=TIMEOUT)
    # When a second call follows at once, Then LINE refuses it for the rate
    with pytest.raises(ApiException) as refused:
        api.link_rich_menu_id_to_users(request, _request_timeout=TIMEOUT)
    assert refused.value.status == 429
