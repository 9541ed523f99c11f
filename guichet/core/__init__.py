"""The shared core: what every layer above may use (web plumbing, access marks, the unit of
work, audit, i18n, formatting, shared forms, identifiers, money, passwords, signals). It imports
nothing from the packages above it."""
