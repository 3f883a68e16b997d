"""電子申請 in chat: the forms engine put into the conversation worker.

The engine (`civicline.domain.applications.forms`) decides what to ask; this package keeps its state
in the shared Conversations store as flow "form", turns its steps into the chat's answers (text with
quick replies, the confirmation card), hands a finished form to the applications queue, and answers
the 電子申請 menu, 「申請の続き」 and 「申請状況」. Wired by `install_forms`.
"""
