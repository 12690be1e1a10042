"""The service directory (data/directory.yml): every number, office, law and fact any text states.

A room just above shared/ (beside nlu/, which it does not import), below handoff/ and the gateway: texts elsewhere hold placeholders
([[line.phone]], [[law]], [[legal_aid.text]]) and are rendered through ``Directory.render``
for the deployment profile the operator chose (national 111 or a provincial line).
"""
from directory.model import Directory, Entry, Profile, UnknownPlaceholder, default_directory

__all__ = ["Directory", "Entry", "Profile", "UnknownPlaceholder", "default_directory"]
