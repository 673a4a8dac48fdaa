"""Readers: one per file format, each a ``Path → Document`` function (``extract.READERS`` says which
suffix takes which). They know nothing of report forms: a new format is a reader, never a form."""
