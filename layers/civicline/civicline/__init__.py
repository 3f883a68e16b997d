"""civicline: the shared layer of every function (domain, adapters, models, forms, messages)."""
