"""REST API of the caller itself: who am I, and a token to call the API with."""
