"""`python -m staff.richmenu.deploy` against the fake LINE: both menus of every language, aliases, default,
no orphans, and residents reading other languages relinked on a switch."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from linebot.v3.messaging import (
    ApiClient,
    Configuration,
    CreateRichMenuAliasRequest,
    MessagingApi,
    MessagingApiBlob,
    RichMenuRequest,
    RichMenuSize,
)
from moto import mock_aws

from civicline.adapters.line.richmenu_links import LineRichMenuLinks
from civicline.models.language import Language
from civicline.richmenu.definition import RichMenu, RichMenus, all_rich_menus, rich_menus
from civicline.richmenu.deployer import apply_mode, line_name
from civicline.services.richmenu_mode import ResidentMenus
from devstack.fake_line import FakeLine
from staff.richmenu import deploy

TOKEN = "civicline-dev-access-token"
TIMEOUT = (3.05, 10.0)
EVERY_MENU: list[RichMenu] = [menu for pair in all_rich_menus() for menu in pair.all()]
OURS = 2 * len(Language)  # a normal and a disaster menu per language


@pytest.fixture
def fake_line() -> Iterator[FakeLine]:
    fake = FakeLine(host="127.0.0.1", port=0, channel_access_token=TOKEN)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def line_api(fake_line: FakeLine) -> Iterator[MessagingApi]:
    with ApiClient(Configuration(host=fake_line.url, access_token=TOKEN)) as client:
        yield MessagingApi(client)


@pytest.fixture
def menus() -> RichMenus:
    return rich_menus()


def _menus_on_line(api: MessagingApi) -> dict[str, str]:
    """Menu name by id."""
    return {
        menu.rich_menu_id: menu.name for menu in api.get_rich_menu_list(_request_timeout=TIMEOUT).richmenus
    }


def _aliases_on_line(api: MessagingApi) -> dict[str, str]:
    """Menu id by alias id."""
    aliases = api.get_rich_menu_alias_list(_request_timeout=TIMEOUT).aliases
    return {alias.rich_menu_alias_id: alias.rich_menu_id for alias in aliases}


def _default_menu(api: MessagingApi) -> str:
    return api.get_default_rich_menu_id(_request_timeout=TIMEOUT).rich_menu_id


def _main(fake_line: FakeLine, *extra: str) -> int:
    return deploy.main(["--line-host", fake_line.url, *extra])


def test_deploy_creates_both_menus_with_images_aliases_and_normal_default(
    fake_line: FakeLine, line_api: MessagingApi, menus: RichMenus
) -> None:
    # Given an account without menus
    # When the menus are deployed
    assert _main(fake_line) == 0

    # Then exactly our two menus per language exist, each with its language's committed image
    on_line = _menus_on_line(line_api)
    assert sorted(on_line.values()) == sorted(line_name(menu) for menu in EVERY_MENU)
    with ApiClient(Configuration(host=fake_line.url, access_token=TOKEN)) as client:
        blob = MessagingApiBlob(client)
        for menu_id, name in on_line.items():
            menu = next(m for m in EVERY_MENU if line_name(m) == name)
            assert blob.get_rich_menu_image(menu_id, _request_timeout=TIMEOUT) == menu.image_path.read_bytes()
    # And each alias points at its menu, and the default language's normal menu is the default
    by_name = {name: menu_id for menu_id, name in on_line.items()}
    aliases = _aliases_on_line(line_api)
    for menu in EVERY_MENU:
        assert aliases[menu.alias_id] == by_name[line_name(menu)]
    assert _default_menu(line_api) == by_name[line_name(menus.normal)]
    # And the areas LINE holds are the definition's
    stored = line_api.get_rich_menu(by_name[line_name(menus.disaster)], _request_timeout=TIMEOUT)
    assert stored.chat_bar_text == menus.disaster.chat_bar_text
    assert [area.action.label for area in stored.areas] == [area.label for area in menus.disaster.areas]


def test_redeploy_keeps_unchanged_menus_replaces_changed_ones_and_leaves_others_alone(
    fake_line: FakeLine, line_api: MessagingApi, menus: RichMenus
) -> None:
    # Given a deployed account that also holds a menu someone made by hand
    assert _main(fake_line) == 0
    first = set(_menus_on_line(line_api))
    foreign = line_api.create_rich_menu(
        RichMenuRequest(
            size=RichMenuSize(width=2500, height=843),
            selected=False,
            name="campaign",
            chat_bar_text="x",
            areas=[],
        ),
        _request_timeout=TIMEOUT,
    ).rich_menu_id

    # When the menus are deployed again, unchanged
    assert _main(fake_line) == 0

    # Then ours are the same menus (residents keep their links; nothing created or deleted), and the
    # hand-made menu remains
    on_line = _menus_on_line(line_api)
    ours = {menu_id for menu_id, name in on_line.items() if name.startswith(menus.name_prefix)}
    assert ours == first
    assert foreign in on_line

    # When one menu's wording changed (the default language's chat bar) and the menus are deployed
    changed = list(all_rich_menus())
    normal = changed[0].normal.model_copy(update={"chat_bar_text": "めにゅう"})
    changed[0] = changed[0].model_copy(update={"normal": normal})
    report = apply_mode("normal", fake_line.url, TOKEN, tuple(changed))

    # Then that menu alone is replaced, and its alias and the default follow it
    on_line = _menus_on_line(line_api)
    ours = {menu_id for menu_id, name in on_line.items() if name.startswith(menus.name_prefix)}
    assert len(ours) == OURS
    assert len(report.created) == len(report.deleted) == 1
    assert ours - first == set(report.created)
    assert _aliases_on_line(line_api)[menus.normal.alias_id] == report.created[0]
    assert _default_menu(line_api) == report.created[0]
    assert foreign in on_line


def test_deploy_removes_orphans_left_by_an_interrupted_run(
    fake_line: FakeLine, line_api: MessagingApi, menus: RichMenus
) -> None:
    # Given menus of ours that an earlier, interrupted run created but never finished
    for menu in menus.all():
        line_api.create_rich_menu(menu.to_line_request(), _request_timeout=TIMEOUT)

    # When the menus are deployed
    assert _main(fake_line) == 0

    # Then only the complete menus remain, two per language
    assert len(_menus_on_line(line_api)) == OURS


def test_disaster_mode_switches_the_default_without_recreating(
    fake_line: FakeLine, line_api: MessagingApi, menus: RichMenus
) -> None:
    # Given deployed menus
    assert _main(fake_line) == 0
    before = _menus_on_line(line_api)
    aliases = _aliases_on_line(line_api)

    # When staff switch to 防災モード
    assert _main(fake_line, "--mode", "disaster") == 0

    # Then the disaster menu is everyone's default and no menu was created or deleted
    assert _default_menu(line_api) == aliases[menus.disaster.alias_id]
    assert _menus_on_line(line_api) == before

    # When staff switch back
    assert _main(fake_line, "--mode", "normal") == 0

    # Then the normal menu is the default again, still exactly two of ours per language
    assert _default_menu(line_api) == _aliases_on_line(line_api)[menus.normal.alias_id]
    assert len(_menus_on_line(line_api)) == OURS


def test_disaster_mode_deploys_first_when_menus_are_missing(
    fake_line: FakeLine, line_api: MessagingApi, menus: RichMenus
) -> None:
    # Given an account without our menus
    # When staff switch to 防災モード
    assert _main(fake_line, "--mode", "disaster") == 0

    # Then both menus of every language exist and the disaster menu is the default
    on_line = _menus_on_line(line_api)
    assert len(on_line) == OURS
    assert on_line[_default_menu(line_api)] == line_name(menus.disaster)


def test_disaster_mode_redeploys_when_an_alias_points_elsewhere(
    fake_line: FakeLine, line_api: MessagingApi, menus: RichMenus
) -> None:
    # Given an alias of ours that points at a menu that is not ours (someone edited it by hand)
    assert _main(fake_line) == 0
    line_api.delete_rich_menu_alias(menus.disaster.alias_id, _request_timeout=TIMEOUT)
    with ApiClient(Configuration(host=fake_line.url, access_token=TOKEN)) as client:
        stray = line_api.create_rich_menu(
            RichMenuRequest(
                size=RichMenuSize(width=2500, height=1686),
                selected=False,
                name="other",
                chat_bar_text="x",
                areas=[],
            ),
            _request_timeout=TIMEOUT,
        ).rich_menu_id
        MessagingApiBlob(client).set_rich_menu_image(
            stray,
            menus.disaster.image_path.read_bytes(),
            _headers={"Content-Type": "image/png"},
            _request_timeout=TIMEOUT,
        )
    line_api.create_rich_menu_alias(
        CreateRichMenuAliasRequest(rich_menu_alias_id=menus.disaster.alias_id, rich_menu_id=stray),
        _request_timeout=TIMEOUT,
    )

    # When staff switch to 防災モード
    assert _main(fake_line, "--mode", "disaster") == 0

    # Then the default is our disaster menu, not the stray one
    on_line = _menus_on_line(line_api)
    assert on_line[_default_menu(line_api)] == line_name(menus.disaster)
    assert _aliases_on_line(line_api)[menus.disaster.alias_id] != stray


def test_deploy_fails_clearly_with_a_wrong_token(
    fake_line: FakeLine, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a token LINE does not accept
    # When the menus are deployed with it
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(deploy.TOKEN_ENV, "not-the-token")
        code = _main(fake_line)

    # Then the command fails, says which step and status, and does not echo the token
    assert code == 1
    error = capsys.readouterr().err
    assert "401" in error
    assert "not-the-token" not in error


def test_real_line_needs_an_explicit_token_source(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given no local host and no token option
    monkeypatch.delenv(deploy.TOKEN_ENV, raising=False)
    # When the token is resolved, Then the dev token is never sent to real LINE
    with pytest.raises(deploy.DeployError, match="--token-from-env"):
        deploy.access_token(None, token_from_env=False, secret_id=None)
    assert deploy.access_token("http://127.0.0.1:3001", False, None) == TOKEN


def test_token_is_issued_from_the_stack_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the stack's LINE secret in Secrets Manager (channel id and secret, as staff enter them)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-northeast-1")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    channel = {"channelId": "1234", "channelSecret": "s" * 32}
    fake = FakeLine(port=0, channel_access_token="issued", channel_id="1234", channel_secret="s" * 32).start()
    try:
        with mock_aws():
            secrets = boto3.client("secretsmanager", region_name="ap-northeast-1")
            secrets.create_secret(Name="civicline/line", SecretString=json.dumps(channel))
            # When the deploy resolves its token with --secret-id, Then LINE issued it from the secret
            assert deploy.access_token(fake.url, token_from_env=False, secret_id="civicline/line") == "issued"
            # And a secret LINE does not recognise is a clear error that quotes no secret
            wrong = {**channel, "channelSecret": "t" * 32}
            secrets.put_secret_value(SecretId="civicline/line", SecretString=json.dumps(wrong))
            with pytest.raises(deploy.DeployError, match="HTTP 400") as refused:
                deploy.access_token(fake.url, token_from_env=False, secret_id="civicline/line")
            assert "t" * 32 not in str(refused.value)
            # And a missing secret is a clear error, not a traceback
            with pytest.raises(deploy.DeployError, match="could not read secret"):
                deploy.access_token(None, token_from_env=False, secret_id="missing")
    finally:
        fake.stop()


def _users_table(residents: dict[str, tuple[str | None, str]]) -> str:
    """A Users table (moto) holding `userId → (language or absent, status)`."""
    dynamodb = boto3.client("dynamodb", region_name="ap-northeast-1")
    dynamodb.create_table(
        TableName="Users",
        KeySchema=[{"AttributeName": "userId", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "userId", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for user_id, (language, status) in residents.items():
        item = {"userId": {"S": user_id}, "status": {"S": status}}
        if language is not None:
            item["language"] = {"S": language}
        dynamodb.put_item(TableName="Users", Item=item)
    return "Users"


def test_the_disaster_switch_reaches_residents_of_every_language_and_switching_back_restores_theirs(
    fake_line: FakeLine, line_api: MessagingApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-northeast-1")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    readers = {f"U{n:032x}": lang for n, lang in enumerate([Language.EN, Language.ZH_HANS, Language.MY] * 3)}
    japanese, unset, blocked = (f"U{n:032x}" for n in (100, 101, 102))
    with mock_aws():
        # Given residents reading English, Chinese and Burmese, Japanese ones, and a blocked one
        table = _users_table(
            {
                **{user: (lang.value, "active") for user, lang in readers.items()},
                japanese: ("ja", "active"),
                unset: (None, "active"),
                blocked: ("ko", "blocked"),
            }
        )

        # When staff switch to 防災モード
        assert _main(fake_line, "--mode", "disaster", "--users-table", table) == 0

        # Then each reader of another language sees their language's disaster menu, in one bulk call
        # per language, and the Japanese readers the default (the Japanese disaster menu)
        aliases = _aliases_on_line(line_api)
        links = fake_line.app.richmenus.links()
        assert links == {user: aliases[rich_menus(lang).disaster.alias_id] for user, lang in readers.items()}
        assert len(fake_line.app.state.requests(path="/v2/bot/richmenu/bulk/link")) == 3
        assert _default_menu(line_api) == aliases[rich_menus().disaster.alias_id]

        # When staff switch back, Then each sees their language's normal menu again (new menus: a
        # normal deploy replaces them, so the links are made again)
        assert _main(fake_line, "--mode", "normal", "--users-table", table) == 0
        aliases = _aliases_on_line(line_api)
        links = fake_line.app.richmenus.links()
        assert links == {user: aliases[rich_menus(lang).normal.alias_id] for user, lang in readers.items()}


def test_a_resident_changing_language_gets_that_language_menu_of_the_current_mode(
    fake_line: FakeLine, line_api: MessagingApi
) -> None:
    # Given deployed menus, in 通常 mode
    assert _main(fake_line) == 0
    resident, other = "U" + "a" * 32, "U" + "b" * 32
    with ApiClient(Configuration(host=fake_line.url, access_token=TOKEN)) as client:
        menus = ResidentMenus(LineRichMenuLinks(lambda: MessagingApi(client)))
        # When a resident chooses English (what the chat calls on a language change)
        menus.link_resident(resident, Language.EN)
        # Then LINE shows them the English normal menu
        aliases = _aliases_on_line(line_api)
        assert (
            line_api.get_rich_menu_id_of_user(resident, _request_timeout=TIMEOUT).rich_menu_id
            == (aliases[rich_menus(Language.EN).normal.alias_id])
        )
        # When the ward is in 防災 mode and another resident chooses Tiếng Việt
        assert _main(fake_line, "--mode", "disaster") == 0
        menus.link_resident(other, Language.VI)
        # Then they see the Vietnamese disaster menu
        assert fake_line.app.richmenus.links()[other] == aliases[rich_menus(Language.VI).disaster.alias_id]
        # And a resident going back to Japanese is unlinked: the default shows
        menus.link_resident(resident, Language.JA)
        assert resident not in fake_line.app.richmenus.links()
