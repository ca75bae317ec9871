"""Declared write flows against the target (the wallet reward flow)."""
