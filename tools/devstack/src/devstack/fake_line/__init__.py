"""A fake LINE Messaging API for the local stack and tests, strict where LINE is strict.

Python::

    from devstack.fake_line import FakeLine
    fake = FakeLine(port=0, rate_limits={"multicast": 200.0}, faults=None).start()
    fake.url                       # "http://127.0.0.1:PORT": Configuration(host=fake.url, ...)
    fake.add_user("U...", "display name"); fake.mint_reply_token(user_id="U...")
    fake.requests(path="/v2/bot/message/multicast"); fake.messages_for("U..."); fake.reset()
    fake.stop()

LINE's side: reply, push, multicast, narrowcast, broadcast, validate/*, profile, rich menus (images,
default, per-user links, aliases). Requests are checked with line-bot-sdk's models and LINE's limits
(limits.py); reply tokens are single-use and expire; X-Line-Retry-Key repeats answer 409; per-endpoint
token buckets answer 429; faults.py injects 429, 500 and accepted-then-dropped answers.

The tester's side, `/_sim/*` (no authentication):

- `POST /_sim/users` `{"userId","displayName","pictureUrl"?,"language"?,"statusMessage"?}`; `GET /_sim/users`
- `POST /_sim/reply-tokens` `{"userId"?,"ttlSeconds"?}` → `{"replyToken"}`
- `GET /_sim/requests[?path=/v2/bot/message/multicast]` → accepted requests
  `[{"id","method","path","body","retryKey","at"}]`
- `GET /_sim/messages/{userId}` → `[{"requestId","via","message","at"}]` in order received
- `POST /_sim/reset` `{"users"?: true}`; `GET|POST /_sim/faults`; `GET|POST /_sim/rate-limits`

Run on its own: `python -m devstack.fake_line --port 3001`.
"""

from devstack.fake_line.faults import Fault, FaultPlan
from devstack.fake_line.server import DEV_CHANNEL_ACCESS_TOKEN, FakeLine
from devstack.fake_line.state import SimulatedUser

__all__ = ["DEV_CHANNEL_ACCESS_TOKEN", "FakeLine", "Fault", "FaultPlan", "SimulatedUser"]
