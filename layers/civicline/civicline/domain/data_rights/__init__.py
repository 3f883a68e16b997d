"""A resident's own data rights in chat: 「登録情報の確認」 (disclosure) and 「登録情報の削除」 (erasure).

What is erased and what the ward keeps (decided; the erasure reply says the same to the resident):

- erased: the Users item (LINE display name, icon URL, follow dates, 受信設定), the open conversation
  (answers typed so far), the intake guards (their keys name the user id), and from every application
  the sealed answers (`pii`) and their masked copies (`piiMasked`).
- kept, without personal data: each application's reception number, form, kind, edition dates,
  received/submitted/exported times and status (set to `purged`, with `erasedAt`), so the ward can still
  answer about a reception number. Its `userId` is replaced by `erased#<applicationId>`, which links it
  to no one (the index `byUser` no longer finds it under the resident). An application the ward had not
  exported yet is thereby withdrawn: without name and address it cannot be fulfilled (the confirmation
  card says so before the resident confirms). Survey responses lose their typed answers (sealed
  `freeText`, and their lengths); their choices stay for the ward's counts, unlinked the same way.
  Kept items without a TTL get one (`purgeAt`, one year by default).
- the audit record of the request itself: action, time, counts, and a one-way pseudonym of the user id
  (see `identity.py`), never the id itself.

After an erasure the resident is still LINE's friend of the account: LINE holds the friendship, not us.
Nothing recreates their record silently: only a new follow or a new 受信設定 answer does, and both are
the resident's own, consented acts.
"""
