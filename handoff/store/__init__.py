"""The durable record in SQL, one data-access class per domain object (as techmatters/hrm keeps
one per object, hrm-service/src/contact/contactDataAccess.ts):

  tables.py      every table, in one metadata; the engine; how a row reads back
  transcript.py  ``Store``: conversations, messages, contacts, events; it holds the others
  accounts.py    ``store.accounts`` (console users), ``store.audit`` (the audit log)
  reviews.py     ``store.reviews``: supervisors' reviews, the search of contacts
  referrals.py   ``store.referrals``: referrals to directory partners
"""
from handoff.store.tables import create_engine, metadata  # noqa: F401
from handoff.store.transcript import Store  # noqa: F401
