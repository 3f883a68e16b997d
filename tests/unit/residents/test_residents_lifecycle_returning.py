"""A re-follow says "welcome back, your settings are kept" only when we still hold the settings."""

from __future__ import annotations

from tests.unit.residents.residents_fakes import USER, World, context

from civicline.domain.chat.inbound import Inbound, InboundKind
from civicline.domain.chat.replies import TextReply
from civicline.messages import text


def test_an_unblock_without_a_record_is_greeted_as_new(world: World) -> None:
    # Given a resident whose record was deleted (on request, or purged after blocking)
    assert world.residents.get(USER) is None
    # When LINE says they unblocked the account
    outcome = world.dispatcher.dispatch(Inbound(kind=InboundKind.FOLLOW, context=context(), unblocked=True))
    # Then they get the first-time greeting (with the privacy notice), not "welcome back"
    (reply,) = outcome.replies
    assert isinstance(reply, TextReply)
    assert reply.text != text("residents.welcome_back")
    assert reply.text.startswith(text("residents.greeting", privacy_notice_url="x").split("\n")[0])
    assert outcome.tags == ("follow.new",)
