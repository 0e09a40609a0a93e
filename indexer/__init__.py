"""The Whoosh index: schema and analysis, the incremental writer, the record store.

Whoosh is imported only here and in ``search/``; nothing else in Needle touches it.
"""
