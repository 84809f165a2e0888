"""The daily regime (issue 15): a firm's computations read back as a series from their
report.json files (never the books), its gaps, average total credits, deposits made versus
required and the deficiencies they show."""
