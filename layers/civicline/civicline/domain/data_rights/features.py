"""The data-rights features, put on a dispatcher: 「登録情報の確認」 and 「登録情報の削除」.

Wired by `install_data_rights` in the conversation worker's composition root
(civicline/services/conversation_root.py).

The erasure takes two steps (「登録情報の削除」 → a card with 削除する / やめる → erasure), each a
postback that carries all it needs, so a retried event does the same again and nothing else: the
store's erasure skips what is gone, and the audit keeps one entry per request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from civicline.domain.applications.forms.definition import FormDefinitionError, form_ids, load_form
from civicline.domain.chat.conversations import ConversationStore
from civicline.domain.chat.dispatch import Dispatcher
from civicline.domain.chat.inbound import Inbound
from civicline.domain.chat.replies import Answer, Card, TextReply, WhenStale
from civicline.domain.chat.wording import Phrase, every_language, say
from civicline.domain.data_rights.actions import ACTION, Op, ask_action, show_action
from civicline.domain.data_rights.disclosure import disclosure_answer
from civicline.domain.data_rights.erasure import (
    CONFIRMATION_WINDOW,
    confirmation_card,
    erased_text,
    window_minutes,
)
from civicline.domain.data_rights.identity import audit_subject
from civicline.domain.data_rights.ports import DataRightsAudit, DataRightsStore
from civicline.domain.data_rights.records import AuditEntry, ErasureRequest, RightsAction
from civicline.domain.residents.lifecycle import event_time
from civicline.domain.residents.ports import ResidentStore
from civicline.domain.residents.settings import SettingsFlow
from civicline.messages import text
from civicline.models.city import City
from civicline.models.resident import Resident

# Kept application husks (no personal data) that have no TTL yet: how long the ward keeps them to
# answer about a reception number. Exported ones already carry export's retention TTL, which stays.
DEFAULT_KEPT_RETENTION = timedelta(days=365)


def known_form_kinds() -> frozenset[tuple[str, str]]:
    """Every (form id, kind) an intake guard may name, from the form definitions."""
    pairs: set[tuple[str, str]] = set()
    for form_id in form_ids():
        try:
            form = load_form(form_id)
        except FormDefinitionError:
            continue
        pairs.update((form.id, kind.id) for kind in form.kinds)
    return frozenset(pairs)


class DataRightsRequests:
    def __init__(
        self,
        store: DataRightsStore,
        audit: DataRightsAudit,
        settings_card: Callable[[Resident], Card[Phrase]],
        *,
        form_kinds: frozenset[tuple[str, str]],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        kept_retention: timedelta = DEFAULT_KEPT_RETENTION,
        window: timedelta = CONFIRMATION_WINDOW,
    ) -> None:
        self._store = store
        self._audit = audit
        self._settings_card = settings_card
        self._form_kinds = form_kinds
        self._clock = clock
        self._kept_retention = kept_retention
        self._window = window

    # -- 登録情報の確認 -----------------------------------------------------------------------------
    def show(self, inbound: Inbound) -> Answer:
        user_id = _user(inbound)
        holdings = self._store.holdings(user_id)
        counts = {
            "profile": int(holdings.resident is not None),
            "applications": len(holdings.applications),
            "surveys": holdings.surveys,
        }
        self._record(inbound, RightsAction.DISCLOSURE, counts)
        return disclosure_answer(holdings, self._settings_card)

    # -- 登録情報の削除 -----------------------------------------------------------------------------
    def ask(self, inbound: Inbound) -> Answer:
        holdings = self._store.holdings(_user(inbound))
        if holdings.empty:
            return _said("data_rights.nothing_to_erase", "data_rights.erase.nothing")
        asked_at = int(event_time(inbound).timestamp())
        card = confirmation_card(holdings, asked_at, self._window)
        return Answer(replies=(card,), when_stale=WhenStale.PUSH, tags=("data_rights.erase.asked",))

    def on_postback(self, inbound: Inbound, params: Mapping[str, str]) -> Answer:
        op = params.get("op", "")
        if op == Op.SHOW:
            return self.show(inbound)
        if op == Op.ERASE:
            return self._erase(inbound, params.get("at", ""))
        if op == Op.CANCEL:
            return _said("data_rights.cancelled", "data_rights.erase.cancelled")
        return self.ask(inbound)

    def _erase(self, inbound: Inbound, asked_at: str) -> Answer:
        if not self._confirmed_in_time(inbound, asked_at):
            reply = TextReply(
                say("data_rights.expired", minutes=window_minutes(self._window)),
                quick_replies=(ask_action(),),
            )
            return Answer(replies=(reply,), when_stale=WhenStale.PUSH, tags=("data_rights.erase.expired",))
        now = self._clock()
        erasure = self._store.erase(
            _user(inbound),
            ErasureRequest(erased_at=now, keep_until=now + self._kept_retention, form_kinds=self._form_kinds),
        )
        self._record(inbound, RightsAction.DELETION, erasure.counts())
        tag = "data_rights.erase.nothing" if erasure.nothing else "data_rights.erased"
        return Answer(replies=(TextReply(erased_text(erasure)),), when_stale=WhenStale.PUSH, tags=(tag,))

    def _confirmed_in_time(self, inbound: Inbound, asked_at: str) -> bool:
        if not asked_at.isdigit():
            return False
        tapped = event_time(inbound)
        asked = datetime.fromtimestamp(int(asked_at), UTC)
        # A card from the future is not one of ours; a little skew between LINE's clocks is tolerated.
        return asked - timedelta(minutes=1) <= tapped <= asked + self._window

    def _record(self, inbound: Inbound, action: RightsAction, counts: Mapping[str, int]) -> None:
        self._audit.record(
            AuditEntry(
                action=action,
                subject=audit_subject(_user(inbound)),
                event_id=inbound.context.webhook_event_id,
                requested_at=event_time(inbound),
                recorded_at=self._clock(),
                counts=dict(counts),
            )
        )


def _user(inbound: Inbound) -> str:
    user_id = inbound.user_id
    assert user_id is not None  # the dispatcher answers only a resident's own chat
    return user_id


def _said(key: str, tag: str) -> Answer:
    return Answer(replies=(TextReply(say(key)),), when_stale=WhenStale.PUSH, tags=(tag,))


def install_data_rights(
    dispatcher: Dispatcher,
    *,
    store: DataRightsStore,
    audit: DataRightsAudit,
    residents: ResidentStore,
    conversations: ConversationStore,
    city: City,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    kept_retention: timedelta = DEFAULT_KEPT_RETENTION,
) -> DataRightsRequests:
    # The settings flow's own card shows 受信設定 in the disclosure (its 変更 buttons work from there).
    settings = SettingsFlow(residents, conversations, city, clock)
    requests = DataRightsRequests(
        store, audit, settings.card, form_kinds=known_form_kinds(), clock=clock, kept_retention=kept_retention
    )
    dispatcher.text_command(text("data_rights.show.label"), requests.show)
    dispatcher.text_command(text("data_rights.erase.label"), requests.ask)
    dispatcher.text_command_words(every_language("data_rights.show.label"), requests.show)
    dispatcher.text_command_words(every_language("data_rights.erase.label"), requests.ask)
    dispatcher.postback_action(ACTION, requests.on_postback)
    # Offered in the help reply only while its 13 quick replies have room for both.
    for action in (show_action(), ask_action()):
        try:
            dispatcher.menu_item(action)
        except ValueError:
            break
    return requests
