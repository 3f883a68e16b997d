"""Applications after the conversation: intake (store once, refuse a duplicate pending one, confirm),
the resident's own view of them (申請状況), and survey answers."""
