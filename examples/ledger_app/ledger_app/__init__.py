"""A credit ledger: owners earn fixed amounts for named operations, once per client nonce."""
