"""Narration: a found walk told as an answer: summary, confidence, guidance steps and their
words in kk, ru and en, warnings, provenance."""
