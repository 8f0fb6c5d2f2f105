"""The debtor pages: identification without an account, the debtor's cases, objections, plans, relief."""
