"""The rich menu a resident sees, in their language and the ward's current mode (通常 / 防災).

- `ResidentMenus.link_resident`: after a resident chooses a language (the chat) — their language's
  menu for the current mode is linked to them; back to the default language, the link is removed and
  the default (which follows the mode) shows again.
- `ResidentMenus.relink_everyone`: after the default changed (a switch, or a deploy that replaced the
  menus and so dropped every link), each resident who reads another language is linked to that
  language's menu of the mode, in bulk calls of 500 per language: Σ⌈N_lang/500⌉ calls, LINE's minimum.
- `RichMenuModeSwitch`: the switch itself for `make richmenu MODE=...`: the default first (residents of
  the default language see it at once), then the relinking. The staff console takes the same two steps
  apart (services/staff_richmenu.py): the default at once, the relinking in RichMenuRelinkFunction,
  started asynchronously, since relinking a million residents outlasts an HTTP answer.

Pace: bulk calls go out from a few threads (LINE answers in ~100 ms; one after another, 2,000 calls
would take minutes) no faster than LINE's rate for the endpoint. A call that still meets 429/5xx/a
timeout (LineUnavailable) is tried again after a pause, doubling, a few times; linking is idempotent,
so a call LINE took before failing does no harm again.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from civicline.domain.errors import LineUnavailable
from civicline.domain.residents.menus import MenuLinks, ResidentLanguages, bulk_link_batches, minimum_calls
from civicline.models.language import DEFAULT_LANGUAGE, Language
from civicline.richmenu.definition import MenuKey, RichMenus, rich_menus

if TYPE_CHECKING:
    from civicline.richmenu.deployer import DeployReport

RETRIES = 6
FIRST_PAUSE_SECONDS = 0.2
# LINE's rate for bulk link: among "other endpoints", 2,000 requests/s per channel.
BULK_LINK_RATE = 2000.0
CONCURRENCY = 32  # calls in flight: ~rate × LINE's latency (2,000/s × ~0.1 s would be 200; 32 suffice
# for a switch of ~100k residents a second, far above any ward's count of residents reading other languages)


class _Pacer:
    """Hands out send times at most `rate` a second, shared by the sending threads."""

    def __init__(self, rate: float, clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
        self._interval = 1.0 / rate
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def wait_turn(self) -> None:
        with self._lock:
            now = self._clock()
            at = max(now, self._next)
            self._next = at + self._interval
        if at > now:
            self._sleep(at - now)


@dataclass
class RelinkReport:
    """Counts only (never user ids): what a relinking did."""

    mode: MenuKey
    residents: Counter[Language] = field(default_factory=Counter)
    calls: int = 0
    retries: int = 0

    @property
    def minimum_calls(self) -> int:
        return minimum_calls(dict(self.residents))

    def summary(self) -> str:
        per_language = ", ".join(f"{lang}: {count}" for lang, count in sorted(self.residents.items()))
        return (
            f"relinked {sum(self.residents.values())} residents to their language's {self.mode} menu "
            f"({per_language or 'none'}) in {self.calls} calls (minimum {self.minimum_calls})"
        )


class ResidentMenus:
    def __init__(
        self,
        links: MenuLinks,
        *,
        menus: Callable[[Language], RichMenus] = rich_menus,
        sleep: Callable[[float], None] = time.sleep,
        rate: float = BULK_LINK_RATE,
        concurrency: int = CONCURRENCY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._links = links
        self._menus = menus
        self._sleep = sleep
        self._rate = rate
        self._concurrency = concurrency
        self._clock = clock

    def mode(self) -> MenuKey:
        """The ward's mode, read from LINE: 防災 when the default is the default language's 防災 menu."""
        default = self._links.default_menu()
        disaster = self._links.menu_of_alias(self._menus(DEFAULT_LANGUAGE).disaster.alias_id)
        return "disaster" if default is not None and default == disaster else "normal"

    def link_resident(self, user_id: str, language: Language) -> None:
        """Show the resident their language's menu (for the current mode) from now on."""
        if language == DEFAULT_LANGUAGE:
            self._links.unlink_user(user_id)
            return
        alias_id = self._menus(language)[self.mode()].alias_id
        self._links.link_user(user_id, self._links.menu_of_alias(alias_id))

    def relink_everyone(
        self,
        mode: MenuKey,
        residents: Iterable[tuple[str, Language]],
        menu_ids: Mapping[str, str] | None = None,
    ) -> RelinkReport:
        """Link every resident reading another language to their language's `mode` menu.

        `menu_ids` (alias → LINE's menu id, from a deploy or switch) saves looking the aliases up."""
        report = RelinkReport(mode)
        targets: dict[Language, str] = {}
        pacer = _Pacer(self._rate, self._clock, self._sleep)
        lock = threading.Lock()

        def send(language: Language, user_ids: list[str]) -> None:
            retries = self._link_batch(targets[language], user_ids, pacer)
            with lock:
                report.calls += 1
                report.retries += retries
                report.residents[language] += len(user_ids)

        with ThreadPoolExecutor(max_workers=self._concurrency) as pool:
            pending: set[Future[None]] = set()
            for language, user_ids in bulk_link_batches(residents):
                if language not in targets:
                    alias_id = self._menus(language)[mode].alias_id
                    known = (menu_ids or {}).get(alias_id)
                    targets[language] = known or self._links.menu_of_alias(alias_id)
                if len(pending) >= 2 * self._concurrency:  # bounded: the residents are streamed
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        future.result()
                pending.add(pool.submit(send, language, user_ids))
            for future in pending:
                future.result()
        return report

    def _link_batch(self, rich_menu_id: str, user_ids: list[str], pacer: _Pacer) -> int:
        pause = FIRST_PAUSE_SECONDS
        for attempt in range(RETRIES + 1):
            pacer.wait_turn()
            try:
                self._links.link_users(rich_menu_id, user_ids)
                return attempt
            except LineUnavailable:
                if attempt == RETRIES:
                    raise
                self._sleep(pause)
                pause *= 2
        raise AssertionError("unreachable")  # pragma: no cover


class RichMenuModeSwitch:
    """通常 ↔ 防災 for every resident: the default, then each language's residents relinked."""

    def __init__(
        self,
        apply: Callable[[MenuKey], DeployReport],
        residents: ResidentLanguages,
        resident_menus: ResidentMenus,
    ) -> None:
        self._apply = apply
        self._residents = residents
        self._resident_menus = resident_menus

    def switch(self, mode: MenuKey) -> tuple[DeployReport, RelinkReport]:
        deployed = self._apply(mode)
        relinked = self._resident_menus.relink_everyone(
            mode, self._residents.residents_reading_other_languages(), deployed.menu_ids
        )
        return deployed, relinked
