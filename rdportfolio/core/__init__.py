"""The ground every app stands on: base models, money, roles, admin and API bases, tabular files.

Nothing here imports an app or the site: programs, technologies, partners and
budgets import from here, never the other way round (import-linter checks it).
"""
