"""« Mes demandes »: the insured person's invoice pages (list, draft form, review, sending,
receipt, PDF, pièces, answers to the office). The rules live in the invoice domain
(``guichet.invoices``) below, so that the office's pages stand on it the same way."""
