"""Segmented broadcasts: who receives a message, in which batches, and what each LINE answer means."""
