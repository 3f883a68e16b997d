"""The pure rules: masking for display, the audit pseudonym, the erasure's words, the help menu's room."""

from __future__ import annotations

from tests.unit.data_rights.data_rights_fakes import InMemoryAudit, InMemoryDataRights
from tests.unit.residents.residents_fakes import (
    USER,
    InMemoryConversations,
    InMemoryResidents,
    ResolvingDispatcher,
    text_in,
)

from civicline.domain.chat.replies import Action, TextReply
from civicline.domain.chat.wording import resolve
from civicline.domain.data_rights.erasure import erased_text as erased_phrase
from civicline.domain.data_rights.features import install_data_rights
from civicline.domain.data_rights.identity import audit_subject, erased_owner
from civicline.domain.data_rights.masking import FULLY_MASKED, shown_fields, shown_value
from civicline.domain.data_rights.records import Erasure, KeptApplication
from civicline.messages import text
from civicline.models.city import load_city


def erased_text(erasure: Erasure) -> str:
    """The account of an erasure as the resident reads it."""
    return resolve(erased_phrase(erasure))


def test_masked_values_are_shown_as_they_are() -> None:
    assert shown_value("山田 **") == "山田 **"
    assert shown_value(" 090-****-5678 ") == "090-****-5678"


def test_values_without_a_mask_or_too_long_are_masked_whole() -> None:
    assert shown_value("山田太郎") == FULLY_MASKED
    assert shown_value("*" + "あ" * 80) == FULLY_MASKED


def test_fields_come_in_a_fixed_order_and_unknown_ones_stay_out() -> None:
    fields = shown_fields({"phone": "090-****-5678", "kana": "ヤマダ", "name": "山田 **"})
    assert fields == (("intake.card.name", "山田 **"), ("intake.card.phone", "090-****-5678"))


def test_the_audit_subject_is_a_stable_one_way_pseudonym() -> None:
    subject = audit_subject(USER)
    assert subject == audit_subject(USER)
    assert len(subject) == 64
    assert int(subject, 16) >= 0
    assert USER not in subject
    assert subject != audit_subject("U" + "b" * 32)


def test_kept_items_are_owned_by_no_one() -> None:
    assert erased_owner("app-1") == "erased#app-1"
    assert erased_owner("app-1") != erased_owner("app-2")


def test_erased_text_of_nothing() -> None:
    assert erased_text(Erasure()) == text("data_rights.erased.nothing")


def test_erased_text_lists_at_most_ten_reception_numbers() -> None:
    kept = tuple(KeptApplication(f"KH-20250601-{n:04d}", withdrawn=False) for n in range(12))
    said = erased_text(Erasure(applications=kept))
    assert "KH-20250601-0009" in said
    assert "KH-20250601-0010" not in said
    assert "ほか2件" in said
    assert text("data_rights.erased.ward_copies") in said


def test_erased_text_without_exported_applications_says_nothing_of_ward_copies() -> None:
    said = erased_text(Erasure(profile=True, applications=(KeptApplication("KH-1", withdrawn=True),)))
    assert text("data_rights.erased.ward_copies") not in said
    assert text("data_rights.erased.kept_audit") in said
    assert text("data_rights.erased.afterwards") in said


def test_a_full_help_menu_is_left_as_it_is() -> None:
    # Given a help menu that already holds 13 quick replies
    dispatcher = ResolvingDispatcher(InMemoryConversations())
    for n in range(13):
        dispatcher.menu_item(Action(label=f"item{n}", data=f"action=x{n}"))
    # When the data-rights features are installed
    install_data_rights(
        dispatcher,
        store=InMemoryDataRights(),
        audit=InMemoryAudit(),
        residents=InMemoryResidents(),
        conversations=InMemoryConversations(),
        city=load_city(),
    )
    # Then their commands still work, and the menu is unchanged
    (reply,) = dispatcher.dispatch(text_in("ヘルプ")).replies
    assert isinstance(reply, TextReply)
    assert len(reply.quick_replies) == 13
    assert dispatcher.dispatch(text_in("登録情報の確認")).tags == ("data_rights.disclosed.none",)
