"""The Swiss QR-bill printed on a supplier's invoice: its payload read into a typed value
(:mod:`.bill`, written from SIX's "Swiss Implementation Guidelines for the QR-bill") and the QR
codes found in a pièce (:mod:`.reader`)."""
