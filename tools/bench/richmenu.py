"""The 防災 switch reaching a million residents whatever their language (issue 13).

The worst case: 1M following residents who all read a language other than the default, so every one
has a linked menu that a switch of the default would not reach. `make richmenu MODE=disaster`'s service
(civicline.services.richmenu_mode.RichMenuModeSwitch) switches the default, then relinks them in bulk
calls of 500 per language against the fake LINE, which enforces the bulk-link rate and the 500-id limit
and keeps every link; LINE's ~100 ms is added around each call. Then the switch back. Measured: the
seconds from the switch to the last resident linked, the calls against the minimum LINE allows
(Σ⌈N_lang/500⌉, one menu per call; ⌈N/500⌉ is printed beside it), and residents left on a wrong menu.

Scaled like broadcast_fanout: residents and LINE's rate are both divided by BENCH_RICHMENU_SCALE
(default 10: 100,000 residents at 200 calls/s), so the physical minimum (calls ÷ rate) and the time are
those of the full size, while the fake, the SDK and the checks do a tenth of the work on two shared
cores. The fake LINE runs in a process of its own. The time over the physical minimum is printed,
not judged: on shared cores it is the client's and the fake's CPU that set it.
BENCH_RICHMENU_SCALE=1 runs the million at LINE's 2,000/s. The residents come from a generator, not a
Users Scan (the Scan of a million is measured by the broadcast bench).
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

from linebot.v3.messaging import ApiClient, Configuration, MessagingApi

from civicline.adapters.line.richmenu_links import LineRichMenuLinks
from civicline.domain.residents.menus import LINE_BULK_LINK_MAX
from civicline.models.language import DEFAULT_LANGUAGE, Language
from civicline.richmenu.definition import MenuKey, all_rich_menus
from civicline.richmenu.deployer import apply_mode
from civicline.services.richmenu_mode import BULK_LINK_RATE, ResidentMenus, RichMenuModeSwitch
from tools.bench.broadcast_fanout import _free_port, _wait_for
from tools.bench.results import Measure

FULL_RESIDENTS = 1_000_000
SCALE = float(os.environ.get("BENCH_RICHMENU_SCALE", "10"))
RESIDENTS = int(FULL_RESIDENTS / SCALE)
RATE = BULK_LINK_RATE / SCALE
LATENCY_SECONDS = 0.1
TOKEN = "civicline-dev-access-token"  # noqa: S105 - the local fake's dev token
# Shinjuku's largest groups of foreign residents (issue 13), as shares of the residents with a menu.
MIX: dict[Language, float] = {
    Language.ZH_HANS: 0.34,
    Language.KO: 0.20,
    Language.NE: 0.12,
    Language.MY: 0.10,
    Language.VI: 0.10,
    Language.EN: 0.08,
    Language.JA_EASY: 0.06,
}


def residents(count: int) -> Iterator[tuple[str, Language]]:
    """`count` residents with a language each, in MIX's shares, interleaved as a Scan returns them."""
    languages = list(MIX)
    weights = [MIX[language] for language in languages]
    totals = [0.0] * len(languages)
    for number in range(count):
        # Deterministic smooth weighted round robin: shares exact, languages mixed page by page.
        for index, weight in enumerate(weights):
            totals[index] += weight
        chosen = max(range(len(languages)), key=totals.__getitem__)
        totals[chosen] -= 1.0
        yield f"U{number:032x}", languages[chosen]


class _Residents:
    def __init__(self, count: int) -> None:
        self.count = count

    def residents_reading_other_languages(self) -> Iterator[tuple[str, Language]]:
        return residents(self.count)


class _Latency(LineRichMenuLinks):
    """LINE's time on the wire: half before the fake takes the request, half after."""

    def link_users(self, rich_menu_id: str, user_ids: Sequence[str]) -> None:
        time.sleep(LATENCY_SECONDS / 2)
        super().link_users(rich_menu_id, user_ids)
        time.sleep(LATENCY_SECONDS / 2)


def _wrong_links(links: dict[str, str], menu_ids: dict[str, str], mode: MenuKey) -> int:
    expected = {lang: menu_ids[menus[mode].alias_id] for menus in all_rich_menus() for lang in [menus.lang]}
    wrong = 0
    for user_id, language in residents(RESIDENTS):
        if links.get(user_id) != expected[language]:
            wrong += 1
    return wrong


def _switch(switch: RichMenuModeSwitch, mode: MenuKey) -> tuple[float, Any, Any]:
    started = time.perf_counter()
    deployed, relinked = switch.switch(mode)
    return time.perf_counter() - started, deployed, relinked


def fake_line_process(port: int) -> None:
    """The fake LINE in a process of its own, as LINE is elsewhere: it does not share our interpreter."""
    from devstack.fake_line import FakeLine

    FakeLine(
        host="127.0.0.1", port=port, channel_access_token=TOKEN, rate_limits={"richmenu_bulk_link": RATE}
    ).start()
    while True:
        time.sleep(3600)


def _links_on_line(url: str) -> dict[str, str]:
    with urllib.request.urlopen(f"{url}/_sim/richmenu-links", timeout=120) as answer:  # noqa: S310 (loopback)
        links: dict[str, str] = json.load(answer)
        return links


def run() -> list[Measure]:
    port = _free_port()
    fake = multiprocessing.get_context("spawn").Process(target=fake_line_process, args=(port,), daemon=True)
    fake.start()
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{url}/_sim/rate-limits")
        apply_mode("normal", url, TOKEN)  # the menus exist before the ward needs the switch
        configuration = Configuration(host=url, access_token=TOKEN)
        configuration.connection_pool_maxsize = 64
        with ApiClient(configuration) as client:
            links = _Latency(lambda: MessagingApi(client))
            service = ResidentMenus(links, rate=RATE)
            switch = RichMenuModeSwitch(
                lambda mode: apply_mode(mode, url, TOKEN), _Residents(RESIDENTS), service
            )
            seconds, deployed, relinked = _switch(switch, "disaster")
            wrong_disaster = _wrong_links(_links_on_line(url), deployed.menu_ids, "disaster")
            back_seconds, back, relinked_back = _switch(switch, "normal")
            wrong_normal = _wrong_links(_links_on_line(url), back.menu_ids, "normal")
    finally:
        fake.terminate()
        fake.join(timeout=10)

    counts = Counter(language for _, language in residents(RESIDENTS))
    minimum = sum(math.ceil(n / LINE_BULK_LINK_MAX) for lang, n in counts.items() if lang != DEFAULT_LANGUAGE)
    floor = math.ceil(RESIDENTS / LINE_BULK_LINK_MAX)
    physical = minimum / RATE
    over = relinked.calls / minimum
    print(
        f"  {RESIDENTS:,} residents reading {len(counts)} languages (1M ÷ {SCALE:g}), bulk link at "
        f"{RATE:g}/s (LINE's {BULK_LINK_RATE:g} ÷ {SCALE:g}), {LATENCY_SECONDS * 1000:.0f} ms per call"
    )
    print(
        f"  防災: {seconds:.2f} s, {relinked.calls} calls (minimum Σ⌈N_lang/500⌉ = {minimum}; ⌈N/500⌉ = "
        f"{floor}), {relinked.retries} retries, {wrong_disaster} on a wrong menu; back to 通常: "
        f"{back_seconds:.2f} s, {relinked_back.calls} calls, {wrong_normal} on a wrong menu"
    )
    return [
        Measure(
            "richmenu.disaster_switch_seconds_1m",
            seconds,
            "s",
            f"info (min {physical:.1f})",
            None,
        ),
        # Informative: on two cores shared with other work the client's CPU (the SDK serialises ~1.5 ms
        # a call) and the fake's, not LINE's rate, set the pace; the calls and the links are the checks.
        Measure("richmenu.switch_ratio_1m", seconds / physical, "ratio", "info", None),
        Measure("richmenu.calls_over_minimum_1m", over, "ratio", "== 1.0", relinked.calls == minimum),
        Measure("richmenu.calls_over_ceil_n_500_1m", relinked.calls / floor, "ratio", "info", None),
        Measure(
            "richmenu.residents_on_wrong_menu_1m",
            wrong_disaster + wrong_normal,
            "residents",
            "== 0",
            wrong_disaster + wrong_normal == 0,
        ),
    ]


if __name__ == "__main__":
    for measure in run():
        print(measure.line())
