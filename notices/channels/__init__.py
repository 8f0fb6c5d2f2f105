"""Channel backends: SMS (a provider interface), e-mail (Django's e-mail backend), post (print batches)."""
