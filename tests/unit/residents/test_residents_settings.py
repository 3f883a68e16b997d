"""受信設定 driven through the dispatcher, with in-memory stores."""

from __future__ import annotations

from collections import deque
from datetime import datetime

from tests.unit.residents.residents_fakes import NOW, USER, World, postback_in, sticker_in, text_in

from civicline.domain.chat.inbound import Inbound, InboundKind
from civicline.domain.chat.postbacks import decode
from civicline.domain.chat.replies import (
    CARD_LABEL_MAX,
    POSTBACK_DATA_MAX_BYTES,
    QUICK_REPLY_LABEL_MAX,
    QUICK_REPLY_MAX_ITEMS,
    Action,
    Answer,
    Card,
    TextReply,
    WhenStale,
)
from civicline.domain.residents.ports import SettingItem
from civicline.domain.residents.settings import FLOW
from civicline.messages import text
from civicline.models.resident import ReceptionSettings


def only_text(outcome: Answer) -> TextReply:
    assert len(outcome.replies) == 1
    reply = outcome.replies[0]
    assert isinstance(reply, TextReply)
    return reply


def tap(world: World, outcome: Answer, label: str) -> Answer:
    """The resident taps the quick reply labelled `label` (or a card button)."""
    actions = [a for r in outcome.replies if isinstance(r, TextReply) for a in r.quick_replies]
    actions += [row.action for r in outcome.replies if isinstance(r, Card) for row in r.rows if row.action]
    actions += [b for r in outcome.replies if isinstance(r, Card) for b in r.buttons]
    chosen = [a for a in actions if a.label == label]
    assert chosen, f"no action labelled {label!r} in {[a.label for a in actions]}"
    return world.dispatcher.dispatch(postback_in(chosen[0].data))


def settings_of(world: World) -> ReceptionSettings:
    resident = world.residents.get(USER)
    assert resident is not None
    return resident.settings


def test_newcomer_answers_every_question_with_quick_replies(world: World) -> None:
    # Given a resident who has never set anything
    # When they type 「受信設定」 and answer each question by tapping
    asked = world.dispatcher.dispatch(text_in("受信設定"))
    assert "生まれ年" in only_text(asked).text
    asked = tap(world, asked, "1970年代")
    asked = tap(world, asked, "1975年（昭和50年）")
    assert "性別" in only_text(asked).text
    asked = tap(world, asked, "女性")
    assert "地域" in only_text(asked).text
    asked = tap(world, asked, "大久保")
    assert "分野" in only_text(asked).text
    asked = tap(world, asked, "防災・安全")
    asked = tap(world, asked, "健康・福祉")
    assert "防災・安全、健康・福祉" in only_text(asked).text
    done = tap(world, asked, "完了")
    # Then everything is stored, the conversation is closed and the card shows it back
    assert settings_of(world) == ReceptionSettings(
        birth_year=1975, gender="female", area="okubo", genres=frozenset({"bousai", "kenko"})
    )
    assert world.conversations.load(USER) is None
    said, card = done.replies
    assert isinstance(said, TextReply)
    assert said.text == text("settings.completed")
    assert isinstance(card, Card)
    assert [row.value for row in card.rows] == [
        "1975年（昭和50年）",
        "女性",
        "大久保",
        "防災・安全、健康・福祉",
        "日本語",
    ]
    assert done.when_stale is WhenStale.PUSH


def test_every_question_can_be_skipped(world: World) -> None:
    # Given the four questions, When the resident answers 回答しない to each
    asked = world.dispatcher.dispatch(text_in("受信設定"))
    for _ in range(4):
        asked = tap(world, asked, "回答しない")
    # Then nothing is recorded, and the settings are complete
    assert settings_of(world) == ReceptionSettings()
    assert only_text(Answer(replies=asked.replies[:1])).text == text("settings.completed")


def test_a_typed_japanese_year_answers_the_open_question(world: World) -> None:
    # Given the birth-year question is open
    world.dispatcher.dispatch(text_in("受信設定"))
    # When the resident types a 和暦 year in full-width digits
    asked = world.dispatcher.dispatch(text_in("昭和５０年"))
    # Then the year is stored and the next question comes
    assert settings_of(world).birth_year == 1975
    assert "性別" in only_text(asked).text
    assert world.conversations.load(USER) is not None
    assert world.conversations.load(USER).state == {"item": "gender", "wizard": True}  # type: ignore[union-attr]


def test_an_impossible_year_is_asked_again_with_the_reason(world: World) -> None:
    world.dispatcher.dispatch(text_in("受信設定"))
    # When the resident types a year an era never had, then one in the future
    again = world.dispatcher.dispatch(text_in("昭和70年"))
    assert only_text(again).text.startswith(text("settings.invalid.no_such_era_year"))
    again = world.dispatcher.dispatch(text_in("2999"))
    assert "1900年から2025年" in only_text(again).text
    # Then nothing is stored and the question stays open with its quick replies
    assert world.residents.get(USER) is None
    assert only_text(again).quick_replies
    assert world.conversations.load(USER).state["item"] == "birth_year"  # type: ignore[union-attr]


def test_changing_one_item_keeps_the_others(world: World) -> None:
    # Given complete settings
    world.residents.set_setting(USER, SettingItem.BIRTH_YEAR, 1980, _now())
    world.residents.set_setting(USER, SettingItem.GENDER, "male", _now())
    world.residents.set_setting(USER, SettingItem.AREA, "yotsuya", _now())
    world.residents.set_genres(USER, frozenset({"koho"}), _now())
    # When the resident opens the card and changes only the area
    card = world.dispatcher.dispatch(text_in("受信設定"))
    assert isinstance(card.replies[0], Card)
    asked = world.dispatcher.dispatch(postback_in("action=settings&item=area"))
    done = tap(world, asked, "戸塚")
    # Then only the area changed, and the updated card follows a short confirmation
    assert settings_of(world) == ReceptionSettings(
        birth_year=1980, gender="male", area="totsuka", genres=frozenset({"koho"})
    )
    assert only_text(Answer(replies=done.replies[:1])).text == text("settings.saved")
    assert world.conversations.load(USER) is None


def test_a_genre_toggle_applied_twice_is_applied_once(world: World) -> None:
    # Given the genre question, When the same toggle postback arrives twice (a retry)
    toggle = "action=settings&item=genres&g=kosodate&on=1"
    world.dispatcher.dispatch(postback_in(toggle))
    world.dispatcher.dispatch(postback_in(toggle))
    # Then the genre is selected once, and the opposite toggle twice leaves none
    assert settings_of(world).genres == frozenset({"kosodate"})
    off = "action=settings&item=genres&g=kosodate&on=0"
    world.dispatcher.dispatch(postback_in(off))
    again = world.dispatcher.dispatch(postback_in(off))
    assert settings_of(world).genres is None
    assert text("settings.genres.none_selected") in only_text(again).text


def test_unknown_values_are_asked_again_not_stored(world: World) -> None:
    asked = world.dispatcher.dispatch(postback_in("action=settings&item=area&v=atlantis"))
    assert only_text(asked).text.startswith(text("settings.invalid.choice"))
    asked = world.dispatcher.dispatch(postback_in("action=settings&item=genres&g=atlantis&on=1"))
    assert world.residents.get(USER) is None


def test_a_settings_question_during_a_form_is_answered_and_the_form_is_put_back(world: World) -> None:
    # Given a form in progress holds the resident's conversation
    world.conversations.save(USER, "form", {"step": "name"}, 0)
    # When the resident opens 受信設定 and types a birth year
    asked = world.dispatcher.dispatch(text_in("受信設定"))
    assert "生まれ年" in only_text(asked).text
    world.dispatcher.dispatch(text_in("1990"))
    # Then the typed year answers the question asked last (the birth year), not the form
    assert settings_of(world).birth_year == 1990
    # And once 受信設定 is left, the form's conversation is open again as it was
    world.dispatcher.dispatch(text_in("やめる"))
    reopened = world.conversations.load(USER)
    assert reopened is not None
    assert (reopened.flow, reopened.state) == ("form", {"step": "name"})


def test_cancel_or_back_typed_in_a_single_change_leaves_the_setting_as_it_was(world: World) -> None:
    # Given a resident with a birth year who taps 変更 on the birth year
    world.residents.set_setting(USER, SettingItem.BIRTH_YEAR, 1980, _now())
    for typed in ("やめる", "キャンセル", "戻る"):
        world.dispatcher.dispatch(postback_in("action=settings&item=birth_year"))
        # When they type a command word instead of a year
        answer = world.dispatcher.dispatch(text_in(typed))
        # Then the change is dropped, they are told so, and the year is kept
        assert answer.replies[0].text == text("settings.cancelled")  # type: ignore[union-attr]
        assert settings_of(world).birth_year == 1980
        assert world.conversations.load(USER) is None


def test_back_typed_in_the_four_questions_asks_the_previous_one(world: World) -> None:
    world.dispatcher.dispatch(text_in("受信設定"))
    world.dispatcher.dispatch(text_in("1990"))  # now asks the gender
    asked = world.dispatcher.dispatch(text_in("戻る"))
    assert "生まれ年" in only_text(asked).text


def test_a_sticker_while_a_settings_question_is_open_asks_it_again(world: World) -> None:
    world.dispatcher.dispatch(text_in("受信設定"))
    answer = world.dispatcher.dispatch(sticker_in())
    said = only_text(answer).text
    assert said.startswith(text("settings.invalid.not_text"))
    assert "生まれ年" in said


def test_free_text_without_an_open_question_gets_help_and_is_not_stored(world: World) -> None:
    answer = world.dispatcher.dispatch(text_in("こんにちは、1975年生まれです"))
    assert only_text(answer).text == text("help.fallback")
    assert answer.when_stale is WhenStale.DROP
    assert world.residents.get(USER) is None
    assert world.conversations.load(USER) is None


def test_every_action_reachable_from_settings_fits_line_limits(world: World) -> None:
    # Given every screen of 受信設定, reached by following every button from the start (breadth first)
    seen: set[str] = set()
    queue: deque[Answer] = deque([world.dispatcher.dispatch(text_in("受信設定"))])
    world.residents.set_genres(USER, frozenset({"bousai"}), _now())
    queue.append(world.dispatcher.dispatch(text_in("受信設定")))  # the card of a resident with settings
    screens = 0
    while queue and screens < 400:
        outcome = queue.popleft()
        screens += 1
        for reply in outcome.replies:
            actions: list[Action] = []
            if isinstance(reply, TextReply):
                # Then quick replies stay within 13 items of 20 characters
                assert len(reply.quick_replies) <= QUICK_REPLY_MAX_ITEMS
                assert all(len(a.label) <= QUICK_REPLY_LABEL_MAX for a in reply.quick_replies)
                actions = list(reply.quick_replies)
            else:
                actions = [row.action for row in reply.rows if row.action] + list(reply.buttons)
                assert all(len(a.label) <= CARD_LABEL_MAX for a in actions)
            for action in actions:
                # And every postback is at most 300 bytes and one of ours (the card's language row
                # leads to the language list)
                assert len(action.data.encode()) <= POSTBACK_DATA_MAX_BYTES
                assert decode(action.data)["action"] in ("settings", "language")
                if action.data not in seen:
                    seen.add(action.data)
                    queue.append(world.dispatcher.dispatch(postback_in(action.data)))
    assert len(seen) > 100  # decades, years, areas, genres: the walk did cover the screens


def test_birth_year_decades_page_when_they_do_not_fit(world: World) -> None:
    asked = world.dispatcher.dispatch(text_in("受信設定"))
    labels = [a.label for a in only_text(asked).quick_replies]
    assert labels[0] == "2020年代"
    assert text("settings.more.label") in labels
    assert "1910年代" not in labels
    more = tap(world, asked, text("settings.more.label"))
    assert "1900年代" in [a.label for a in only_text(more).quick_replies]


def test_the_last_page_of_decades_says_its_button_goes_back_to_the_first(world: World) -> None:
    asked = world.dispatcher.dispatch(text_in("受信設定"))
    last = tap(world, asked, text("settings.more.label"))
    labels = [a.label for a in only_text(last).quick_replies]
    assert text("settings.more.label") not in labels
    back = tap(world, last, text("settings.more.first_label"))
    assert only_text(back).quick_replies[0].label == "2020年代"


def test_the_card_does_not_call_an_item_unset_after_the_resident_chose_not_to_answer(world: World) -> None:
    # Given a resident who chose 回答しない for the gender and gave a birth year
    world.residents.set_setting(USER, SettingItem.BIRTH_YEAR, 1980, _now())
    world.dispatcher.dispatch(postback_in("action=settings&item=gender"))
    answer = world.dispatcher.dispatch(text_in("回答しない"))
    # Then the card shows 回答なし (true for both never answered and declined), not 未設定
    (card,) = [reply for reply in answer.replies if isinstance(reply, Card)]
    gender = next(row for row in card.rows if row.label == text("settings.item.gender"))
    assert gender.value == "回答なし"


def test_typed_labels_answer_choice_questions(world: World) -> None:
    world.dispatcher.dispatch(postback_in("action=settings&item=gender"))
    assert world.conversations.load(USER).state == {"item": "gender", "wizard": False}  # type: ignore[union-attr]
    world.dispatcher.dispatch(text_in("その他"))
    assert settings_of(world).gender == "other"


def test_open_question_expects_the_flow_name(world: World) -> None:
    world.dispatcher.dispatch(text_in("受信設定"))
    assert world.conversations.load(USER).flow == FLOW  # type: ignore[union-attr]


def _now() -> datetime:
    return NOW


def test_postback_of_another_feature_falls_back_to_help(world: World) -> None:
    answer = world.dispatcher.dispatch(
        Inbound(kind=InboundKind.POSTBACK, context=postback_in("x").context, postback_data="action=nope")
    )
    assert only_text(answer).text == text("help.fallback")
