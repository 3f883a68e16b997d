"""Following, re-following and blocking the account; what the dispatcher answers to everything else."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests.unit.residents.residents_fakes import NOW, PRIVACY_URL, USER, World, context

from civicline.domain.chat.inbound import Inbound, InboundKind
from civicline.domain.chat.replies import NOTHING, Action, Answer, TextReply, WhenStale
from civicline.domain.residents.ports import Profile, SettingItem
from civicline.messages import text
from civicline.models.resident import FollowStatus


def follow(unblocked: bool = False, at_ms: int | None = None) -> Inbound:
    ctx = context()
    if at_ms is not None:
        ctx = replace(ctx, timestamp_ms=at_ms)
    return Inbound(kind=InboundKind.FOLLOW, context=ctx, unblocked=unblocked)


def unfollow(at_ms: int) -> Inbound:
    return Inbound(kind=InboundKind.UNFOLLOW, context=replace(context(), timestamp_ms=at_ms))


def greeting_of(outcome: Answer) -> TextReply:
    (reply,) = outcome.replies
    assert isinstance(reply, TextReply)
    return reply


def test_a_new_follower_is_recorded_and_greeted(world: World) -> None:
    # Given LINE knows the resident's profile
    world.profiles.profiles[USER] = Profile(display_name="山田", picture_url="https://profile.example/a.png")
    # When they follow the account
    outcome = world.dispatcher.dispatch(follow())
    # Then they are active with their profile, and greeted with the privacy notice, 受信設定 and how to
    # change the language (Japanese: LINE gave none)
    resident = world.residents.get(USER)
    assert resident is not None
    assert resident.status is FollowStatus.ACTIVE
    assert resident.display_name == "山田"
    assert resident.language == "ja"
    greeting = greeting_of(outcome)
    assert greeting.text == "\n".join(
        (
            text("residents.greeting", privacy_notice_url=PRIVACY_URL),
            "",
            text("language.greeting_hint", language="日本語"),
        )
    )
    assert PRIVACY_URL in greeting.text
    assert [a.label for a in greeting.quick_replies] == ["受信設定", "言語 / Language"]
    assert outcome.when_stale is WhenStale.PUSH


def test_a_follower_without_a_profile_is_still_recorded(world: World) -> None:
    world.dispatcher.dispatch(follow())
    resident = world.residents.get(USER)
    assert resident is not None
    assert resident.display_name is None


def test_a_returning_follower_keeps_settings_and_is_welcomed_back(world: World) -> None:
    # Given a resident with settings who blocked the account
    world.dispatcher.dispatch(follow(at_ms=1_000))
    world.residents.set_setting(USER, SettingItem.AREA, "kashiwagi", NOW)
    world.dispatcher.dispatch(unfollow(at_ms=2_000))
    assert world.residents.get(USER).status is FollowStatus.BLOCKED  # type: ignore[union-attr]
    # When they unblock it
    outcome = world.dispatcher.dispatch(follow(unblocked=True, at_ms=3_000))
    # Then they are active again with their settings, and told welcome back
    resident = world.residents.get(USER)
    assert resident is not None
    assert resident.status is FollowStatus.ACTIVE
    assert resident.settings.area == "kashiwagi"
    assert greeting_of(outcome).text == text("residents.welcome_back")


def test_a_late_follow_does_not_undo_a_later_block(world: World) -> None:
    world.dispatcher.dispatch(follow(at_ms=1_000))
    world.dispatcher.dispatch(unfollow(at_ms=5_000))
    # When a redelivered follow older than the block arrives
    outcome = world.dispatcher.dispatch(follow(at_ms=4_000))
    # Then the resident stays blocked and nothing is said
    assert world.residents.get(USER).status is FollowStatus.BLOCKED  # type: ignore[union-attr]
    assert outcome.replies == ()


def test_unfollow_answers_nothing(world: World) -> None:
    world.dispatcher.dispatch(follow(at_ms=1_000))
    assert world.dispatcher.dispatch(unfollow(at_ms=2_000)) == NOTHING


@pytest.mark.parametrize("message_type", ["sticker", "image", "video", "audio", "file", "location"])
def test_other_messages_get_a_help_line_that_is_not_pushed_late(world: World, message_type: str) -> None:
    outcome = world.dispatcher.dispatch(
        Inbound(kind=InboundKind.MESSAGE, context=context(), message_type=message_type)
    )
    assert greeting_of(outcome).text == text("help.fallback")
    assert [a.label for a in greeting_of(outcome).quick_replies] == ["受信設定", "言語 / Language"]
    assert outcome.when_stale is WhenStale.DROP
    assert world.residents.get(USER) is None


def test_groups_standby_and_other_events_get_nothing(world: World) -> None:
    group = replace(context(), one_to_one=False)
    assert (
        world.dispatcher.dispatch(Inbound(kind=InboundKind.TEXT, context=group, text="受信設定")) == NOTHING
    )
    standby = context(mode="standby")
    assert (
        world.dispatcher.dispatch(Inbound(kind=InboundKind.TEXT, context=standby, text="受信設定")) == NOTHING
    )
    assert world.dispatcher.dispatch(Inbound(kind=InboundKind.OTHER, context=context())) == NOTHING


def test_features_plug_in_by_command_postback_and_flow(world: World) -> None:
    # Given a form feature registered next to the residents features
    said = Answer(replies=(TextReply("form"),))
    world.dispatcher.text_command("電子申請", lambda inbound: said)
    world.dispatcher.postback_action("apply_menu", lambda inbound, params: said)
    world.dispatcher.flow("form", lambda inbound, conversation: said)
    world.dispatcher.postback_prefix("form:", lambda inbound: said)
    world.dispatcher.menu_item(Action(label="電子申請", data="action=apply_menu"))
    # Then its command (any width), postback and open conversation reach it
    text_event = Inbound(kind=InboundKind.TEXT, context=context(), text="　電子申請 ")
    assert world.dispatcher.dispatch(text_event) is said
    postback = Inbound(kind=InboundKind.POSTBACK, context=context(), postback_data="action=apply_menu&f=koho")
    assert world.dispatcher.dispatch(postback) is said
    form_postback = Inbound(kind=InboundKind.POSTBACK, context=context(), postback_data="form:name")
    assert world.dispatcher.dispatch(form_postback) is said
    world.conversations.save(USER, "form", {}, 0)
    assert (
        world.dispatcher.dispatch(Inbound(kind=InboundKind.TEXT, context=context(), text="山田太郎")) is said
    )
    # And the help reply offers it
    help_reply = world.dispatcher.dispatch(Inbound(kind=InboundKind.MESSAGE, context=context()))
    assert [a.label for a in greeting_of(help_reply).quick_replies] == [
        "受信設定",
        "言語 / Language",
        "電子申請",
    ]
    # And a second handler for the same command is refused
    with pytest.raises(ValueError, match="already has a handler"):
        world.dispatcher.text_command("電子申請", lambda inbound: said)
