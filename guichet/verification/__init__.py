"""Proving it is really the person: one-time SMS codes, signed e-mail links, and the password +
code step-up that guards changes of e-mail, mobile, password and IBAN. Used by several features;
imports only the core, the models and messaging."""
