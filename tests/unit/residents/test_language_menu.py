"""The rich menu follows the resident's language: linked on follow and on a choice, never instead of it."""

from __future__ import annotations

import pytest
from tests.unit.residents.residents_fakes import USER, World, context, postback_in

from civicline.domain.chat.inbound import Inbound, InboundKind
from civicline.domain.errors import LineRejected, LineUnavailable
from civicline.domain.residents.ports import Profile
from civicline.models.language import Language


def follow(world: World, line_language: str | None) -> None:
    world.profiles.profiles[USER] = Profile(display_name="An", picture_url=None, language=line_language)
    world.dispatcher.dispatch(Inbound(kind=InboundKind.FOLLOW, context=context()))


def test_a_newcomer_reading_another_language_gets_that_languages_menu(world: World) -> None:
    # Given a resident whose LINE is in Vietnamese, When they follow
    follow(world, "vi")
    # Then the Vietnamese menu is linked to them
    assert world.menus.linked == {USER: Language.VI}


def test_a_newcomer_reading_japanese_keeps_the_default_menu_without_a_call(world: World) -> None:
    # Given a resident whose LINE is in Japanese, When they follow
    follow(world, "ja")
    # Then nothing is linked: the default menu is the Japanese one
    assert world.menus.linked == {}


def test_choosing_a_language_links_its_menu(world: World) -> None:
    # Given a resident who followed in Japanese, When they choose Korean
    follow(world, "ja")
    answer = world.dispatcher.dispatch(postback_in("action=language&v=ko"))
    # Then the Korean menu is linked, and the answer says so in its tags
    assert world.menus.linked == {USER: Language.KO}
    assert "richmenu.linked" in answer.tags


def test_a_menu_line_refuses_does_not_undo_the_choice(world: World) -> None:
    # Given the menus are not deployed on LINE (it refuses the alias)
    follow(world, "ja")
    world.menus.refuse = LineRejected("get_rich_menu_alias: no alias civicline-normal-en; deploy the menus")
    # When the resident chooses English
    answer = world.dispatcher.dispatch(postback_in("action=language&v=en"))
    # Then English is stored and the answer is in English, tagged so the missing menu shows in metrics
    resident = world.residents.get(USER)
    assert resident is not None
    assert resident.language is Language.EN
    assert answer.language == "en"
    assert "richmenu.link_refused" in answer.tags


def test_a_line_outage_while_linking_is_retried_with_the_event(world: World) -> None:
    # Given LINE is unavailable
    follow(world, "ja")
    world.menus.refuse = LineUnavailable("link_rich_menu_id_to_user: 503")
    # When the resident chooses Nepali, Then the event fails to be retried (the choice is a set: safe again)
    with pytest.raises(LineUnavailable):
        world.dispatcher.dispatch(postback_in("action=language&v=ne"))
