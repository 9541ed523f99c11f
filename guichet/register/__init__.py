"""The office's register of insured persons and their decisions: look-ups, the decision-number
rules, the saved decision numbers of a beneficiary, and the CSV imports."""
